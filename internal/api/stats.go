package api

import (
	"math"
	"net/http"
	"slices"
	"strings"

	"github.com/berth-dev/berth/internal/metrics"
)

// StatsSource is what the API reads from the metrics collector.
type StatsSource interface {
	Containers() []metrics.ContainerStats
}

// StatsRow is one container's latest resource usage.
type StatsRow struct {
	Container string `json:"container"`
	Stack     string `json:"stack"`
	Service   string `json:"service"`
	Source    string `json:"source"`
	// CPU is in cores (1.0 = one full core); nil until two samples exist.
	CPU        *float64 `json:"cpu_cores,omitempty"`
	Memory     uint64   `json:"memory_bytes"`
	WorkingSet uint64   `json:"memory_working_set_bytes"`
	Limit      uint64   `json:"memory_limit_bytes,omitempty"`
	NetRx      *float64 `json:"net_rx_bytes_per_second,omitempty"`
	NetTx      *float64 `json:"net_tx_bytes_per_second,omitempty"`
	Pids       uint64   `json:"pids"`
}

func (s *Server) stats(w http.ResponseWriter, r *http.Request) {
	if s.Stats == nil {
		writeJSON(w, http.StatusOK, []StatsRow{})
		return
	}
	stack := r.URL.Query().Get("stack")
	rows := []StatsRow{}
	for _, c := range s.Stats.Containers() {
		if stack != "" && c.Target.Stack != stack {
			continue
		}
		rows = append(rows, StatsRow{
			Container: c.Target.Name, Stack: c.Target.Stack, Service: c.Target.Service, Source: string(c.Source),
			CPU:    finite(c.Values[metrics.MetricCPU]),
			Memory: c.Sample.MemoryUsage, WorkingSet: c.Sample.MemoryWorkingSet, Limit: c.Sample.MemoryLimit,
			NetRx: finite(c.Values[metrics.MetricNetRx]), NetTx: finite(c.Values[metrics.MetricNetTx]),
			Pids: c.Sample.Pids,
		})
	}
	slices.SortFunc(rows, func(a, b StatsRow) int { return strings.Compare(a.Container, b.Container) })
	writeJSON(w, http.StatusOK, rows)
}

// finite drops NaN (no value yet) so the JSON stays valid.
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}
