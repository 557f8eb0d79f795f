package alert

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"
)

// Config configures a Manager. Source is required; the rest has defaults.
type Config struct {
	Source    Source
	Rules     []Rule     // e.g. DefaultRules(...) plus LoadRuleFile(...)
	Notifiers []Notifier // may be empty
	// OnEvent receives every state change, synchronously, from the
	// evaluating goroutine; it should not block for long.
	OnEvent func(Event)
	Logger  *slog.Logger
	// Interval between evaluations (default 15s).
	Interval time.Duration
	// ResendInterval between repeated notifications of an unchanged
	// firing or resolved alert (default 1m).
	ResendInterval time.Duration
	// ResolvedRetention is how long resolved alerts are kept and resent
	// (default 15m).
	ResolvedRetention time.Duration
	// GeneratorURL links notifications back to berth; the rule name is
	// appended as ?alert=<name>. Optional.
	GeneratorURL string
	// Now is the clock (default time.Now); tests inject one.
	Now func() time.Time
}

// Manager evaluates rules on an interval, tracks alert states and notifies.
type Manager struct {
	cfg   Config
	log   *slog.Logger
	mu    sync.Mutex // guards rules' alert maps
	rules []*ruleState
}

// NewManager validates every rule and returns a Manager; an invalid rule
// is a *RuleError and no Manager is built.
func NewManager(cfg Config) (*Manager, error) {
	if cfg.Source == nil {
		return nil, errors.New("creating alert manager: no metrics source")
	}
	applyDefaults(&cfg)
	m := &Manager{cfg: cfg, log: cfg.Logger.With("component", "alert")}
	var errs []error
	for _, r := range cfg.Rules {
		cr, err := compileRule(r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		m.rules = append(m.rules, &ruleState{rule: cr, alerts: map[string]*tracked{}})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("creating alert manager: %w", err)
	}
	return m, nil
}

func applyDefaults(cfg *Config) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 15 * time.Second
	}
	if cfg.ResendInterval <= 0 {
		cfg.ResendInterval = time.Minute
	}
	if cfg.ResolvedRetention <= 0 {
		cfg.ResolvedRetention = 15 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.OnEvent == nil {
		cfg.OnEvent = func(Event) {}
	}
}

// Run evaluates at once, then every Interval, until ctx is done. Failed
// queries and sends are logged and the loop goes on.
func (m *Manager) Run(ctx context.Context) error {
	t := time.NewTicker(m.cfg.Interval)
	defer t.Stop()
	for {
		if err := m.Evaluate(ctx); err != nil && ctx.Err() == nil {
			m.log.Warn("alert evaluation incomplete", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Alerts returns the pending, firing and retained resolved alerts, sorted
// by rule then labels. The maps inside are shared: do not modify them.
func (m *Manager) Alerts() []Alert {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Alert
	for _, rs := range m.rules {
		for _, a := range rs.alerts {
			out = append(out, a.Alert)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Rule != out[j].Rule {
			return out[i].Rule < out[j].Rule
		}
		return fingerprint(out[i].Labels) < fingerprint(out[j].Labels)
	})
	return out
}
