package proxy

import "time"

// Stats returns the counters of every route, in stack then push order.
// Host and Path are reported as pushed.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now().UnixNano()
	out := Stats{Routes: make([]RouteStats, 0, len(s.routes))}
	for _, r := range s.routes {
		pushed := r.cfg
		if p, ok := s.pushed[r.stack]; ok && r.idx < len(p.Routes) {
			pushed = p.Routes[r.idx]
		}
		rs := RouteStats{
			Stack: r.stack, Service: r.cfg.Service, Listen: r.cfg.Listen,
			Host: pushed.Host, Path: pushed.Path,
			NoEndpoint: r.counters.noEndpoint.Load(),
			Endpoints:  make([]EndpointStats, 0, len(r.bal.members)),
		}
		for _, m := range r.bal.members {
			rs.Endpoints = append(rs.Endpoints, m.snapshot(now))
		}
		out.Routes = append(out.Routes, rs)
	}
	return out
}

func (m *member) snapshot(now int64) EndpointStats {
	ep := m.ep
	c := &ep.stats
	es := EndpointStats{
		ID: m.cfg.ID, Addr: m.cfg.Addr, Group: m.cfg.Group, Weight: m.cfg.Weight,
		Healthy: ep.healthy.Load(), Ejected: ep.ejectedUntil.Load() > now,
		Active: ep.active.Load(), Errors: c.errors.Load(),
		Latency:    make([]uint64, len(LatencyBuckets)),
		LatencySum: float64(c.latencySum.Load()) / float64(time.Second),
		BytesIn:    c.bytesIn.Load(), BytesOut: c.bytesOut.Load(),
	}
	for i := range es.Requests {
		es.Requests[i] = c.requests[i].Load()
	}
	var cum uint64
	for i := range LatencyBuckets {
		cum += c.latency[i].Load()
		es.Latency[i] = cum
	}
	return es
}
