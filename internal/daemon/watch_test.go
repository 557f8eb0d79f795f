package daemon

import (
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/metrics"
	"github.com/berth-dev/berth/internal/store"
)

// fakeHistory serves one container whose series are functions of time.
type fakeHistory struct {
	limit uint64
	cpu   func(time.Time) float64
	mem   func(time.Time) float64
}

func (f fakeHistory) Containers() []metrics.ContainerStats {
	return []metrics.ContainerStats{{
		Target: metrics.Target{ID: "c1", Stack: "s", Service: "web", Name: "s-web-1"},
		Sample: metrics.Sample{MemoryLimit: f.limit},
	}}
}

func (f fakeHistory) Range(_ metrics.Ref, m metrics.Metric, from, to time.Time) ([]metrics.Point, time.Duration, error) {
	fn := f.cpu
	if m == metrics.MetricMemoryWorkingSet {
		fn = f.mem
	}
	var out []metrics.Point
	for t := from.Truncate(time.Minute); !t.After(to); t = t.Add(time.Minute) {
		if t.Before(from) {
			continue
		}
		out = append(out, metrics.Point{Time: t, Avg: fn(t), Max: fn(t)})
	}
	return out, time.Minute, nil
}

func TestWatcherRecordsAnomaliesAndForecasts(t *testing.T) {
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	spikeAt := start.Add(90 * time.Minute)
	h := fakeHistory{
		limit: 1 << 30,
		// Steady CPU with a little wobble, then one sharp spike.
		cpu: func(t time.Time) float64 {
			if t.Equal(spikeAt) {
				return 3.5
			}
			return 0.2 + 0.01*float64(t.Minute()%3)
		},
		// Memory grows 4 MiB a minute: it reaches 1 GiB in about 4 hours.
		mem: func(t time.Time) float64 { return float64(100<<20) + float64(4<<20)*t.Sub(start).Minutes() },
	}
	w, err := newWatcher(h, st)
	if err != nil {
		t.Fatal(err)
	}
	for now := start.Add(time.Minute); !now.After(start.Add(2 * time.Hour)); now = now.Add(time.Minute) {
		w.check(now)
	}
	evs, _ := st.Events("s", 0, 0)
	var anomalies, forecasts []string
	for _, e := range evs {
		switch e.Kind {
		case "anomaly":
			anomalies = append(anomalies, e.Message)
		case "forecast":
			forecasts = append(forecasts, e.Message)
		}
	}
	if len(anomalies) == 0 || !strings.Contains(anomalies[0], "cpu") {
		t.Errorf("anomaly events = %q; want the CPU spike", anomalies)
	}
	// Two hours of growth: one warning an hour, each predicting 03:51
	// (100 MiB + 4 MiB/min reaches 1 GiB after 231 minutes).
	if len(forecasts) != 2 || !strings.Contains(forecasts[0], "T03:51") || !strings.Contains(forecasts[1], "T03:51") {
		t.Errorf("forecast events = %q; want two hourly memory forecasts for 03:51", forecasts)
	}
}
