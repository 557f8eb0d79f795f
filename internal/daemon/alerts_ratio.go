package daemon

import "github.com/berth-dev/berth/internal/proxy"

// The proxy's counters are cumulative: per endpoint since it was added,
// per route since it was first pushed. berth_proxy_5xx_ratio is computed
// from the difference between two samples of them.

type serviceKey struct{ stack, service string }

// endpointKey is how the proxy itself identifies an endpoint: a service's
// endpoints are shared by its routes, so each appears under every route.
type endpointKey struct {
	serviceKey
	addr string
}

type routeKey struct {
	serviceKey
	listen, host, path string
}

// endpointCount is an endpoint's answers by status class and its
// connection errors (failed connects, resets, header timeouts).
type endpointCount struct {
	requests [5]uint64
	errors   uint64
}

// proxyCounters are the counters of one sample.
type proxyCounters struct {
	endpoints map[endpointKey]endpointCount
	refused   map[routeKey]uint64 // answered 502/503 by the proxy: no endpoint left to try
}

func countersOf(s proxy.Stats) proxyCounters {
	c := proxyCounters{endpoints: map[endpointKey]endpointCount{}, refused: map[routeKey]uint64{}}
	for _, rs := range s.Routes {
		svc := serviceKey{rs.Stack, rs.Service}
		c.refused[routeKey{svc, rs.Listen, rs.Host, rs.Path}] = rs.NoEndpoint
		for _, ep := range rs.Endpoints {
			c.endpoints[endpointKey{svc, ep.Addr}] = endpointCount{requests: ep.Requests, errors: ep.Errors}
		}
	}
	return c
}

// since is what the endpoint counted after prev. A counter below its
// previous value means the endpoint restarted from zero in between
// (removed and added again during a deploy, or the proxy restarted): all
// it counts now happened since, so that is the increase, never a negative
// one.
func (c endpointCount) since(prev endpointCount, seen bool) endpointCount {
	if !seen || c.errors < prev.errors {
		return c
	}
	d := endpointCount{errors: c.errors - prev.errors}
	for i := range c.requests {
		if c.requests[i] < prev.requests[i] {
			return c
		}
		d.requests[i] = c.requests[i] - prev.requests[i]
	}
	return d
}

// increase is a route counter's increase, with the same reset rule.
func increase(cur, prev uint64, seen bool) uint64 {
	if !seen || cur < prev {
		return cur
	}
	return cur - prev
}

// traffic is what one service's requests did over one sample interval.
// An endpoint that vanished in the interval took its last counts with it.
type traffic struct {
	answered, answered5xx uint64
	errors, refused       uint64
}

// ratio is the share of failed requests: 5xx answers from the backends,
// plus what the proxy failed to get an answer for. A connection failure
// that ends the request counts both as an endpoint error and as a refusal
// (502), and a header timeout (504) only as an error, so the larger of the
// two is the failures the proxy answered itself, each counted once.
// Errors retried successfully elsewhere are counted too: they are failures
// of a backend, the 5xx ratio alert's concern. No traffic is no point,
// not 0/0.
func (t traffic) ratio() (float64, bool) {
	failed := max(t.errors, t.refused)
	total := t.answered + failed
	if total == 0 {
		return 0, false
	}
	return float64(t.answered5xx+failed) / float64(total), true
}

// ratios returns each service's ratio over the interval from prev to cur;
// services without traffic in it are absent.
func ratios(prev, cur proxyCounters) map[serviceKey]float64 {
	per := map[serviceKey]*traffic{}
	get := func(k serviceKey) *traffic {
		if per[k] == nil {
			per[k] = &traffic{}
		}
		return per[k]
	}
	for k, c := range cur.endpoints {
		p, seen := prev.endpoints[k]
		d, t := c.since(p, seen), get(k.serviceKey)
		for _, n := range d.requests {
			t.answered += n
		}
		t.answered5xx += d.requests[4]
		t.errors += d.errors
	}
	for k, n := range cur.refused {
		p, seen := prev.refused[k]
		get(k.serviceKey).refused += increase(n, p, seen)
	}
	out := map[serviceKey]float64{}
	for k, t := range per {
		if r, ok := t.ratio(); ok {
			out[k] = r
		}
	}
	return out
}
