package daemon

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/berth-dev/berth/internal/alert"
	"github.com/berth-dev/berth/internal/proxy"
)

const (
	// proxySampleEvery is how often the proxy's counters are read: a 5m
	// window holds 60 points, enough to average over.
	proxySampleEvery = 5 * time.Second
	// proxyHistory is how long ratios are kept, the longest window the
	// default rules use, with room; a longer window sees the last hour.
	proxyHistory = time.Hour
	// proxyHistoryPoints bounds each series even if samples come faster.
	proxyHistoryPoints = int(proxyHistory/proxySampleEvery) + 1
)

// proxyRatios samples the load balancer's counters and keeps the series
// berth_proxy_5xx_ratio{stack,service} in memory. The proxy is a separate
// process that keeps no history, so the daemon does.
type proxyRatios struct {
	// stats reads the counters of a running proxy; an error (none runs)
	// means no sample, and the next success is a new baseline.
	stats func(ctx context.Context) (proxy.Stats, error)
	log   *slog.Logger

	mu     sync.Mutex
	prev   *proxyCounters // nil: no baseline
	series map[serviceKey][]alert.Point
}

func newProxyRatios(stats func(ctx context.Context) (proxy.Stats, error), log *slog.Logger) *proxyRatios {
	return &proxyRatios{stats: stats, log: log, series: map[serviceKey][]alert.Point{}}
}

// Run samples every proxySampleEvery until ctx ends.
func (p *proxyRatios) Run(ctx context.Context) {
	t := time.NewTicker(proxySampleEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			p.sample(ctx, now)
		}
	}
}

// sample reads the counters and records each service's ratio since the
// previous sample at now.
func (p *proxyRatios) sample(ctx context.Context, now time.Time) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	s, err := p.stats(ctx)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		// Usually no proxy runs (no stack has routes). Dropping the
		// baseline keeps a gap from becoming one long interval.
		p.log.Debug("no load balancer stats", "err", err)
		p.prev = nil
		return
	}
	cur := countersOf(s)
	if p.prev != nil {
		for k, v := range ratios(*p.prev, cur) {
			p.series[k] = append(p.series[k], alert.Point{T: now, V: v})
		}
	}
	p.prev = &cur
	p.trim(now)
}

// trim drops points older than proxyHistory and beyond proxyHistoryPoints,
// and series left empty (services gone for an hour).
func (p *proxyRatios) trim(now time.Time) {
	cutoff := now.Add(-proxyHistory)
	for k, pts := range p.series {
		i := 0
		for i < len(pts) && (pts[i].T.Before(cutoff) || len(pts)-i > proxyHistoryPoints) {
			i++
		}
		if i == len(pts) {
			delete(p.series, k)
			continue
		}
		p.series[k] = pts[i:] // append copies the live part when it grows
	}
}

// Series returns every service's points in [from, to].
func (p *proxyRatios) Series(from, to time.Time) []alert.Series {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []alert.Series
	for k, pts := range p.series {
		se := alert.Series{Labels: map[string]string{"stack": k.stack, "service": k.service}}
		for _, pt := range pts {
			if !pt.T.Before(from) && !pt.T.After(to) {
				se.Points = append(se.Points, pt)
			}
		}
		if len(se.Points) > 0 {
			out = append(out, se)
		}
	}
	return out
}
