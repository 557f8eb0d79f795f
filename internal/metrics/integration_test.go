package metrics

import (
	"context"
	"testing"
	"time"
)

const testMemLimit = 64 << 20

// TestEngineCgroupMatchesStatsAPI samples two real containers through the
// cgroup files and through the stats API and checks that they agree.
func TestEngineCgroupMatchesStatsAPI(t *testing.T) {
	cli := engineClient(t)
	targets := startApps(t, cli, 2, testMemLimit)
	reader, err := NewCgroupReader("/sys/fs/cgroup", "/proc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = reader.Close() })
	api := NewStatsAPISampler(cli)
	for _, tg := range targets {
		settle(t, reader, tg)
		before, err := reader.Sample(tg.ID, tg.PID)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		viaAPI, err := api.Sample(ctx, tg.ID)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		after, err := reader.Sample(tg.ID, tg.PID)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s cgroup %+v\nstats API %+v", tg.Name, after, viaAPI)
		checkAgree(t, tg.Name, before, viaAPI, after)
	}
}

// settle waits (up to 10 s) until the container's memory stops moving, so
// that readings taken a second apart can be compared: a Go program's
// memory churns right after it starts.
func settle(t *testing.T, r *CgroupReader, tg Target) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	prev, err := r.Sample(tg.ID, tg.PID)
	for err == nil && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond) // sampling interval, not synchronisation
		var cur Sample
		if cur, err = r.Sample(tg.ID, tg.PID); err != nil {
			break
		}
		if d := float64(cur.MemoryUsage) - float64(prev.MemoryUsage); d < 0.02*float64(prev.MemoryUsage) && -d < 0.02*float64(prev.MemoryUsage) {
			return
		}
		prev = cur
	}
	if err != nil {
		t.Fatal(err)
	}
}

// checkAgree: the API's reading was taken between before and after, so
// gauges must lie within their range (10% slack) and counters between them.
func checkAgree(t *testing.T, name string, before, viaAPI, after Sample) {
	t.Helper()
	lo := float64(min(before.MemoryUsage, after.MemoryUsage)) * 0.9
	hi := float64(max(before.MemoryUsage, after.MemoryUsage)) * 1.1
	if m := float64(viaAPI.MemoryUsage); m < lo || m > hi {
		t.Errorf("%s: memory usage via the stats API %d outside the cgroup readings %d..%d (10%% slack)", name, viaAPI.MemoryUsage, before.MemoryUsage, after.MemoryUsage)
	}
	if after.MemoryLimit != testMemLimit || viaAPI.MemoryLimit != testMemLimit {
		t.Errorf("%s: memory limit cgroup %d, stats API %d, want %d", name, after.MemoryLimit, viaAPI.MemoryLimit, testMemLimit)
	}
	counters := []struct {
		what      string
		b, api, a uint64
	}{
		{"cpu usage", before.CPUUsageNanos, viaAPI.CPUUsageNanos, after.CPUUsageNanos},
		{"net rx", before.NetRxBytes, viaAPI.NetRxBytes, after.NetRxBytes},
		{"net tx", before.NetTxBytes, viaAPI.NetTxBytes, after.NetTxBytes},
	}
	for _, c := range counters {
		if !(c.b <= c.api && c.api <= c.a) {
			t.Errorf("%s: %s not monotonic: cgroup %d, stats API %d, cgroup %d", name, c.what, c.b, c.api, c.a)
		}
	}
	if after.CPUUsageNanos == 0 {
		t.Errorf("%s: no CPU time used", name)
	}
	if after.Pids == 0 || viaAPI.Pids == 0 {
		t.Errorf("%s: pids cgroup %d, stats API %d, want > 0", name, after.Pids, viaAPI.Pids)
	}
}

// TestEngineCollectorFallsBack sweeps real containers once through the
// cgroup files, then through a reader that cannot find them, so that the
// stats API fallback answers.
func TestEngineCollectorFallsBack(t *testing.T) {
	cli := engineClient(t)
	targets := startApps(t, cli, 2, testMemLimit)
	real, err := NewCgroupReader("/sys/fs/cgroup", "/proc")
	if err != nil {
		t.Fatal(err)
	}
	blind, err := NewCgroupReader("testdata/cgroupv1", "testdata/proc")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		sampler Sampler
		want    Source
	}{
		{"cgroup", real, SourceCgroup},
		{"stats API", blind, SourceStatsAPI},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(Config{Targets: staticTargets(targets...), Sampler: tt.sampler, Fallback: NewStatsAPISampler(cli)})
			if err != nil {
				t.Fatal(err)
			}
			res, err := c.Sweep(t.Context())
			if err != nil || res.Failed != 0 || res.Targets != 2 {
				t.Fatalf("Sweep = %+v, %v", res, err)
			}
			for _, tg := range targets {
				st, ok := c.Latest(tg.ID)
				if !ok || st.Source != tt.want || st.Sample.MemoryLimit != testMemLimit || st.Sample.Pids == 0 {
					t.Errorf("%s: latest %+v, want source %s and a limit", tg.Name, st, tt.want)
				}
			}
		})
	}
}
