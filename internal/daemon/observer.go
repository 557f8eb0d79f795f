package daemon

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// reconcileMetrics exports the reconciler's activity.
type reconcileMetrics struct {
	events    *prometheus.CounterVec
	passes    *prometheus.HistogramVec
	converged *prometheus.GaugeVec
}

func newReconcileMetrics(reg *prometheus.Registry) *reconcileMetrics {
	m := &reconcileMetrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "berth_reconcile_events_total",
			Help: "Journal events recorded by the reconciler, by kind (create, restart, drift, replace, unhealthy, crashloop, remove...).",
		}, []string{"stack", "kind"}),
		passes: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "berth_reconcile_pass_duration_seconds",
			Help:    "Duration of one observe-plan-apply pass.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 9),
		}, []string{"stack"}),
		converged: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "berth_stack_converged",
			Help: "1 when the stack's last pass found it converged, else 0.",
		}, []string{"stack"}),
	}
	reg.MustRegister(m.events, m.passes, m.converged)
	return m
}

func (m *reconcileMetrics) Recorded(stack, kind string) { m.events.WithLabelValues(stack, kind).Inc() }

func (m *reconcileMetrics) Passed(stack string, d time.Duration, converged bool) {
	m.passes.WithLabelValues(stack).Observe(d.Seconds())
	v := 0.0
	if converged {
		v = 1
	}
	m.converged.WithLabelValues(stack).Set(v)
}
