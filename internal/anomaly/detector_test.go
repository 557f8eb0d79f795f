package anomaly

import (
	"math/rand/v2"
	"testing"
	"time"
)

// score matches detections to injected anomalies. Consecutive flagged
// samples form one alarm; an alarm overlapping a truth window is a true
// positive, any other a false positive. Recall counts truths with at least
// one flagged sample in their window.
type score struct{ tp, fp, found, truths int }

func (s *score) add(flags []bool, truths []truth) {
	in := func(i int) bool {
		for _, tr := range truths {
			if i >= tr.start && i < tr.end {
				return true
			}
		}
		return false
	}
	for i := 0; i < len(flags); i++ {
		if !flags[i] {
			continue
		}
		hit := false
		for ; i < len(flags) && flags[i]; i++ {
			hit = hit || in(i)
		}
		if hit {
			s.tp++
		} else {
			s.fp++
		}
	}
	for _, tr := range truths {
		s.truths++
		for i := tr.start; i < tr.end; i++ {
			if flags[i] {
				s.found++
				break
			}
		}
	}
}

func (s score) precision() float64 {
	if s.tp+s.fp == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fp)
}

func (s score) recall() float64 {
	if s.truths == 0 {
		return 1
	}
	return float64(s.found) / float64(s.truths)
}

func TestDetectorPrecisionRecall(t *testing.T) {
	const days = 14
	n := days * perDay
	warm := 3*perDay + 50 // seasonal series are judged once hour baselines are warm
	rng := rand.New(rand.NewPCG(7, 7))
	tests := []struct {
		name   string
		cfg    func(*Config)
		series series
	}{
		{name: "flat noise with spikes", series: newGenerator(1, n, 1, flat(100)).build(randomSpikes(rng, 20, 100, n)...)},
		{name: "daily cycle with spikes", series: newGenerator(2, n, 1, daily(100, 20)).build(randomSpikes(rng, 20, warm, n)...)},
		{name: "level shifts", series: newGenerator(3, n, 1, flat(50)).
			shift(2*perDay, 10).shift(5*perDay, -15).shift(9*perDay, 8).build()},
		{name: "daily cycle with level shifts and spikes", series: newGenerator(4, n, 2, daily(500, 40)).
			shift(6*perDay+100, 25).shift(10*perDay+200, -30).build(randomSpikes(rng, 10, warm, n)...)},
		{name: "slow ramps are not anomalies", series: newGenerator(5, n, 1, daily(200, 10)).
			ramp(4*perDay, 2*perDay, 30).ramp(8*perDay, 3*perDay, -20).build(randomSpikes(rng, 10, warm, n)...)},
		{name: "pure noise", series: newGenerator(6, n, 3, flat(1000)).build()},
		{name: "low noise floor", cfg: func(c *Config) { c.MinSigmaRatio = 0.01 }, series: newGenerator(7, n, 0.01, flat(10)).
			build(spike{at: 500, size: 1000}, spike{at: 2000, size: -1000}, spike{at: 3000, size: 50})},
	}
	var total score
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			flags := detect(t, cfg, tt.series)
			var s score
			s.add(flags, tt.series.truths)
			t.Logf("alarms %d (true %d, false %d); anomalies %d, found %d: precision %.3f recall %.3f",
				s.tp+s.fp, s.tp, s.fp, s.truths, s.found, s.precision(), s.recall())
			total.tp, total.fp, total.found, total.truths = total.tp+s.tp, total.fp+s.fp, total.found+s.found, total.truths+s.truths
		})
	}
	t.Logf("overall: alarms %d (true %d, false %d); anomalies %d, found %d: precision %.3f recall %.3f",
		total.tp+total.fp, total.tp, total.fp, total.truths, total.found, total.precision(), total.recall())
	if total.precision() < 0.9 || total.recall() < 0.8 {
		t.Fatalf("precision %.3f (want ≥ 0.9), recall %.3f (want ≥ 0.8)", total.precision(), total.recall())
	}
}

func detect(t *testing.T, cfg Config, s series) []bool {
	t.Helper()
	d, err := NewDetector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	flags := make([]bool, len(s.values))
	for i, v := range s.values {
		flags[i] = d.Observe(s.start.Add(time.Duration(i)*step), v).Anomaly
	}
	return flags
}
