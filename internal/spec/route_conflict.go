package spec

import (
	"fmt"
	"strconv"
	"strings"
)

// servedRoute is a resolved route with what it needs for comparison and
// for naming it in an error.
type servedRoute struct {
	Stack, Service string
	Index          int
	Route          Route // resolved
	addr           listenAddr
}

// servedRoutes lists a stack's routes in service order. Routes that do not
// parse are skipped: load reported them already.
func servedRoutes(st *Stack) []servedRoute {
	var out []servedRoute
	for _, svc := range st.Services {
		for i, r := range svc.Berth.Routes {
			r = r.Resolved()
			addr, err := parseListen(r.Listen)
			if err != nil {
				continue
			}
			out = append(out, servedRoute{Stack: st.Name, Service: svc.Name, Index: i, Route: r, addr: addr})
		}
	}
	return out
}

// overlaps says two addresses would take the same connections: the same
// port, and the same host or one of them on every interface. localhost and
// 127.0.0.1 are kept apart: the load balancer binds them as written.
func (a listenAddr) overlaps(b listenAddr) bool {
	return a.Port == b.Port && (a.Any || b.Any || a.Host == b.Host)
}

// conflicts says b cannot be served next to a. HTTP routes share a
// listener and are told apart by host and path; a TCP route owns its
// address outright, so it cannot share it with anything.
func (a servedRoute) conflicts(b servedRoute) bool {
	if !a.addr.overlaps(b.addr) {
		return false
	}
	if a.Route.Protocol == ProtocolHTTP && b.Route.Protocol == ProtocolHTTP {
		return strings.EqualFold(a.Route.Host, b.Route.Host) && a.Route.Path == b.Route.Path
	}
	return true
}

// String names the route as people wrote it.
func (a servedRoute) String() string {
	r := a.Route
	if r.Protocol == ProtocolTCP {
		return "tcp route " + r.Listen
	}
	return fmt.Sprintf("route %s host %q path %q", r.Listen, r.Host, r.Path)
}

// conflictMessage says that mine cannot be served because of theirs,
// named by owner (`service "web"`).
func conflictMessage(mine, theirs servedRoute, owner string) (msg, hint string) {
	if mine.Route.Protocol == ProtocolHTTP && theirs.Route.Protocol == ProtocolHTTP {
		return fmt.Sprintf("%s is already served by %s", mine, owner), "change listen, host or path"
	}
	return fmt.Sprintf("%s conflicts with the %s of %s", mine, theirs, owner),
		"a tcp route needs a listen address no other route uses; change listen"
}

// checkRouteConflicts finds two routes of one stack that cannot both be
// served, and reports the one written later (by pos: services are in
// dependency order, not file order) where it is written.
func checkRouteConflicts(st *Stack, pos func(path []string) (file, line int)) *LoadError {
	routes := servedRoutes(st)
	for j, b := range routes {
		for _, a := range routes[:j] {
			if !b.conflicts(a) {
				continue
			}
			if fa, la := pos(a.path()); fa > 0 || la > 0 {
				if fb, lb := pos(b.path()); fa > fb || (fa == fb && la > lb) {
					a, b = b, a
				}
			}
			owner := fmt.Sprintf("service %q (x-berth.routes.%d)", a.Service, a.Index)
			msg, hint := conflictMessage(b, a, owner)
			return located(b.path(), msg, hint)
		}
	}
	return nil
}

// path is where the route is written.
func (a servedRoute) path() []string {
	return []string{"services", a.Service, extensionKey, "routes", strconv.Itoa(a.Index)}
}
