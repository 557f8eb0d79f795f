package proxy

import (
	"sync"
	"sync/atomic"
)

// member is an endpoint as one route sees it: with that route's weight.
type member struct {
	ep  *endpoint
	cfg Endpoint
	bit uint64 // this member's bit in a request's tried set (0 past 64)
	cur int    // smooth weighted round robin state, guarded by balancer.mu
}

func (m *member) usable(now int64, tried uint64) bool {
	return m.cfg.Weight > 0 && tried&m.bit == 0 && m.ep.available(now)
}

// balancer picks a route's endpoint for each new request or connection.
type balancer struct {
	members   []*member
	leastConn bool
	mu        sync.Mutex // smooth weighted round robin only
	next      atomic.Uint32
}

func newBalancer(members []*member, policy string) *balancer {
	for i, m := range members {
		if i < 64 {
			m.bit = 1 << i
		}
	}
	return &balancer{members: members, leastConn: policy == PolicyLeastConn}
}

// pick returns an available member not in tried, or nil.
func (b *balancer) pick(now int64, tried uint64) *member {
	if b.leastConn {
		return b.pickLeastConn(now, tried)
	}
	return b.pickSmooth(now, tried)
}

// pickSmooth is nginx's smooth weighted round robin: every candidate's
// current weight grows by its weight, the largest wins and pays back the
// total, which spreads a 5:1:1 split as a a b a c a a rather than in
// bursts. Unavailable members sit out without disturbing the others.
func (b *balancer) pickSmooth(now int64, tried uint64) *member {
	if len(b.members) == 1 {
		if m := b.members[0]; m.usable(now, tried) {
			return m
		}
		return nil
	}
	b.mu.Lock()
	var best *member
	total := 0
	for _, m := range b.members {
		if !m.usable(now, tried) {
			continue
		}
		m.cur += m.cfg.Weight
		total += m.cfg.Weight
		if best == nil || m.cur > best.cur {
			best = m
		}
	}
	if best != nil {
		best.cur -= total
	}
	b.mu.Unlock()
	return best
}

// pickLeastConn picks the member with the fewest requests in flight per
// unit of weight; the scan starts at a rotating offset so ties spread.
func (b *balancer) pickLeastConn(now int64, tried uint64) *member {
	n := len(b.members)
	start := int(b.next.Add(1))
	var best *member
	var bestActive int64
	for k := range n {
		m := b.members[(start+k)%n]
		if !m.usable(now, tried) {
			continue
		}
		a := m.ep.active.Load()
		if best == nil || a*int64(best.cfg.Weight) < bestActive*int64(m.cfg.Weight) {
			best, bestActive = m, a
		}
	}
	return best
}

// othersAvailable reports whether a member other than ep could take
// requests.
func (b *balancer) othersAvailable(ep *endpoint, now int64) bool {
	for _, m := range b.members {
		if m.ep != ep && m.usable(now, 0) {
			return true
		}
	}
	return false
}
