package anomaly

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestForecast(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	// ramp returns 6h of 1-minute points of v(t) = at + perHour·hours(t-now) + noise.
	ramp := func(at, perHour, noise float64) []Point {
		rng := rand.New(rand.NewPCG(42, 42))
		var pts []Point
		for m := -360; m <= 0; m++ {
			pts = append(pts, Point{T: now.Add(time.Duration(m) * time.Minute), V: at + perHour*float64(m)/60 + noise*rng.NormFloat64()})
		}
		return pts
	}
	tests := []struct {
		name  string
		pts   []Point
		limit float64
		want  time.Duration // crossing after now; 0 for no warning
	}{
		{name: "disk filling to capacity", pts: ramp(400e9, 5e9, 1e9), limit: 500e9, want: 20 * time.Hour},
		{name: "free ratio falling to zero", pts: ramp(0.30, -0.01, 0.002), limit: 0, want: 30 * time.Hour},
		{name: "memory reaching its limit", pts: ramp(900e6, 20e6, 5e6), limit: 1024e6, want: time.Duration(124.0 / 20 * float64(time.Hour))},
		{name: "beyond the horizon", pts: ramp(100, 0.01, 0.1), limit: 200, want: 0},
		{name: "moving away", pts: ramp(0.5, 0.01, 0.002), limit: 0, want: 0},
		{name: "flat noise is not a trend", pts: ramp(100, 0, 1), limit: 101, want: 0},
		{name: "too few points", pts: ramp(1, 1, 0)[355:], limit: 2, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := Forecast(tt.pts, tt.limit, now, ForecastConfig{})
			if tt.want == 0 {
				if ok {
					t.Fatalf("warned: %s", p)
				}
				return
			}
			if !ok {
				t.Fatalf("no warning, want one %s ahead", tt.want)
			}
			errRatio := math.Abs(p.In.Seconds()-tt.want.Seconds()) / tt.want.Seconds()
			t.Logf("%s (true crossing in %s, error %.2f%%, R² %.3f)", p, tt.want, 100*errRatio, p.Fit.R2)
			if errRatio > 0.05 {
				t.Fatalf("predicted crossing in %s, want %s ± 5%%", p.In, tt.want)
			}
		})
	}
}

func TestLinearFitExact(t *testing.T) {
	t0 := time.Unix(0, 0)
	pts := []Point{{t0, 1}, {t0.Add(time.Second), 3}, {t0.Add(2 * time.Second), 5}}
	f, err := LinearFit(pts)
	if err != nil || f.Slope != 2 || f.R2 != 1 || f.At(t0) != 1 {
		t.Fatalf("fit = %+v, %v", f, err)
	}
	at, ok := f.Crossing(11)
	if !ok || !at.Equal(t0.Add(5*time.Second)) {
		t.Fatalf("crossing 11 at %v, want 5s", at)
	}
	if _, err := LinearFit(pts[:1]); err == nil {
		t.Fatal("fit of one point accepted")
	}
}

func TestNewDetectorRejectsBadConfig(t *testing.T) {
	for _, mut := range []func(*Config){
		func(c *Config) { c.Alpha = 0 }, func(c *Config) { c.Alpha = 1 }, func(c *Config) { c.K = 0 },
		func(c *Config) { c.WarmUp = 1 }, func(c *Config) { c.ShiftAfter = 0 }, func(c *Config) { c.MinSigma = -1 },
	} {
		cfg := DefaultConfig()
		mut(&cfg)
		if _, err := NewDetector(cfg); err == nil {
			t.Errorf("accepted %+v", cfg)
		}
	}
}
