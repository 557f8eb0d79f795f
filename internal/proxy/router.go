package proxy

import (
	"bytes"
	"crypto/tls"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// route is a Route as the data plane uses it.
type route struct {
	stack    string
	idx      int // position in the stack's routes
	cfg      Route
	bal      *balancer
	counters *routeCounters
}

// routeCounters are a route's own statistics, kept across pushes.
type routeCounters struct{ noEndpoint atomic.Uint64 }

// router is one listener's routing table. It is immutable: a push builds
// a new one and swaps it in, so a request sees one consistent table.
type router struct {
	tcp   *route      // set on a tcp listener
	tls   *tls.Config // set on a TLS listener
	idle  time.Duration
	exact map[string]*pathTable
	wild  []wildHost // longest suffix first
	any   *pathTable
}

// wildHost is a "*.example.com" host: suffix is ".example.com".
type wildHost struct {
	suffix string
	paths  *pathTable
}

// pathTable holds the routes of one host, longest path first.
type pathTable struct{ routes []*route }

func newRouter(routes []*route, tlsCfg *tls.Config) *router {
	rt := &router{tls: tlsCfg, exact: map[string]*pathTable{}}
	for _, r := range routes {
		rt.idle = max(rt.idle, r.cfg.Timeouts.Idle.D())
		if r.cfg.Protocol == ProtocolTCP {
			rt.tcp = r
			continue
		}
		t := rt.table(r.cfg.Host)
		t.routes = append(t.routes, r)
	}
	byPath := func(a, b *route) int { return len(b.cfg.Path) - len(a.cfg.Path) }
	for _, t := range rt.exact {
		slices.SortStableFunc(t.routes, byPath)
	}
	for _, w := range rt.wild {
		slices.SortStableFunc(w.paths.routes, byPath)
	}
	if rt.any != nil {
		slices.SortStableFunc(rt.any.routes, byPath)
	}
	slices.SortStableFunc(rt.wild, func(a, b wildHost) int { return len(b.suffix) - len(a.suffix) })
	return rt
}

func (rt *router) table(host string) *pathTable {
	switch {
	case host == "":
		if rt.any == nil {
			rt.any = &pathTable{}
		}
		return rt.any
	case strings.HasPrefix(host, "*."):
		for _, w := range rt.wild {
			if w.suffix == host[1:] {
				return w.paths
			}
		}
		t := &pathTable{}
		rt.wild = append(rt.wild, wildHost{suffix: host[1:], paths: t})
		return t
	}
	t := rt.exact[host]
	if t == nil {
		t = &pathTable{}
		rt.exact[host] = t
	}
	return t
}

// match finds the route for a request: an exact host first, then the
// longest wildcard, then routes for any host; within a host the longest
// matching path prefix. A host whose paths do not match falls through to
// the less specific hosts.
func (rt *router) match(rawHost, path []byte) *route {
	var buf [256]byte
	host := normHost(rawHost, buf[:0])
	if len(rt.exact) > 0 {
		if t := rt.exact[string(host)]; t != nil {
			if r := t.match(path); r != nil {
				return r
			}
		}
	}
	for _, w := range rt.wild {
		if len(host) > len(w.suffix) && string(host[len(host)-len(w.suffix):]) == w.suffix {
			if r := w.paths.match(path); r != nil {
				return r
			}
		}
	}
	if rt.any != nil {
		return rt.any.match(path)
	}
	return nil
}

func (t *pathTable) match(path []byte) *route {
	for _, r := range t.routes {
		if prefixMatch(path, r.cfg.Path) {
			return r
		}
	}
	return nil
}

// prefixMatch matches whole path segments: "/api" matches "/api" and
// "/api/x" but not "/apix".
func prefixMatch(path []byte, prefix string) bool {
	if prefix == "/" {
		return true
	}
	if len(path) < len(prefix) || string(path[:len(prefix)]) != prefix {
		return false
	}
	return len(path) == len(prefix) || prefix[len(prefix)-1] == '/' || path[len(prefix)] == '/'
}

// normHost strips the port and a trailing dot and lower-cases, into buf
// when it must change the bytes (so the map lookup does not allocate).
func normHost(h []byte, buf []byte) []byte {
	if len(h) > 0 && h[0] == '[' {
		if i := bytes.IndexByte(h, ']'); i > 0 {
			h = h[:i+1]
		}
	} else if i := bytes.LastIndexByte(h, ':'); i >= 0 {
		h = h[:i]
	}
	if len(h) > 0 && h[len(h)-1] == '.' {
		h = h[:len(h)-1]
	}
	for i, c := range h {
		if 'A' <= c && c <= 'Z' {
			if len(h) > cap(buf) {
				return h
			}
			buf = append(buf[:0], h...)
			for j := i; j < len(buf); j++ {
				if c := buf[j]; 'A' <= c && c <= 'Z' {
					buf[j] = c + 'a' - 'A'
				}
			}
			return buf
		}
	}
	return h
}
