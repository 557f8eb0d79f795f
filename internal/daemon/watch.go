package daemon

import (
	"context"
	"fmt"
	"time"

	"github.com/berth-dev/berth/internal/anomaly"
	"github.com/berth-dev/berth/internal/metrics"
	"github.com/berth-dev/berth/internal/store"
)

// watcher feeds each container's per-minute CPU and memory into anomaly
// baselines, and fits memory trends, recording sudden departures and
// predicted exhaustion in the event journal.
type watcher struct {
	coll     history
	store    *store.Store
	tracker  *anomaly.Tracker
	every    time.Duration
	warned   map[string]time.Time // container → last forecast event
	forecast anomaly.ForecastConfig
}

// history is what the watcher reads from the metrics collector.
type history interface {
	Containers() []metrics.ContainerStats
	Range(ref metrics.Ref, m metrics.Metric, from, to time.Time) ([]metrics.Point, time.Duration, error)
}

func newWatcher(coll history, st *store.Store) (*watcher, error) {
	tr, err := anomaly.NewTracker(anomaly.DefaultConfig())
	if err != nil {
		return nil, err
	}
	return &watcher{coll: coll, store: st, tracker: tr, every: time.Minute, warned: map[string]time.Time{}}, nil
}

// Run checks every minute until ctx ends.
func (w *watcher) Run(ctx context.Context) error {
	tick := time.NewTicker(w.every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-tick.C:
			w.check(now)
		}
	}
}

func (w *watcher) check(now time.Time) {
	for _, c := range w.coll.Containers() {
		for _, m := range []metrics.Metric{metrics.MetricCPU, metrics.MetricMemoryWorkingSet} {
			pts, _, err := w.coll.Range(metrics.ContainerRef(c.Target.ID), m, now.Add(-w.every), now)
			if err != nil || len(pts) == 0 {
				continue
			}
			v := pts[len(pts)-1].Avg
			r := w.tracker.Observe(c.Target.ID+"/"+m.String(), now, v)
			if r.Anomaly {
				w.record(c.Target, "anomaly", fmt.Sprintf("%s %.3g departs from its baseline %.3g (%.1f sigma)", m, v, r.Expected, r.Score))
			}
		}
		w.forecastMemory(c, now)
	}
}

// forecastMemory warns, at most hourly, when the working set's trend
// reaches the container's memory limit within the forecast horizon.
func (w *watcher) forecastMemory(c metrics.ContainerStats, now time.Time) {
	if c.Sample.MemoryLimit == 0 || now.Sub(w.warned[c.Target.ID]) < time.Hour {
		return
	}
	pts, _, err := w.coll.Range(metrics.ContainerRef(c.Target.ID), metrics.MetricMemoryWorkingSet, now.Add(-6*time.Hour), now)
	if err != nil {
		return
	}
	series := make([]anomaly.Point, 0, len(pts))
	for _, p := range pts {
		series = append(series, anomaly.Point{T: p.Time, V: p.Avg})
	}
	if pred, ok := anomaly.Forecast(series, float64(c.Sample.MemoryLimit), now, w.forecast); ok {
		w.warned[c.Target.ID] = now
		w.record(c.Target, "forecast", fmt.Sprintf("memory working set (%.0f MiB, growing) reaches its %.0f MiB limit at %s, in %s",
			pred.Current/(1<<20), pred.Limit/(1<<20), pred.At.UTC().Format(time.RFC3339), pred.In.Round(time.Minute)))
	}
}

func (w *watcher) record(t metrics.Target, kind, msg string) {
	w.store.Append(store.Event{Stack: t.Stack, Service: t.Service, Container: t.Name, Kind: kind, Message: msg})
}
