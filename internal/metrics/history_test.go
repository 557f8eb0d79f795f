package metrics

import (
	"errors"
	"math"
	"testing"
	"time"
)

// t0 is minute-aligned so that coarse steps start at t0 + k min.
var t0 = time.Unix(1_800_000_000-1_800_000_000%60, 0)

// filledHistory holds 5 minutes of ref "c" at 1 s: cpu = second % 60, so
// every minute averages 29.5 with a max of 59.
func filledHistory() *History {
	h := NewHistory(HistoryConfig{Retention: time.Minute, CoarseRetention: 10 * time.Minute})
	nan := math.NaN()
	for s := range 300 {
		h.Add(ContainerRef("c"), t0.Add(time.Duration(s)*time.Second),
			Values{float64(s % 60), nan, nan, nan, nan, nan, nan, nan})
	}
	return h
}

func TestHistoryRange(t *testing.T) {
	last := t0.Add(299 * time.Second)
	tests := []struct {
		name      string
		ref       Ref
		metric    Metric
		from, to  time.Time
		wantN     int
		wantRes   time.Duration
		wantFirst Point
		wantErr   error
	}{
		{"fine, last 30 s", ContainerRef("c"), MetricCPU, last.Add(-29 * time.Second), last,
			30, time.Second, Point{last.Add(-29 * time.Second), 30, 30}, nil},
		{"fine ring keeps one minute", ContainerRef("c"), MetricCPU, last.Add(-time.Minute), last,
			60, time.Second, Point{t0.Add(240 * time.Second), 0, 0}, nil},
		{"coarse, whole range, last minute in progress", ContainerRef("c"), MetricCPU, t0, last,
			5, time.Minute, Point{t0, 29.5, 59}, nil},
		{"coarse, from mid-minute includes that minute", ContainerRef("c"), MetricCPU, t0.Add(90 * time.Second), t0.Add(150 * time.Second),
			2, time.Minute, Point{t0.Add(time.Minute), 29.5, 59}, nil},
		{"metric never added", ContainerRef("c"), MetricPids, last.Add(-time.Second), last,
			0, time.Second, Point{}, nil},
		{"unknown subject", ServiceRef("s", "web"), MetricCPU, t0, last, 0, 0, Point{}, ErrUnknownSeries},
		{"unknown metric", ContainerRef("c"), Metric(99), t0, last, 0, 0, Point{}, ErrUnknownMetric},
	}
	h := filledHistory()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pts, res, err := h.Range(tt.ref, tt.metric, tt.from, tt.to)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if len(pts) != tt.wantN || res != tt.wantRes {
				t.Fatalf("got %d points at %v, want %d at %v", len(pts), res, tt.wantN, tt.wantRes)
			}
			if len(pts) > 0 && (!pts[0].Time.Equal(tt.wantFirst.Time) || pts[0].Avg != tt.wantFirst.Avg || pts[0].Max != tt.wantFirst.Max) {
				t.Errorf("first = %+v, want %+v", pts[0], tt.wantFirst)
			}
		})
	}
}

func TestHistoryCoarseRingIsBounded(t *testing.T) {
	h := NewHistory(HistoryConfig{Retention: time.Minute, CoarseRetention: 3 * time.Minute})
	for s := range 600 {
		h.Add(ContainerRef("c"), t0.Add(time.Duration(s)*time.Second), Values{1})
	}
	pts, _, err := h.Range(ContainerRef("c"), MetricCPU, t0, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// Minutes 0-8 are flushed, the ring keeps 6-8; minute 9 is in progress.
	if len(pts) != 4 || !pts[0].Time.Equal(t0.Add(6*time.Minute)) {
		t.Fatalf("got %d points from %v, want 4 from %v", len(pts), pts[0].Time, t0.Add(6*time.Minute))
	}
}

func TestHistoryPrune(t *testing.T) {
	h := filledHistory()
	h.Prune(t0.Add(10 * time.Minute))
	if _, _, err := h.Range(ContainerRef("c"), MetricCPU, t0, t0.Add(time.Hour)); err != nil {
		t.Fatalf("pruned too early: %v", err)
	}
	h.Prune(t0.Add(time.Hour))
	if _, _, err := h.Range(ContainerRef("c"), MetricCPU, t0, t0.Add(time.Hour)); !errors.Is(err, ErrUnknownSeries) {
		t.Fatalf("after Prune: %v, want ErrUnknownSeries", err)
	}
}

func TestParseMetric(t *testing.T) {
	for m := range numMetrics {
		got, err := ParseMetric(m.String())
		if err != nil || got != m {
			t.Errorf("ParseMetric(%q) = %v, %v", m, got, err)
		}
	}
	if _, err := ParseMetric("nope"); !errors.Is(err, ErrUnknownMetric) {
		t.Errorf("ParseMetric(nope) = %v", err)
	}
}
