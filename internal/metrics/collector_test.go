package metrics

import (
	"context"
	"errors"
	"math"
	"testing"
	"testing/synctest"
	"time"
)

func TestCollectorRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sampler := newFakeSampler(map[string]float64{"c1": 0.5, "c2": 0.25, "c3": 1}, "c3")
		c, err := New(Config{
			Targets:  staticTargets(shopTargets...),
			Sampler:  sampler,
			Fallback: fakeFallback{sampler},
		})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- c.Run(ctx) }()
		time.Sleep(3500 * time.Millisecond) // sweeps at 0, 1, 2, 3 s
		synctest.Wait()

		wantCores := map[string]float64{"c1": 0.5, "c2": 0.25, "c3": 1}
		wantSource := map[string]Source{"c1": SourceCgroup, "c2": SourceCgroup, "c3": SourceStatsAPI}
		for id, want := range wantCores {
			st, ok := c.Latest(id)
			if !ok {
				t.Fatalf("no latest for %s", id)
			}
			if got := st.Values[MetricCPU]; math.Abs(got-want) > 1e-6 {
				t.Errorf("%s cores = %v, want %v", id, got, want)
			}
			if st.Source != wantSource[id] {
				t.Errorf("%s source = %s, want %s", id, st.Source, wantSource[id])
			}
		}
		svcs := c.Services()
		if len(svcs) != 2 || svcs[1].Key != (ServiceKey{"shop", "web"}) || svcs[1].Containers != 2 {
			t.Fatalf("services = %+v", svcs)
		}
		if got := svcs[1].Values[MetricCPU]; math.Abs(got-0.75) > 1e-6 {
			t.Errorf("web cores = %v, want 0.75", got)
		}
		if got := svcs[1].Values[MetricMemoryUsage]; got != 2<<20 {
			t.Errorf("web memory = %v, want %v", got, 2<<20)
		}
		now := time.Now()
		pts, res, err := c.Range(ServiceRef("shop", "web"), MetricCPU, now.Add(-time.Minute), now)
		if err != nil || res != time.Second || len(pts) != 3 {
			t.Fatalf("Range = %d points, %v, %v; want 3 (no rate on the first sweep), 1s", len(pts), res, err)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Run = %v, want context.Canceled", err)
		}
	})
}

func TestCollectorSweepForgetsGoneContainers(t *testing.T) {
	targets := shopTargets
	sampler := newFakeSampler(nil)
	c, err := New(Config{
		Targets: func(context.Context) ([]Target, error) { return targets, nil },
		Sampler: sampler,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	targets = shopTargets[:1]
	res, err := c.Sweep(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if res.Targets != 1 || res.Cgroup != 1 || len(c.Containers()) != 1 || len(sampler.retained) != 1 {
		t.Fatalf("after shrinking: %+v, %d containers, %d retained", res, len(c.Containers()), len(sampler.retained))
	}
}

func TestCollectorSweepErrors(t *testing.T) {
	tests := []struct {
		name     string
		targets  TargetsFunc
		fallback Fallback
		wantErr  string
		want     SweepResult
	}{
		{"targets fail", func(context.Context) ([]Target, error) { return nil, errors.New("engine down") },
			nil, "listing metrics targets: engine down", SweepResult{}},
		{"no fallback", staticTargets(shopTargets...), nil, "", SweepResult{Targets: 3, Cgroup: 2, Failed: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(Config{Targets: tt.targets, Sampler: newFakeSampler(nil, "c3"), Fallback: tt.fallback})
			if err != nil {
				t.Fatal(err)
			}
			res, err := c.Sweep(t.Context())
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			res.Duration = 0
			if err != nil || res != tt.want {
				t.Fatalf("Sweep = %+v, %v; want %+v", res, err, tt.want)
			}
		})
	}
}

func TestNewRejectsIncompleteConfig(t *testing.T) {
	if _, err := New(Config{}); !errors.Is(err, ErrConfig) {
		t.Fatalf("New(Config{}) = %v, want ErrConfig", err)
	}
}
