package daemon

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/berth-dev/berth/internal/engine"
	"github.com/berth-dev/berth/internal/engine/docker"
	"github.com/berth-dev/berth/internal/metrics"
)

// newCollector builds the metrics collector over every managed container:
// cgroup files where the daemon can read them, the engine's stats API
// otherwise.
func newCollector(eng *docker.Driver, reg *prometheus.Registry, log *slog.Logger) (*metrics.Collector, error) {
	cfg := metrics.Config{
		Targets:  (&targets{eng: eng, pids: map[string]int{}}).list,
		Fallback: metrics.NewStatsAPISampler(eng),
		Registry: reg,
		Logger:   log,
	}
	if reader, err := metrics.NewCgroupReader("/sys/fs/cgroup", "/proc"); err == nil {
		cfg.Sampler = reader
	} else {
		log.Warn("cgroup files not readable; sampling through the engine's stats API", "err", err)
	}
	return metrics.New(cfg)
}

// targets lists the containers to sample, inspecting each new one once for
// its PID (network counters live in /proc/PID/net/dev).
type targets struct {
	eng  *docker.Driver
	mu   sync.Mutex
	pids map[string]int // container ID → PID, for running containers
}

func (t *targets) list(ctx context.Context) ([]metrics.Target, error) {
	cs, err := t.eng.List(ctx, "")
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	live := map[string]int{}
	var out []metrics.Target
	for _, c := range cs {
		if c.State != engine.StateRunning {
			continue
		}
		pid, ok := t.pids[c.ID]
		if ok && !alive(pid) {
			ok = false // restarted since: a new main process
		}
		if !ok {
			in, err := t.eng.Inspect(ctx, c.ID)
			if err != nil {
				continue // gone between list and inspect
			}
			pid = in.PID
		}
		live[c.ID] = pid
		out = append(out, metrics.Target{ID: c.ID, PID: pid, Stack: c.Stack, Service: c.Service, Name: c.Name})
	}
	t.pids = live
	return out, nil
}

func alive(pid int) bool {
	_, err := os.Stat("/proc/" + strconv.Itoa(pid))
	return err == nil
}
