package daemon

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/proxy"
)

// ep is an endpoint's counters: 2xx answers, 5xx answers, connection errors.
func ep(addr string, ok, bad, errs uint64) proxy.EndpointStats {
	return proxy.EndpointStats{ID: addr, Addr: addr, Requests: [5]uint64{1: ok, 4: bad}, Errors: errs}
}

// rt is a route of shop/<service> on listen with its refusals.
func rt(service, listen string, refused uint64, eps ...proxy.EndpointStats) proxy.RouteStats {
	return proxy.RouteStats{Stack: "shop", Service: service, Listen: listen, NoEndpoint: refused, Endpoints: eps}
}

func stats(routes ...proxy.RouteStats) proxy.Stats { return proxy.Stats{Routes: routes} }

func TestRatios(t *testing.T) {
	tests := []struct {
		name      string
		prev, cur proxy.Stats
		want      string // "service=ratio" sorted; "" is no point at all
	}{
		{name: "share of 5xx",
			prev: stats(rt("web", ":80", 0, ep("a", 100, 0, 0))),
			cur:  stats(rt("web", ":80", 0, ep("a", 180, 20, 0))), want: "web=0.2"},
		{name: "connection errors count as failures",
			prev: stats(rt("web", ":80", 0, ep("a", 100, 0, 0))),
			cur:  stats(rt("web", ":80", 0, ep("a", 190, 0, 10))), want: "web=0.1"},
		{name: "a failed connect that ends in a 502 counts once",
			prev: stats(rt("web", ":80", 0, ep("a", 0, 0, 0))),
			cur:  stats(rt("web", ":80", 10, ep("a", 90, 0, 10))), want: "web=0.1"},
		{name: "refused with no endpoint at all",
			prev: stats(rt("web", ":80", 5)),
			cur:  stats(rt("web", ":80", 55)), want: "web=1"},
		{name: "no traffic: no point",
			prev: stats(rt("web", ":80", 3, ep("a", 100, 5, 1))),
			cur:  stats(rt("web", ":80", 3, ep("a", 100, 5, 1))), want: ""},
		{name: "counter reset: endpoint added again counts from zero",
			prev: stats(rt("web", ":80", 0, ep("a", 1000, 10, 0))),
			cur:  stats(rt("web", ":80", 0, ep("a", 50, 50, 0))), want: "web=0.5"},
		{name: "reset of one class resets the endpoint",
			prev: stats(rt("web", ":80", 0, ep("a", 1000, 10, 0))),
			cur:  stats(rt("web", ":80", 0, ep("a", 1010, 5, 0))), want: fmt.Sprintf("web=%g", 5.0/1015)},
		{name: "vanished endpoint takes its counts along",
			prev: stats(rt("web", ":80", 0, ep("a", 100, 100, 0), ep("b", 100, 0, 0))),
			cur:  stats(rt("web", ":80", 0, ep("b", 200, 0, 0))), want: "web=0"},
		{name: "new endpoint counts from zero",
			prev: stats(rt("web", ":80", 0, ep("a", 100, 0, 0))),
			cur:  stats(rt("web", ":80", 0, ep("a", 100, 0, 0), ep("b", 30, 10, 0))), want: "web=0.25"},
		{name: "an endpoint under two routes counts once",
			prev: stats(rt("web", ":80", 0, ep("a", 0, 0, 0)), rt("web", ":443", 0, ep("a", 0, 0, 0))),
			cur:  stats(rt("web", ":80", 0, ep("a", 75, 25, 0)), rt("web", ":443", 0, ep("a", 75, 25, 0))), want: "web=0.25"},
		{name: "refusals of a service's routes add up; a route reset counts from zero",
			prev: stats(rt("web", ":80", 100), rt("web", ":443", 0)),
			cur:  stats(rt("web", ":80", 3), rt("web", ":443", 2, ep("a", 5, 0, 0))), want: "web=0.5"},
		{name: "services apart",
			prev: stats(rt("web", ":80", 0, ep("a", 0, 0, 0)), rt("api", ":81", 0, ep("b", 0, 0, 0))),
			cur:  stats(rt("web", ":80", 0, ep("a", 10, 0, 0)), rt("api", ":81", 0, ep("b", 0, 4, 0))), want: "api=1,web=0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ratios(countersOf(tt.prev), countersOf(tt.cur))
			var parts []string
			for _, k := range slices.SortedFunc(maps.Keys(got), func(a, b serviceKey) int { return strings.Compare(a.service, b.service) }) {
				parts = append(parts, fmt.Sprintf("%s=%g", k.service, got[k]))
			}
			if s := strings.Join(parts, ","); s != tt.want {
				t.Fatalf("ratios = %q, want %q", s, tt.want)
			}
		})
	}
}
