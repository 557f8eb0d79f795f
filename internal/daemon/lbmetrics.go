package daemon

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/berth-dev/berth/internal/proxy"
)

// lbMetrics exposes the load balancer's counters at scrape time. The proxy
// is a separate process, so its numbers are read over its control socket
// rather than kept twice; a proxy that is not running exposes nothing.
type lbMetrics struct {
	stats func(ctx context.Context) (proxy.Stats, error)

	requests, errors, active, up, weight, noEndpoint, duration *prometheus.Desc
}

func newLBMetrics(stats func(ctx context.Context) (proxy.Stats, error)) *lbMetrics {
	ep := []string{"stack", "service", "endpoint"}
	return &lbMetrics{
		stats:      stats,
		requests:   prometheus.NewDesc("berth_lb_requests_total", "Requests answered through the load balancer, by endpoint and status class.", append(ep, "code"), nil),
		errors:     prometheus.NewDesc("berth_lb_endpoint_errors_total", "Connection failures and timeouts to an endpoint.", ep, nil),
		active:     prometheus.NewDesc("berth_lb_active_requests", "Requests (or TCP connections) in flight to an endpoint.", ep, nil),
		up:         prometheus.NewDesc("berth_lb_endpoint_up", "1 when the endpoint takes new requests (healthy, not ejected, weight above 0).", ep, nil),
		weight:     prometheus.NewDesc("berth_lb_endpoint_weight", "The endpoint's weight (0 while draining).", ep, nil),
		noEndpoint: prometheus.NewDesc("berth_lb_no_endpoint_total", "Requests refused because no endpoint was available.", []string{"stack", "service"}, nil),
		duration:   prometheus.NewDesc("berth_lb_request_duration_seconds", "Time from request to response head, per service.", []string{"stack", "service"}, nil),
	}
}

func (m *lbMetrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{m.requests, m.errors, m.active, m.up, m.weight, m.noEndpoint, m.duration} {
		ch <- d
	}
}

var codeClasses = [5]string{"1xx", "2xx", "3xx", "4xx", "5xx"}

func (m *lbMetrics) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	stats, err := m.stats(ctx)
	if err != nil {
		return
	}
	type svcKey struct{ stack, service string }
	hist := map[svcKey]*histogram{}
	noEP := map[svcKey]uint64{}
	seen := map[[3]string]bool{} // a service with several routes: one series per endpoint
	for _, rs := range stats.Routes {
		k := svcKey{rs.Stack, rs.Service}
		noEP[k] += rs.NoEndpoint
		h := hist[k]
		if h == nil {
			h = &histogram{buckets: map[float64]uint64{}}
			hist[k] = h
		}
		for _, ep := range rs.Endpoints {
			h.add(ep)
			id := [3]string{rs.Stack, rs.Service, ep.ID}
			if seen[id] {
				continue
			}
			seen[id] = true
			for i, n := range ep.Requests {
				ch <- prometheus.MustNewConstMetric(m.requests, prometheus.CounterValue, float64(n), rs.Stack, rs.Service, ep.ID, codeClasses[i])
			}
			ch <- prometheus.MustNewConstMetric(m.errors, prometheus.CounterValue, float64(ep.Errors), rs.Stack, rs.Service, ep.ID)
			ch <- prometheus.MustNewConstMetric(m.active, prometheus.GaugeValue, float64(ep.Active), rs.Stack, rs.Service, ep.ID)
			up := 0.0
			if ep.Healthy && !ep.Ejected && ep.Weight > 0 {
				up = 1
			}
			ch <- prometheus.MustNewConstMetric(m.up, prometheus.GaugeValue, up, rs.Stack, rs.Service, ep.ID)
			ch <- prometheus.MustNewConstMetric(m.weight, prometheus.GaugeValue, float64(ep.Weight), rs.Stack, rs.Service, ep.ID)
		}
	}
	for k, n := range noEP {
		ch <- prometheus.MustNewConstMetric(m.noEndpoint, prometheus.CounterValue, float64(n), k.stack, k.service)
	}
	for k, h := range hist {
		for _, n := range h.buckets {
			h.count = max(h.count, n) // a bucket never exceeds the count
		}
		ch <- prometheus.MustNewConstHistogram(m.duration, h.count, h.sum, h.buckets, k.stack, k.service)
	}
}

// histogram sums endpoints' cumulative latency histograms.
type histogram struct {
	count   uint64
	sum     float64
	buckets map[float64]uint64
}

func (h *histogram) add(ep proxy.EndpointStats) {
	for _, n := range ep.Requests {
		h.count += n
	}
	h.sum += ep.LatencySum
	for i, ub := range proxy.LatencyBuckets {
		if i < len(ep.Latency) {
			h.buckets[ub] += ep.Latency[i]
		}
	}
}
