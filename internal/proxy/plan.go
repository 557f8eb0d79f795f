package proxy

import (
	"fmt"
	"net/http"
	"slices"
)

// applyError is a push the proxy refuses; code is the HTTP status the
// control API answers with (400 for a bad config, 409 for a clash with
// another stack or the host).
type applyError struct {
	code int
	err  error
}

func (e *applyError) Error() string { return e.err.Error() }
func (e *applyError) Unwrap() error { return e.err }

func badConfig(err error) error { return &applyError{code: http.StatusBadRequest, err: err} }
func conflict(err error) error  { return &applyError{code: http.StatusConflict, err: err} }

// addrPlan is everything one listen address serves.
type addrPlan struct {
	addr   string
	kind   string // ProtocolHTTP or ProtocolTCP
	tls    bool
	routes []planRoute
}

// planRoute is one route and the stack it belongs to.
type planRoute struct {
	stack string
	idx   int // position in the stack's routes
	r     Route
}

// plan lays out every stack's routes by listen address, in a stable order
// (stacks by name, routes as pushed), and reports the clashes a push must
// be refused for. pushed names the stack being applied: a clash with
// another stack is a 409, one inside the pushed stack a 400.
func plan(stacks map[string]StackConfig, pushed string) (map[string]*addrPlan, error) {
	names := make([]string, 0, len(stacks))
	for n := range stacks {
		names = append(names, n)
	}
	slices.Sort(names)
	// Place the pushed stack last so errors are reported against it.
	if i := slices.Index(names, pushed); i >= 0 {
		names = append(append(names[:i:i], names[i+1:]...), pushed)
	}
	out := map[string]*addrPlan{}
	claims := map[string]planRoute{}
	for _, n := range names {
		for i, r := range stacks[n].Routes {
			pr := planRoute{stack: n, idx: i, r: r}
			if err := place(out, claims, pr); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func place(out map[string]*addrPlan, claims map[string]planRoute, pr planRoute) error {
	r := pr.r
	clash := func(other planRoute, format string, args ...any) error {
		err := fmt.Errorf("service %q: "+format, append([]any{r.Service}, args...)...)
		if other.stack != pr.stack {
			return conflict(fmt.Errorf("%w (stack %q, service %q)", err, other.stack, other.r.Service))
		}
		return badConfig(fmt.Errorf("%w (service %q)", err, other.r.Service))
	}
	if other, ok := claims[claimKey(r)]; ok {
		return clash(other, "%s is already claimed", describeClaim(r))
	}
	claims[claimKey(r)] = pr
	ap := out[r.Listen]
	if ap == nil {
		out[r.Listen] = &addrPlan{addr: r.Listen, kind: r.Protocol, tls: r.TLS != nil, routes: []planRoute{pr}}
		return nil
	}
	first := ap.routes[0]
	switch {
	case ap.kind != r.Protocol:
		return clash(first, "listen %s is used both as %s and %s", r.Listen, r.Protocol, ap.kind)
	case r.Protocol == ProtocolTCP:
		return clash(first, "listen %s already has a tcp route", r.Listen)
	case ap.tls != (r.TLS != nil):
		return clash(first, "listen %s: every route on an address must terminate TLS or none", r.Listen)
	}
	ap.routes = append(ap.routes, pr)
	return nil
}
