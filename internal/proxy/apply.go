package proxy

import (
	"context"
	"fmt"
	"slices"
)

// commit makes next the served config. Everything that can fail (the
// layout, TLS files, binding new addresses) happens before anything
// changes; then endpoints, routing tables and listeners are updated.
// The caller holds s.mu.
func (s *Server) commit(next map[string]StackConfig, pushed string) error {
	layout, err := plan(next, pushed)
	if err != nil {
		return err
	}
	certs, err := s.loadCerts(layout)
	if err != nil {
		return badConfig(err)
	}
	opened, err := s.openListeners(layout)
	if err != nil {
		return conflict(err)
	}
	// Nothing fails from here on.
	eps := s.syncEndpoints(layout)
	routers, routes := s.buildRouters(layout, eps, certs)
	for addr, l := range opened {
		s.listeners[addr] = l
	}
	for addr, rt := range routers {
		s.listeners[addr].router.Store(rt)
	}
	for _, l := range opened {
		go l.acceptLoop()
	}
	for addr, l := range s.listeners {
		if _, ok := layout[addr]; !ok {
			delete(s.listeners, addr)
			s.closeListener(l)
		}
	}
	for k, ep := range s.endpoints {
		if _, ok := eps[k]; !ok {
			go ep.retire()
		}
	}
	s.endpoints, s.certs, s.routes, s.stacks = eps, certs, routes, next
	return nil
}

// closeListener closes a listener no route uses any more, letting its
// requests in flight finish.
func (s *Server) closeListener(l *listener) {
	s.closingWG.Add(1)
	go func() {
		defer s.closingWG.Done()
		ctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
		defer cancel()
		l.shutdown(ctx)
		l.log.Info("listener closed")
	}()
}

// loadCerts returns the certificates the layout needs, loading those not
// loaded yet (loaded ones reload themselves when their files change).
func (s *Server) loadCerts(layout map[string]*addrPlan) (map[[2]string]*certPair, error) {
	out := map[[2]string]*certPair{}
	for _, ap := range layout {
		for _, pr := range ap.routes {
			if pr.r.TLS == nil {
				continue
			}
			k := [2]string{pr.r.TLS.Cert, pr.r.TLS.Key}
			if out[k] != nil {
				continue
			}
			if p := s.certs[k]; p != nil {
				out[k] = p
				continue
			}
			p, err := loadCertPair(k[0], k[1], s.log)
			if err != nil {
				return nil, fmt.Errorf("stack %q service %q: %w", pr.stack, pr.r.Service, err)
			}
			out[k] = p
		}
	}
	return out, nil
}

// openListeners binds the addresses that are not bound yet; on failure it
// closes what it bound and names the address that failed.
func (s *Server) openListeners(layout map[string]*addrPlan) (map[string]*listener, error) {
	opened := map[string]*listener{}
	for _, addr := range sortedKeys(layout) {
		if s.listeners[addr] != nil {
			continue
		}
		l, err := s.bind(addr)
		if err != nil {
			for _, o := range opened {
				_ = o.ln.Close()
			}
			pr := layout[addr].routes[0]
			return nil, fmt.Errorf("stack %q service %q: cannot listen on %s: %w", pr.stack, pr.r.Service, addr, err)
		}
		opened[addr] = l
	}
	return opened, nil
}

// bind opens a listener on addr, on the socket inherited from the previous
// proxy process when there is one (it is already bound, and the old
// process still holds it).
func (s *Server) bind(addr string) (*listener, error) {
	if ln, ok := s.inherited[addr]; ok {
		delete(s.inherited, addr)
		return newListener(addr, ln, s.log, s.alog), nil
	}
	return listen(addr, s.log, s.alog)
}

// syncEndpoints returns the endpoints the layout needs, reusing existing
// ones (with their counters, health and pooled connections) and starting
// health checks for new ones.
func (s *Server) syncEndpoints(layout map[string]*addrPlan) map[epKey]*endpoint {
	eps := map[epKey]*endpoint{}
	draining := map[epKey]bool{}
	for _, addr := range sortedKeys(layout) {
		for _, pr := range layout[addr].routes {
			for _, e := range pr.r.Endpoints {
				k := epKey{pr.stack, pr.r.Service, e.Addr}
				d, seen := draining[k]
				draining[k] = (d || !seen) && e.Weight == 0
				if eps[k] != nil {
					continue
				}
				ep := s.endpoints[k]
				if ep == nil {
					ep = newEndpoint(k, s.log)
					// An endpoint the previous proxy process found healthy
					// stays in rotation until its own probes say otherwise,
					// so a takeover does not answer 503 until the first
					// probe passes.
					ep.healthy.Store(s.inheritedHealthy[k])
					startHealth(s.ctx, ep, pr.r.Health)
				} else {
					ep.health.update(pr.r.Health)
				}
				eps[k] = ep
			}
		}
	}
	for k, ep := range eps {
		ep.setDraining(draining[k])
	}
	return eps
}

// buildRouters makes each address's routing table.
func (s *Server) buildRouters(layout map[string]*addrPlan, eps map[epKey]*endpoint, certs map[[2]string]*certPair) (map[string]*router, []*route) {
	routers := map[string]*router{}
	var all []*route
	counters := map[string]*routeCounters{}
	for _, addr := range sortedKeys(layout) {
		ap := layout[addr]
		var rs []*route
		var set certSet
		for _, pr := range ap.routes {
			r := s.newRoute(pr, eps, counters)
			rs = append(rs, r)
			if pr.r.TLS != nil {
				if p := certs[[2]string{pr.r.TLS.Cert, pr.r.TLS.Key}]; !slices.Contains(set, p) {
					set = append(set, p)
				}
			}
		}
		rt := newRouter(rs, nil)
		if len(set) > 0 {
			rt.tls = set.config()
		}
		routers[addr] = rt
		all = append(all, rs...)
	}
	slices.SortFunc(all, func(a, b *route) int {
		if c := cmpString(a.stack, b.stack); c != 0 {
			return c
		}
		return a.idx - b.idx
	})
	s.counters = counters
	return routers, all
}

func (s *Server) newRoute(pr planRoute, eps map[epKey]*endpoint, counters map[string]*routeCounters) *route {
	members := make([]*member, len(pr.r.Endpoints))
	for i, e := range pr.r.Endpoints {
		members[i] = &member{ep: eps[epKey{pr.stack, pr.r.Service, e.Addr}], cfg: e}
	}
	ck := pr.stack + " " + claimKey(pr.r)
	c := s.counters[ck]
	if c == nil {
		c = &routeCounters{}
	}
	counters[ck] = c
	return &route{stack: pr.stack, idx: pr.idx, cfg: pr.r, bal: newBalancer(members, pr.r.Policy), counters: c}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
