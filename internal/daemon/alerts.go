package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/berth-dev/berth/internal/alert"
	"github.com/berth-dev/berth/internal/engine"
	"github.com/berth-dev/berth/internal/metrics"
	"github.com/berth-dev/berth/internal/reconcile"
	"github.com/berth-dev/berth/internal/spec"
	"github.com/berth-dev/berth/internal/store"
)

// AlertConfig configures alerting.
type AlertConfig struct {
	RulesFile    string
	Webhook      string
	Alertmanager string
	Interval     time.Duration
}

// alertSource answers the alert rules' queries from the metrics history,
// the reconciler's status, the engine and the load balancer's counters.
type alertSource struct {
	coll    *metrics.Collector
	rec     *reconcile.Reconciler
	store   *store.Store
	list    func(ctx context.Context, stack string) ([]engine.Container, error)
	proxy   *proxyRatios
	dataDir string
}

// alertMetrics are the metric names rules may use.
var alertMetrics = []string{
	"berth_container_memory_usage_ratio", "berth_container_cpu_cores", "berth_container_memory_working_set_bytes",
	"berth_container_unhealthy", "berth_service_crashloop", "berth_host_disk_free_ratio",
	"berth_proxy_5xx_ratio",
}

func (s *alertSource) Series(ctx context.Context, sel alert.Selector, from, to time.Time) ([]alert.Series, error) {
	var out []alert.Series
	var err error
	switch sel.Metric {
	case "berth_container_memory_usage_ratio":
		out = s.history(metrics.MetricMemoryWorkingSet, from, to, true)
	case "berth_container_cpu_cores":
		out = s.history(metrics.MetricCPU, from, to, false)
	case "berth_container_memory_working_set_bytes":
		out = s.history(metrics.MetricMemoryWorkingSet, from, to, false)
	case "berth_container_unhealthy":
		out, err = s.unhealthy(ctx, to)
	case "berth_service_crashloop":
		out, err = s.crashloop(to)
	case "berth_host_disk_free_ratio":
		out, err = s.diskFree(to)
	case "berth_proxy_5xx_ratio":
		out = s.proxy.Series(from, to)
	default:
		return nil, fmt.Errorf("unknown metric %q for alert rules; known: %v", sel.Metric, alertMetrics)
	}
	return slices.DeleteFunc(out, func(se alert.Series) bool { return !matches(se.Labels, sel.Labels) }), err
}

// history returns a per-container series, divided by the memory limit
// when ratio is set (containers without a limit are left out).
func (s *alertSource) history(m metrics.Metric, from, to time.Time, ratio bool) []alert.Series {
	var out []alert.Series
	for _, c := range s.coll.Containers() {
		limit := float64(c.Sample.MemoryLimit)
		if ratio && limit == 0 {
			continue
		}
		pts, _, err := s.coll.Range(metrics.ContainerRef(c.Target.ID), m, from, to)
		if err != nil || len(pts) == 0 {
			continue
		}
		se := alert.Series{Labels: targetLabels(c.Target)}
		for _, p := range pts {
			v := p.Avg
			if ratio {
				v /= limit
			}
			se.Points = append(se.Points, alert.Point{T: p.Time, V: v})
		}
		out = append(out, se)
	}
	return out
}

func (s *alertSource) unhealthy(ctx context.Context, at time.Time) ([]alert.Series, error) {
	cs, err := s.list(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []alert.Series
	for _, c := range cs {
		if c.State != engine.StateRunning || c.Health == engine.HealthNone {
			continue
		}
		v := 0.0
		if c.Health == engine.HealthUnhealthy {
			v = 1
		}
		out = append(out, point(map[string]string{"stack": c.Stack, "service": c.Service, "container": c.Name}, at, v))
	}
	return out, nil
}

func (s *alertSource) crashloop(at time.Time) ([]alert.Series, error) {
	stacks, err := s.store.Stacks()
	if err != nil {
		return nil, err
	}
	var out []alert.Series
	for _, st := range stacks {
		status, ok := s.rec.Status(st.Name)
		if !ok || st.Down {
			continue
		}
		for _, svc := range status.Services {
			v := 0.0
			if svc.State == reconcile.StateCrashLoop {
				v = 1
			}
			out = append(out, point(map[string]string{"stack": st.Name, "service": svc.Name}, at, v))
		}
	}
	return out, nil
}

func (s *alertSource) diskFree(at time.Time) ([]alert.Series, error) {
	var fs syscall.Statfs_t
	if err := syscall.Statfs(s.dataDir, &fs); err != nil {
		return nil, fmt.Errorf("reading free space of %s: %w", s.dataDir, err)
	}
	ratio := float64(fs.Bavail) / float64(fs.Blocks)
	// Labelled as alert/doc.go and the default rule's summary expect.
	return []alert.Series{point(map[string]string{"mountpoint": s.dataDir}, at, ratio)}, nil
}

func point(labels map[string]string, at time.Time, v float64) alert.Series {
	return alert.Series{Labels: labels, Points: []alert.Point{{T: at, V: v}}}
}

func targetLabels(t metrics.Target) map[string]string {
	return map[string]string{"stack": t.Stack, "service": t.Service, "container": t.Name}
}

func matches(labels, want map[string]string) bool {
	for k, v := range want {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// alerting is the alert manager with what feeds it: the load balancer
// sampler and the stacks' own rules.
type alerting struct {
	m     *alert.Manager
	proxy *proxyRatios
}

// Run runs the sampler and the manager until ctx ends.
func (a *alerting) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Go(func() { a.proxy.Run(ctx) })
	err := a.m.Run(ctx)
	wg.Wait()
	return err
}

// newAlerts builds the alert manager: berth's default rules plus the
// user's from --alert-rules (group "") and from each stack's
// x-berth.alerts (a group per stack, refreshed before every evaluation),
// notifying the configured receivers and the event journal.
func newAlerts(cfg AlertConfig, src *alertSource, st *store.Store, log *slog.Logger) (*alerting, error) {
	rules := alert.DefaultRules(alert.Defaults{})
	if cfg.RulesFile != "" {
		user, err := alert.LoadRuleFile(cfg.RulesFile)
		if err != nil {
			return nil, err
		}
		rules = append(rules, user...)
	}
	var notifiers []alert.Notifier
	if cfg.Webhook != "" {
		n, err := alert.NewWebhook(alert.WebhookConfig{URL: cfg.Webhook, Logger: log})
		if err != nil {
			return nil, err
		}
		notifiers = append(notifiers, n)
	}
	if cfg.Alertmanager != "" {
		n, err := alert.NewAlertmanager(alert.AlertmanagerConfig{URL: cfg.Alertmanager, Logger: log})
		if err != nil {
			return nil, err
		}
		notifiers = append(notifiers, n)
	}
	stacks := &stackRules{store: st, load: spec.LoadCanonical, log: log, applied: map[string]string{}}
	m, err := alert.NewManager(alert.Config{
		Source: src, Rules: rules, Notifiers: notifiers, Logger: log, Interval: cfg.Interval,
		BeforeEvaluate: stacks.refresh,
		OnEvent: func(e alert.Event) {
			msg := fmt.Sprintf("alert %s is %s", e.Rule, e.State)
			if s := e.Annotations["summary"]; s != "" {
				msg += ": " + s
			}
			st.Append(store.Event{Stack: e.Labels["stack"], Service: e.Labels["service"], Container: e.Labels["container"], Kind: "alert", Message: msg})
		},
	})
	if err != nil {
		return nil, err
	}
	stacks.set = m.SetRules
	return &alerting{m: m, proxy: src.proxy}, nil
}
