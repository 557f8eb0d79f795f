package anomaly

import (
	"math"
	"math/rand/v2"
	"time"
)

// step is the sampling interval of generated series.
const step = 5 * time.Minute

// perDay is the number of samples in a day.
const perDay = int(24 * time.Hour / step)

// truth is an injected anomaly: samples [start, end) count as detecting it.
type truth struct {
	kind       string
	start, end int
}

// series is a generated series with its injected anomalies.
type series struct {
	start  time.Time
	values []float64
	truths []truth
}

// generator builds a series: a base shape plus injections, with noise
// from a fixed seed.
type generator struct {
	rng    *rand.Rand
	s      series
	base   func(i int) float64
	offset []float64 // level shifts and ramps, added to base
	noise  float64
}

func newGenerator(seed uint64, n int, noise float64, base func(i int) float64) *generator {
	return &generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		s:    series{start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), values: make([]float64, n)},
		base: base, offset: make([]float64, n), noise: noise}
}

// flat and daily are base shapes: a constant, and a constant plus a daily
// sine wave of amplitude amp.
func flat(level float64) func(int) float64 { return func(int) float64 { return level } }

func daily(level, amp float64) func(int) float64 {
	return func(i int) float64 { return level + amp*math.Sin(2*math.Pi*float64(i)/float64(perDay)) }
}

// shift adds delta from sample at on; the first ShiftAfter+2 samples count.
func (g *generator) shift(at int, delta float64) *generator {
	for i := at; i < len(g.offset); i++ {
		g.offset[i] += delta
	}
	g.s.truths = append(g.s.truths, truth{"level shift", at, at + DefaultConfig().ShiftAfter + 2})
	return g
}

// ramp adds a slow linear rise over n samples that then stays: not an
// anomaly for the detector (no truth recorded).
func (g *generator) ramp(at, n int, total float64) *generator {
	for i := at; i < len(g.offset); i++ {
		g.offset[i] += total * math.Min(float64(i-at)/float64(n), 1)
	}
	return g
}

// spikes records single-sample departures of size·noise at each index.
type spike struct {
	at   int
	size float64 // in noise sigmas; negative for a dip
}

func (g *generator) build(spikes ...spike) series {
	for i := range g.s.values {
		g.s.values[i] = g.base(i) + g.offset[i] + g.noise*g.rng.NormFloat64()
	}
	for _, sp := range spikes {
		g.s.values[sp.at] += sp.size * g.noise
		g.s.truths = append(g.s.truths, truth{"spike", sp.at, sp.at + 1})
	}
	return g.s
}

// randomSpikes returns n spikes of 6 to 12 sigmas, either sign, placed
// after from and at least 50 samples apart.
func randomSpikes(rng *rand.Rand, n, from, to int) []spike {
	out := make([]spike, 0, n)
	gap := (to - from) / n
	for k := range n {
		size := 6 + 6*rng.Float64()
		if rng.IntN(2) == 0 {
			size = -size
		}
		out = append(out, spike{at: from + k*gap + rng.IntN(gap-50), size: size})
	}
	return out
}
