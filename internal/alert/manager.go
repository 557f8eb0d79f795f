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
	Source Source
	// Rules are the daemon's own rules, e.g. DefaultRules(...) plus
	// LoadRuleFile(...): the group named "" (see SetRules).
	Rules     []Rule
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
	// BeforeEvaluate, when set, is called by Run before each evaluation,
	// e.g. to bring rule groups up to date with SetRules.
	BeforeEvaluate func(ctx context.Context)
}

// Manager evaluates rules on an interval, tracks alert states and notifies.
// Its methods are safe for concurrent use.
type Manager struct {
	cfg Config
	log *slog.Logger

	mu sync.Mutex // guards groups, retired and every rule's alerts
	// groups holds the rules by group: "" for Config.Rules, others set by
	// SetRules.
	groups map[string][]*ruleState
	// retired are rules removed while they had alerts: each evaluation
	// sees them with no series, so firing alerts resolve and notifiers
	// hear it, until their resolved alerts age out.
	retired []*ruleState
}

// NewManager validates every rule and returns a Manager; an invalid rule
// is a *RuleError and no Manager is built.
func NewManager(cfg Config) (*Manager, error) {
	if cfg.Source == nil {
		return nil, errors.New("creating alert manager: no metrics source")
	}
	applyDefaults(&cfg)
	m := &Manager{cfg: cfg, log: cfg.Logger.With("component", "alert"), groups: map[string][]*ruleState{}}
	if err := m.SetRules("", cfg.Rules); err != nil {
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
		if m.cfg.BeforeEvaluate != nil {
			m.cfg.BeforeEvaluate(ctx)
		}
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
	for _, rs := range m.allLocked() {
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
