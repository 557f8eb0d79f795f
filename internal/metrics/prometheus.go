package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// containerLabels are the labels of every per-container series.
var containerLabels = []string{"stack", "service", "container"}

// containerMetric is one per-container series: its description, type and
// value taken from a reading. ok false leaves the series out (an unlimited
// memory limit).
type containerMetric struct {
	desc  *prometheus.Desc
	typ   prometheus.ValueType
	value func(s *Sample) (v float64, ok bool)
}

func newDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, containerLabels, nil)
}

func always(f func(s *Sample) float64) func(s *Sample) (float64, bool) {
	return func(s *Sample) (float64, bool) { return f(s), true }
}

// containerMetrics follow cAdvisor's names, prefixed berth_ and in base units.
var containerMetrics = []containerMetric{
	{newDesc("berth_container_cpu_usage_seconds_total", "CPU time consumed by the container."),
		prometheus.CounterValue, always(func(s *Sample) float64 { return float64(s.CPUUsageNanos) / 1e9 })},
	{newDesc("berth_container_cpu_cfs_throttled_periods_total", "CFS periods in which the container was throttled."),
		prometheus.CounterValue, always(func(s *Sample) float64 { return float64(s.CPUThrottledPeriods) })},
	{newDesc("berth_container_cpu_cfs_throttled_seconds_total", "Time the container was throttled."),
		prometheus.CounterValue, always(func(s *Sample) float64 { return float64(s.CPUThrottledNanos) / 1e9 })},
	{newDesc("berth_container_memory_usage_bytes", "Memory charged to the container, page cache included."),
		prometheus.GaugeValue, always(func(s *Sample) float64 { return float64(s.MemoryUsage) })},
	{newDesc("berth_container_memory_working_set_bytes", "Memory usage minus inactive file pages."),
		prometheus.GaugeValue, always(func(s *Sample) float64 { return float64(s.MemoryWorkingSet) })},
	{newDesc("berth_container_memory_limit_bytes", "Memory limit of the container; absent when unlimited."),
		prometheus.GaugeValue, func(s *Sample) (float64, bool) { return float64(s.MemoryLimit), s.MemoryLimit > 0 }},
	{newDesc("berth_container_oom_kills_total", "Processes of the container killed by the OOM killer."),
		prometheus.CounterValue, always(func(s *Sample) float64 { return float64(s.OOMKills) })},
	{newDesc("berth_container_network_receive_bytes_total", "Bytes received on all interfaces but lo."),
		prometheus.CounterValue, always(func(s *Sample) float64 { return float64(s.NetRxBytes) })},
	{newDesc("berth_container_network_transmit_bytes_total", "Bytes transmitted on all interfaces but lo."),
		prometheus.CounterValue, always(func(s *Sample) float64 { return float64(s.NetTxBytes) })},
	{newDesc("berth_container_fs_reads_bytes_total", "Bytes read from block devices."),
		prometheus.CounterValue, always(func(s *Sample) float64 { return float64(s.BlkReadBytes) })},
	{newDesc("berth_container_fs_writes_bytes_total", "Bytes written to block devices."),
		prometheus.CounterValue, always(func(s *Sample) float64 { return float64(s.BlkWriteBytes) })},
	{newDesc("berth_container_pids", "Tasks in the container."),
		prometheus.GaugeValue, always(func(s *Sample) float64 { return float64(s.Pids) })},
}

// exporter is the prometheus.Collector over the latest readings.
type exporter struct{ c *Collector }

var _ prometheus.Collector = (*exporter)(nil)

// Describe sends the descriptions of every per-container series.
func (e *exporter) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range containerMetrics {
		ch <- m.desc
	}
}

// Collect sends the latest reading of every container.
func (e *exporter) Collect(ch chan<- prometheus.Metric) {
	for _, st := range e.c.Containers() {
		name := st.Target.Name
		if name == "" {
			name = shortID(st.Target.ID)
		}
		for _, m := range containerMetrics {
			if v, ok := m.value(&st.Sample); ok {
				ch <- prometheus.MustNewConstMetric(m.desc, m.typ, v, st.Target.Stack, st.Target.Service, name)
			}
		}
	}
}

func newSweepHistogram() prometheus.Histogram {
	return prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "berth_collector_sweep_duration_seconds",
		Help:    "Time one sweep over all containers took, fallbacks included.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	})
}

// Handler serves the collector's registry in the Prometheus exposition
// formats.
func (c *Collector) Handler() http.Handler {
	return promhttp.HandlerFor(c.registry, promhttp.HandlerOpts{Registry: c.registry})
}

// shortID is the 12-digit form docker ps shows.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
