package alert

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Evaluate runs every rule once at the clock's current time, reports state
// changes to OnEvent and sends due notifications. The error joins the
// rules whose query failed and the notifiers that failed.
func (m *Manager) Evaluate(ctx context.Context) error {
	now := m.cfg.Now()
	var errs []error
	// Queries run without the lock: SetRules and Alerts need not wait for
	// a slow source.
	for _, rs := range m.live() {
		active, err := m.query(ctx, rs.rule, now)
		if err != nil {
			// Keep the rule's alerts as they are: no data is not "resolved".
			errs = append(errs, fmt.Errorf("evaluating rule %s: %w", rs.rule.Name, err))
			continue
		}
		m.report(m.step(rs, active, now))
	}
	m.report(m.windDown(now))
	if err := m.notify(ctx, m.due(now)); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// report logs state changes and hands them to OnEvent, outside the lock.
func (m *Manager) report(events []Event) {
	for _, ev := range events {
		m.log.Info("alert state changed", "alert", ev.Rule, "from", ev.From, "to", ev.State, "labels", ev.Labels, "value", ev.Value)
		m.cfg.OnEvent(ev)
	}
}

// query fetches the rule's window and returns the label sets whose
// aggregate satisfies the comparison, by fingerprint.
func (m *Manager) query(ctx context.Context, r *compiledRule, now time.Time) (map[string]sample, error) {
	from := now.Add(-r.expr.Window)
	series, err := m.cfg.Source.Series(ctx, r.expr.selector(), from, now)
	if err != nil {
		return nil, fmt.Errorf("querying %s: %w", r.expr.Metric, err)
	}
	active := map[string]sample{}
	for _, s := range series {
		if !r.expr.matches(s.Labels) {
			continue
		}
		v, ok := aggregate(r.expr.Func, inWindow(s.Points, from, now))
		if !ok || !r.expr.compare(v) {
			continue
		}
		labels := alertLabels(r, s.Labels)
		active[fingerprint(labels)] = sample{labels: labels, value: v}
	}
	return active, nil
}

// inWindow keeps the points in [from, to]; a Source may return more.
func inWindow(pts []Point, from, to time.Time) []Point {
	out := pts[:0:0]
	for _, p := range pts {
		if !p.T.Before(from) && !p.T.After(to) {
			out = append(out, p)
		}
	}
	return out
}

// alertLabels is the series' labels, then the rule's, then alertname.
func alertLabels(r *compiledRule, series map[string]string) map[string]string {
	out := make(map[string]string, len(series)+len(r.Labels)+1)
	for k, v := range series {
		if k != "__name__" {
			out[k] = v
		}
	}
	for k, v := range r.Labels {
		out[k] = v
	}
	out["alertname"] = r.Name
	return out
}

// fingerprint identifies a label set.
func fingerprint(labels map[string]string) string {
	var b strings.Builder
	for _, k := range sortedKeys(labels) {
		b.WriteString(k)
		b.WriteByte(0)
		b.WriteString(labels[k])
		b.WriteByte(0)
	}
	return b.String()
}
