package metrics

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"
)

// BenchmarkSweep compares one sweep over BERTH_BENCH_CONTAINERS real
// containers (it starts and removes them) through the cgroup files and
// through the stats API (parallel one-shot calls, 16 at a time). Without
// the variable it is skipped: it is a measurement, run by
// scripts/bench-metrics.sh, not a test.
func BenchmarkSweep(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("BERTH_BENCH_CONTAINERS"))
	if n <= 0 {
		b.Skip("set BERTH_BENCH_CONTAINERS=N to start N containers and measure")
	}
	cli := engineClient(b)
	start := time.Now()
	targets := startApps(b, cli, n, testMemLimit)
	b.Logf("started %d containers in %v", n, time.Since(start).Round(time.Millisecond))

	reader, err := NewCgroupReader("/sys/fs/cgroup", "/proc")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = reader.Close() })
	cold := timeSweep(b, func() error { return cgroupSweep(reader, targets) })
	var viaCgroup, viaAPI time.Duration
	b.Run("cgroup", func(b *testing.B) {
		for b.Loop() {
			if err := cgroupSweep(reader, targets); err != nil {
				b.Fatal(err)
			}
		}
		viaCgroup = b.Elapsed() / time.Duration(b.N)
	})
	b.Run("collector", func(b *testing.B) { // the cgroup sweep plus rates, aggregates, history
		c, err := New(Config{Targets: staticTargets(targets...), Sampler: reader})
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := c.Sweep(b.Context()); err != nil {
				b.Fatal(err)
			}
		}
	})
	api := NewStatsAPISampler(cli)
	b.Run("stats_api", func(b *testing.B) {
		for b.Loop() {
			if err := apiSweep(b.Context(), api, targets, 16); err != nil {
				b.Fatal(err)
			}
		}
		viaAPI = b.Elapsed() / time.Duration(b.N)
	})
	if viaCgroup > 0 && viaAPI > 0 {
		b.Logf("RESULT containers=%d cgroup_first_sweep=%v cgroup_sweep=%v stats_api_sweep=%v ratio=%.0fx",
			n, cold, viaCgroup, viaAPI, float64(viaAPI)/float64(viaCgroup))
	}
}

func timeSweep(b *testing.B, fn func() error) time.Duration {
	start := time.Now()
	if err := fn(); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// cgroupSweep samples every target sequentially, as Collector.Sweep does.
func cgroupSweep(r *CgroupReader, targets []Target) error {
	for _, t := range targets {
		if _, err := r.Sample(t.ID, t.PID); err != nil {
			return err
		}
	}
	return nil
}

// apiSweep samples every target through the stats API, limit at a time.
func apiSweep(ctx context.Context, api *StatsAPISampler, targets []Target, limit int) error {
	errs := make([]error, len(targets))
	forEachBounded(len(targets), limit, func(i int) {
		_, errs[i] = api.Sample(ctx, targets[i].ID)
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
