package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// TargetsFunc lists the containers to sample, typically from the engine's
// list of berth-labelled running containers.
type TargetsFunc func(ctx context.Context) ([]Target, error)

// Sampler reads containers without the engine; *CgroupReader is one.
type Sampler interface {
	// Sample reads container id whose main process is pid.
	Sample(id string, pid int) (Sample, error)
	// Retain releases what is held for containers not in keep.
	Retain(keep map[string]struct{})
}

// Fallback samples a container Sampler could not read; *StatsAPISampler is one.
type Fallback interface {
	Sample(ctx context.Context, id string) (Sample, error)
}

// Config wires a Collector. Targets and Sampler are required.
type Config struct {
	Targets TargetsFunc
	Sampler Sampler
	// Fallback, if set, samples the containers Sampler fails on.
	Fallback Fallback
	// FallbackConcurrency bounds parallel Fallback calls (default 8).
	FallbackConcurrency int
	// FallbackTimeout bounds the fallback phase of a sweep (default 3 s;
	// a one-shot stats call takes ~1 s). Containers not sampled by then
	// keep their previous values until the next sweep.
	FallbackTimeout time.Duration
	// Interval between sweeps (default 1 s; at least 1 s, the history's
	// resolution). A sweep that runs longer delays the next one.
	Interval time.Duration
	// History sizes the history; its Resolution is set to Interval.
	History HistoryConfig
	// Registry receives the exporter; nil makes a private one.
	Registry *prometheus.Registry
	Logger   *slog.Logger
}

// ErrConfig is returned by New for a Config missing a required field.
var ErrConfig = errors.New("invalid metrics collector config")

// Collector samples the targets every interval and keeps the latest values,
// per-service aggregates, their history, and a Prometheus view of them.
type Collector struct {
	cfg      Config
	log      *slog.Logger
	history  *History
	registry *prometheus.Registry
	sweepDur prometheus.Histogram

	mu         sync.RWMutex
	containers map[string]*ContainerStats
	services   map[ServiceKey]*ServiceStats
}

// New validates cfg and registers the exporter on its registry.
func New(cfg Config) (*Collector, error) {
	if cfg.Targets == nil || cfg.Sampler == nil {
		return nil, fmt.Errorf("creating metrics collector: targets and sampler are required: %w", ErrConfig)
	}
	cfg.Interval = max(orDefault(cfg.Interval, time.Second), time.Second)
	if cfg.FallbackConcurrency <= 0 {
		cfg.FallbackConcurrency = 8
	}
	cfg.FallbackTimeout = orDefault(cfg.FallbackTimeout, 3*time.Second)
	cfg.History.Resolution = cfg.Interval
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Collector{
		cfg:        cfg,
		log:        cfg.Logger.With("component", "metrics"),
		history:    NewHistory(cfg.History),
		registry:   cfg.Registry,
		sweepDur:   newSweepHistogram(),
		containers: make(map[string]*ContainerStats),
		services:   make(map[ServiceKey]*ServiceStats),
	}
	if err := c.registry.Register(c.sweepDur); err != nil {
		return nil, fmt.Errorf("registering sweep duration metric: %w", err)
	}
	if err := c.registry.Register(&exporter{c: c}); err != nil {
		return nil, fmt.Errorf("registering container metrics: %w", err)
	}
	return c, nil
}

// Run sweeps at once, then every interval, until ctx is done. A failed
// sweep is logged and the loop goes on.
func (c *Collector) Run(ctx context.Context) error {
	t := time.NewTicker(c.cfg.Interval)
	defer t.Stop()
	for {
		if _, err := c.Sweep(ctx); err != nil && ctx.Err() == nil {
			c.log.Warn("metrics sweep failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// History returns the collector's history, for Range queries.
func (c *Collector) History() *History { return c.history }

// Range is History().Range: the points of metric m of a container or
// service between from and to, and their resolution.
func (c *Collector) Range(ref Ref, m Metric, from, to time.Time) ([]Point, time.Duration, error) {
	return c.history.Range(ref, m, from, to)
}
