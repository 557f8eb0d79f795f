package metrics

import (
	"context"
	"errors"
	"sync"
	"time"
)

// fakeSampler derives samples from the (possibly synctest) clock: every
// container burns cores CPU and holds mem bytes; ids in fail error out.
type fakeSampler struct {
	start time.Time
	cores map[string]float64
	mem   uint64
	fail  map[string]bool

	mu       sync.Mutex
	retained map[string]struct{}
}

func newFakeSampler(cores map[string]float64, fail ...string) *fakeSampler {
	f := &fakeSampler{start: time.Now(), cores: cores, mem: 1 << 20, fail: map[string]bool{}}
	for _, id := range fail {
		f.fail[id] = true
	}
	return f
}

func (f *fakeSampler) Sample(id string, _ int) (Sample, error) {
	if f.fail[id] {
		return Sample{}, errors.New("cgroup not readable")
	}
	return f.at(id), nil
}

func (f *fakeSampler) at(id string) Sample {
	now := time.Now()
	el := now.Sub(f.start).Seconds()
	return Sample{
		Time: now, CPUUsageNanos: uint64(el * f.cores[id] * 1e9),
		MemoryUsage: f.mem, MemoryWorkingSet: f.mem / 2, MemoryLimit: 4 * f.mem,
		NetRxBytes: uint64(el * 1000), Pids: 2,
	}
}

func (f *fakeSampler) Retain(keep map[string]struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.retained = keep
}

// fakeFallback samples through the same clock, for the ids the sampler fails.
type fakeFallback struct{ f *fakeSampler }

func (b fakeFallback) Sample(_ context.Context, id string) (Sample, error) {
	return b.f.at(id), nil
}

func staticTargets(ts ...Target) TargetsFunc {
	return func(context.Context) ([]Target, error) { return ts, nil }
}

var shopTargets = []Target{
	{ID: "c1", PID: 10, Stack: "shop", Service: "web", Name: "shop-web-1"},
	{ID: "c2", PID: 11, Stack: "shop", Service: "web", Name: "shop-web-2"},
	{ID: "c3", PID: 12, Stack: "shop", Service: "db", Name: "shop-db-1"},
}
