package proxy

import (
	"testing"
	"time"
)

func endpointStats(s *Server, addr string) EndpointStats {
	for _, r := range s.Stats().Routes {
		for _, e := range r.Endpoints {
			if e.Addr == addr {
				return e
			}
		}
	}
	return EndpointStats{}
}

func TestNewEndpointEntersAfterFirstPassingProbe(t *testing.T) {
	s := newTestServer(t)
	a, b := newBackend(t, "a", nil), newBackend(t, "b", nil)
	listen := freePort(t)
	apply(t, s, StackConfig{Stack: "x", Routes: []Route{httpRoute(listen, a.endpoint(1))}})

	// b fails its checks: it is configured but takes nothing.
	b.fail.Store(true)
	r := httpRoute(listen, a.endpoint(1), b.endpoint(1))
	r.Health.Interval = Duration(time.Hour) // only the first, immediate probe can pass it
	if err := s.Apply(StackConfig{Stack: "x", Routes: []Route{r}}); err != nil {
		t.Fatal(err)
	}
	cl := testClient()
	for range 20 {
		if code, body, _ := get(t, cl, "http://"+listen+"/", ""); code != 200 || body != "a" {
			t.Fatalf("got %d %q while b is unproven", code, body)
		}
	}
	if endpointStats(s, b.addr).Healthy {
		t.Fatal("b healthy while failing its check")
	}

	// Pushed anew as passing, a new endpoint is probed at once, not after
	// the hour-long interval.
	c := newBackend(t, "c", nil)
	r = httpRoute(listen, a.endpoint(1), c.endpoint(1))
	r.Health.Interval = Duration(time.Hour)
	if err := s.Apply(StackConfig{Stack: "x", Routes: []Route{r}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 3*time.Second, "c healthy", func() bool { return endpointStats(s, c.addr).Healthy })
	for range 4 {
		get(t, cl, "http://"+listen+"/", "")
	}
	if c.hits.Load() != 2 {
		t.Errorf("c got %d of 4 requests, want 2", c.hits.Load())
	}
}

func TestHealthFailureAndRecovery(t *testing.T) {
	s := newTestServer(t)
	a, b := newBackend(t, "a", nil), newBackend(t, "b", nil)
	listen := freePort(t)
	r := httpRoute(listen, a.endpoint(1), b.endpoint(1))
	r.Health.Unhealthy, r.Health.Healthy = 2, 3
	apply(t, s, StackConfig{Stack: "x", Routes: []Route{r}})
	cl := testClient()

	b.fail.Store(true)
	waitFor(t, 3*time.Second, "b unhealthy", func() bool { return !endpointStats(s, b.addr).Healthy })
	before := b.hits.Load()
	for range 10 {
		if code, body, _ := get(t, cl, "http://"+listen+"/", ""); code != 200 || body != "a" {
			t.Fatalf("got %d %q with b out", code, body)
		}
	}
	if b.hits.Load() != before {
		t.Errorf("b took requests while unhealthy")
	}

	b.fail.Store(false)
	waitFor(t, 3*time.Second, "b healthy again", func() bool { return endpointStats(s, b.addr).Healthy })
	for range 10 {
		get(t, cl, "http://"+listen+"/", "")
	}
	if got := b.hits.Load() - before; got != 5 {
		t.Errorf("b took %d of 10 requests after recovery, want 5", got)
	}
}

func TestTCPHealthCheck(t *testing.T) {
	s := newTestServer(t)
	a := newBackend(t, "a", nil)
	listen := freePort(t)
	r := httpRoute(listen, a.endpoint(1), Endpoint{ID: "dead", Addr: freePort(t), Weight: 1})
	r.Health.Path = "" // connect only
	if err := s.Apply(StackConfig{Stack: "x", Routes: []Route{r}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 3*time.Second, "a healthy", func() bool { return endpointStats(s, a.addr).Healthy })
	cl := testClient()
	for range 6 {
		if code, body, _ := get(t, cl, "http://"+listen+"/", ""); code != 200 || body != "a" {
			t.Fatalf("got %d %q", code, body)
		}
	}
}
