package alert

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"
)

// Notifier delivers alerts somewhere. Notify gets firing and resolved
// alerts, repeated every resend interval while they last.
type Notifier interface {
	// Name identifies the notifier in logs and errors.
	Name() string
	Notify(ctx context.Context, alerts []Notification) error
}

// Notification is an alert as notifiers see it, in Alertmanager's terms.
type Notification struct {
	Status       State // StateFiring or StateResolved
	Labels       map[string]string
	Annotations  map[string]string
	StartsAt     time.Time
	EndsAt       time.Time // the resolution time, or a time ahead for firing alerts
	GeneratorURL string
	Value        float64
}

// due picks the alerts to send at now and marks them sent: state changes
// at once, the rest of the firing and resolved alerts every resend
// interval. Firing alerts carry an endsAt four evaluation (or resend)
// intervals ahead, as Prometheus does, so Alertmanager resolves them by
// itself if berth stops sending.
func (m *Manager) due(now time.Time) []Notification {
	validFor := 4 * max(m.cfg.Interval, m.cfg.ResendInterval)
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Notification
	for _, rs := range m.allLocked() {
		for _, a := range rs.alerts {
			if a.State != StateFiring && a.State != StateResolved {
				continue
			}
			if !a.changed && now.Sub(a.lastSent) < m.cfg.ResendInterval {
				continue
			}
			a.changed, a.lastSent = false, now
			n := Notification{Status: a.State, Labels: a.Labels, Annotations: a.Annotations,
				StartsAt: a.ActiveAt, EndsAt: now.Add(validFor), Value: a.Value,
				GeneratorURL: m.generatorURL(a.Rule)}
			if a.State == StateResolved {
				n.EndsAt = a.ResolvedAt
			}
			out = append(out, n)
		}
	}
	return out
}

func (m *Manager) generatorURL(rule string) string {
	if m.cfg.GeneratorURL == "" {
		return ""
	}
	return m.cfg.GeneratorURL + "?alert=" + url.QueryEscape(rule)
}

// notify sends to every notifier concurrently. A failed send is not
// retried here (each notifier retries on its own); the alert goes out
// again at its next resend.
func (m *Manager) notify(ctx context.Context, batch []Notification) error {
	if len(batch) == 0 {
		return nil
	}
	errs := make([]error, len(m.cfg.Notifiers))
	var wg sync.WaitGroup
	for i, n := range m.cfg.Notifiers {
		wg.Go(func() {
			if err := n.Notify(ctx, batch); err != nil {
				errs[i] = fmt.Errorf("notifying %s: %w", n.Name(), err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
