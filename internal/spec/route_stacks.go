package spec

import "fmt"

// RouteConflictError says a route of one stack cannot be served because a
// route of another stack takes the same traffic.
type RouteConflictError struct {
	// Stack and Service own the route that cannot be served; Route is it,
	// resolved.
	Stack, Service string
	Route          Route
	// OtherStack and OtherService own the route already served.
	OtherStack, OtherService string
	OtherRoute               Route

	msg, hint string
}

// Error says which routes conflict and what to change, e.g.
// `stack "shop" service "web": route 127.0.0.1:8080 host "" path "/" is
// already served by stack "blog" service "web"; hint: change listen, host
// or path`.
func (e *RouteConflictError) Error() string {
	return fmt.Sprintf("stack %q service %q: %s; hint: %s", e.Stack, e.Service, e.msg, e.hint)
}

// RouteConflicts checks st's routes against those of other stacks, by the
// rules Load applies within one stack: two HTTP routes conflict when their
// listen addresses overlap (equal, or one on every interface) and host and
// path are equal; a TCP route conflicts with any route whose address
// overlaps its own. It returns the first conflict as a
// *RouteConflictError, or nil. A stack in others with st's name is
// skipped: it is the revision st replaces. st's own routes were checked
// when it loaded.
func RouteConflicts(st *Stack, others []*Stack) error {
	var served []servedRoute
	for _, other := range others {
		if other != nil && other.Name != st.Name {
			served = append(served, servedRoutes(other)...)
		}
	}
	for _, mine := range servedRoutes(st) {
		for _, theirs := range served {
			if mine.conflicts(theirs) {
				return newRouteConflict(mine, theirs)
			}
		}
	}
	return nil
}

func newRouteConflict(mine, theirs servedRoute) *RouteConflictError {
	owner := fmt.Sprintf("stack %q service %q", theirs.Stack, theirs.Service)
	msg, hint := conflictMessage(mine, theirs, owner)
	return &RouteConflictError{
		Stack: mine.Stack, Service: mine.Service, Route: mine.Route,
		OtherStack: theirs.Stack, OtherService: theirs.Service, OtherRoute: theirs.Route,
		msg: msg, hint: hint,
	}
}
