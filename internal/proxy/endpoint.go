package proxy

import (
	"log/slog"
	"sync/atomic"
	"time"
)

// epKey identifies an endpoint across config pushes.
type epKey struct{ stack, service, addr string }

// endpoint is one backend address and everything the proxy knows about it.
// It outlives config pushes that keep it, so counters, health and pooled
// connections carry over; the request path touches only atomics.
type endpoint struct {
	key    epKey
	addr   string
	log    *slog.Logger
	health *healthChecker

	healthy      atomic.Bool
	ejectedUntil atomic.Int64 // unix nanoseconds
	strikes      atomic.Int32 // consecutive failures, for passive ejection
	draining     atomic.Bool  // every route gives it weight 0
	removed      atomic.Bool
	active       atomic.Int64

	pool  pool
	stats epCounters
}

func newEndpoint(k epKey, log *slog.Logger) *endpoint {
	return &endpoint{key: k, addr: k.addr, log: log.With("stack", k.stack, "service", k.service, "endpoint", k.addr)}
}

// available reports whether the endpoint may take new requests (weight is
// per route and checked by the balancer).
func (e *endpoint) available(now int64) bool {
	return e.healthy.Load() && e.ejectedUntil.Load() <= now
}

// connFailed records a connection failure or timeout.
func (e *endpoint) connFailed(r *route, now int64) {
	e.stats.errors.Add(1)
	e.strike(r, now)
}

// strike counts a failure towards passive ejection. The last endpoint the
// route has available is never ejected: a struggling backend beats none.
func (e *endpoint) strike(r *route, now int64) {
	if e.strikes.Add(1) < int32(r.cfg.Eject.Errors) {
		return
	}
	if !e.available(now) || !r.bal.othersAvailable(e, now) {
		return
	}
	e.strikes.Store(0)
	e.ejectedUntil.Store(now + int64(r.cfg.Eject.Duration))
	e.log.Warn("endpoint ejected", "for", r.cfg.Eject.Duration.D(), "after_failures", r.cfg.Eject.Errors)
}

// succeeded clears the failure streak; the load avoids writing a shared
// cache line on every request.
func (e *endpoint) succeeded() {
	if e.strikes.Load() != 0 {
		e.strikes.Store(0)
	}
}

// setDraining takes the endpoint out of (or back into) the pool of
// connections worth keeping: a draining endpoint's connections are closed
// as its requests finish.
func (e *endpoint) setDraining(d bool) {
	if e.draining.Swap(d) != d && d {
		e.pool.closeIdle()
	}
}

// retire stops the endpoint's health checks and closes its idle
// connections; requests in flight keep their own.
func (e *endpoint) retire() {
	e.removed.Store(true)
	e.health.stop()
	e.pool.close()
}

// epCounters are an endpoint's statistics.
type epCounters struct {
	requests   [5]atomic.Uint64
	errors     atomic.Uint64
	latency    [16]atomic.Uint64 // per bucket of LatencyBuckets, +Inf last; not cumulative
	latencySum atomic.Int64      // nanoseconds
	bytesIn    atomic.Uint64
	bytesOut   atomic.Uint64
}

// latencyBounds are LatencyBuckets in nanoseconds.
var latencyBounds = func() []int64 {
	b := make([]int64, len(LatencyBuckets))
	for i, s := range LatencyBuckets {
		b[i] = int64(s * float64(time.Second))
	}
	return b
}()

func (c *epCounters) observe(d time.Duration) {
	i := 0
	for i < len(latencyBounds) && int64(d) > latencyBounds[i] {
		i++
	}
	c.latency[i].Add(1)
	c.latencySum.Add(int64(d))
}

func (c *epCounters) count(status int) {
	if k := status/100 - 1; k >= 0 && k < 5 {
		c.requests[k].Add(1)
	}
}
