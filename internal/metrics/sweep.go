package metrics

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Source tells which path produced a sample.
type Source string

// The two sampling paths.
const (
	SourceCgroup   Source = "cgroup"
	SourceStatsAPI Source = "stats_api"
)

// SweepResult counts the outcome of one sweep.
type SweepResult struct {
	Targets  int
	Cgroup   int // sampled from cgroup files
	StatsAPI int // sampled through the fallback
	Failed   int
	Duration time.Duration
}

// outcome is the sampling result of one target.
type outcome struct {
	sample Sample
	source Source
	err    error
}

// Sweep samples every target once: all through the Sampler, then the
// failures through the Fallback, with bounded concurrency and deadline.
func (c *Collector) Sweep(ctx context.Context) (SweepResult, error) {
	start := time.Now()
	targets, err := c.cfg.Targets(ctx)
	if err != nil {
		return SweepResult{}, fmt.Errorf("listing metrics targets: %w", err)
	}
	res := SweepResult{Targets: len(targets)}
	out := make([]outcome, len(targets))
	var failed []int
	keep := make(map[string]struct{}, len(targets))
	for i, t := range targets {
		keep[t.ID] = struct{}{}
		s, err := c.cfg.Sampler.Sample(t.ID, t.PID)
		out[i] = outcome{sample: s, source: SourceCgroup, err: err}
		if err != nil {
			failed = append(failed, i)
		}
	}
	c.cfg.Sampler.Retain(keep)
	if len(failed) > 0 && c.cfg.Fallback != nil {
		c.fallback(ctx, targets, out, failed)
	}
	c.update(start, targets, out, &res)
	res.Duration = time.Since(start)
	c.sweepDur.Observe(res.Duration.Seconds())
	return res, nil
}

// fallback resamples the failed targets through the Fallback, writing each
// result into its own slot of out.
func (c *Collector) fallback(ctx context.Context, targets []Target, out []outcome, failed []int) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.FallbackTimeout)
	defer cancel()
	sem := make(chan struct{}, c.cfg.FallbackConcurrency)
	var wg sync.WaitGroup
	for _, i := range failed {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		wg.Go(func() {
			defer func() { <-sem }()
			s, err := c.cfg.Fallback.Sample(ctx, targets[i].ID)
			if err != nil {
				out[i].err = fmt.Errorf("%w; fallback: %w", out[i].err, err)
				return
			}
			out[i] = outcome{sample: s, source: SourceStatsAPI}
		})
	}
	wg.Wait()
}
