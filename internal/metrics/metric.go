package metrics

import (
	"errors"
	"fmt"
)

// Metric names a series kept in the History.
type Metric int

// The metrics kept in history: gauges as sampled, counters as per-second
// rates between consecutive samples.
const (
	MetricCPU              Metric = iota // CPU cores used
	MetricMemoryUsage                    // bytes
	MetricMemoryWorkingSet               // bytes
	MetricNetRx                          // bytes per second
	MetricNetTx                          // bytes per second
	MetricBlkRead                        // bytes per second
	MetricBlkWrite                       // bytes per second
	MetricPids                           // tasks
	numMetrics
)

var metricNames = [numMetrics]string{
	"cpu", "memory_usage", "memory_working_set",
	"net_rx", "net_tx", "blk_read", "blk_write", "pids",
}

// ErrUnknownMetric is returned by ParseMetric for a name it does not know.
var ErrUnknownMetric = errors.New("unknown metric")

// String returns the metric's name, as ParseMetric accepts it.
func (m Metric) String() string {
	if m >= 0 && m < numMetrics {
		return metricNames[m]
	}
	return fmt.Sprintf("Metric(%d)", int(m))
}

// ParseMetric returns the Metric named s ("cpu", "memory_working_set", ...).
func ParseMetric(s string) (Metric, error) {
	for i, n := range metricNames {
		if n == s {
			return Metric(i), nil
		}
	}
	return 0, fmt.Errorf("parsing metric %q: %w", s, ErrUnknownMetric)
}

// Values holds one value per Metric.
type Values [numMetrics]float64
