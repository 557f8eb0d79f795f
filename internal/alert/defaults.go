package alert

import (
	"fmt"
	"time"
)

// Defaults holds the thresholds of the built-in rules; zero fields take
// the default noted beside them.
type Defaults struct {
	UnhealthyFor  time.Duration // how long unhealthy before alerting, 5m
	MemoryRatio   float64       // working set / limit, 0.9
	Proxy5xxRatio float64       // share of 5xx responses, 0.05
	DiskFreeRatio float64       // free / total disk, 0.1
}

func (d Defaults) withDefaults() Defaults {
	if d.UnhealthyFor <= 0 {
		d.UnhealthyFor = 5 * time.Minute
	}
	if d.MemoryRatio <= 0 {
		d.MemoryRatio = 0.9
	}
	if d.Proxy5xxRatio <= 0 {
		d.Proxy5xxRatio = 0.05
	}
	if d.DiskFreeRatio <= 0 {
		d.DiskFreeRatio = 0.1
	}
	return d
}

// DefaultRules returns berth's built-in rules over the metrics listed in
// the package documentation.
func DefaultRules(d Defaults) []Rule {
	d = d.withDefaults()
	crit := map[string]string{"severity": "critical"}
	warn := map[string]string{"severity": "warning"}
	return []Rule{{
		Name:        "BerthServiceCrashLooping",
		Expr:        "max_over_time(berth_service_crashloop[1m]) > 0",
		For:         time.Minute,
		Labels:      crit,
		Annotations: map[string]string{"summary": "{{ $labels.stack }}/{{ $labels.service }} is crash looping"},
	}, {
		Name:        "BerthContainerUnhealthy",
		Expr:        "min_over_time(berth_container_unhealthy[1m]) > 0",
		For:         d.UnhealthyFor,
		Labels:      warn,
		Annotations: map[string]string{"summary": "{{ $labels.container }} ({{ $labels.stack }}/{{ $labels.service }}) has been unhealthy for " + formatDuration(d.UnhealthyFor)},
	}, {
		Name:        "BerthContainerMemoryHigh",
		Expr:        fmt.Sprintf("avg_over_time(berth_container_memory_usage_ratio[1m]) > %g", d.MemoryRatio),
		For:         2 * time.Minute,
		Labels:      warn,
		Annotations: map[string]string{"summary": "{{ $labels.container }} uses {{ humanizePercentage $value }} of its memory limit"},
	}, {
		Name:        "BerthProxyHigh5xxRatio",
		Expr:        fmt.Sprintf("avg_over_time(berth_proxy_5xx_ratio[5m]) > %g", d.Proxy5xxRatio),
		For:         5 * time.Minute,
		Labels:      crit,
		Annotations: map[string]string{"summary": "{{ humanizePercentage $value }} of {{ $labels.stack }}/{{ $labels.service }} responses are 5xx"},
	}, {
		Name:        "BerthHostDiskLow",
		Expr:        fmt.Sprintf("last_over_time(berth_host_disk_free_ratio[5m]) < %g", d.DiskFreeRatio),
		For:         5 * time.Minute,
		Labels:      crit,
		Annotations: map[string]string{"summary": "only {{ humanizePercentage $value }} of {{ $labels.mountpoint }} is free"},
	}}
}
