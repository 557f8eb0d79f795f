package daemon

import (
	"context"
	"log/slog"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/berth-dev/berth/internal/engine/docker"
	"github.com/berth-dev/berth/internal/logstore"
)

// openLogs opens the log store under the data directory and a collector
// that follows every managed container into it.
func openLogs(dataDir string, eng *docker.Driver, reg *prometheus.Registry, log *slog.Logger) (*logstore.Store, *logstore.Collector, error) {
	st, err := logstore.Open(filepath.Join(dataDir, "logs"), logstore.Options{}, log)
	if err != nil {
		return nil, nil, err
	}
	targets := func(ctx context.Context) ([]logstore.Target, error) {
		cs, err := eng.List(ctx, "")
		if err != nil {
			return nil, err
		}
		out := make([]logstore.Target, 0, len(cs))
		for _, c := range cs {
			out = append(out, logstore.Target{ID: c.ID, Stack: c.Stack, Service: c.Service, Name: c.Name})
		}
		return out, nil
	}
	coll, err := logstore.NewCollector(eng, st, logstore.CollectorOptions{Targets: targets}, log)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	reg.MustRegister(droppedLines{coll})
	return st, coll, nil
}

// droppedLines exports the collector's per-container drop counters.
type droppedLines struct{ c *logstore.Collector }

var droppedDesc = prometheus.NewDesc("berth_log_lines_dropped_total",
	"Log lines dropped by the per-container rate limit.", []string{"container_id"}, nil)

func (d droppedLines) Describe(ch chan<- *prometheus.Desc) { ch <- droppedDesc }

func (d droppedLines) Collect(ch chan<- prometheus.Metric) {
	for id, n := range d.c.Dropped() {
		if len(id) > 12 {
			id = id[:12]
		}
		ch <- prometheus.MustNewConstMetric(droppedDesc, prometheus.CounterValue, float64(n), id)
	}
}
