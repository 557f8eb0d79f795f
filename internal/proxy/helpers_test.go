package proxy

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// testLogger logs to the test's output when -v is given.
func testLogger(t testing.TB) *slog.Logger {
	if !testing.Verbose() {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// newTestServer returns a proxy shut down at the end of the test.
func newTestServer(t testing.TB, opts ...func(*Options)) *Server {
	t.Helper()
	o := Options{Logger: testLogger(t)}
	for _, f := range opts {
		f(&o)
	}
	s := New(o)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	return s
}

// freePort returns a loopback address nothing listens on now. The proxy
// refuses port 0 (a route must name its port), so tests borrow one from
// the kernel and give it back.
func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// backend is a loopback HTTP server that answers with its name and counts
// requests.
type backend struct {
	*httptest.Server
	name string
	hits atomic.Int64
	fail atomic.Bool // answer health checks 503
	addr string
}

func newBackend(t testing.TB, name string, h http.HandlerFunc) *backend {
	t.Helper()
	b := &backend{name: name}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			if b.fail.Load() {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
			return
		}
		b.hits.Add(1)
		w.Header().Set("X-Backend", name)
		if h != nil {
			h(w, r)
			return
		}
		fmt.Fprint(w, name)
	}))
	b.addr = strings.TrimPrefix(b.URL, "http://")
	t.Cleanup(b.Close)
	return b
}

func (b *backend) endpoint(weight int) Endpoint {
	return Endpoint{ID: b.name, Addr: b.addr, Weight: weight}
}

// fastHealth checks every 20 ms so tests converge quickly.
var fastHealth = HealthCheck{Path: "/healthz", Interval: Duration(20 * time.Millisecond), Timeout: Duration(500 * time.Millisecond)}

func httpRoute(listen string, eps ...Endpoint) Route {
	return Route{Service: "web", Listen: listen, Endpoints: eps, Health: fastHealth, Retries: 2}
}

// apply pushes a config and waits until every endpoint with weight is
// healthy.
func apply(t testing.TB, s *Server, cfg StackConfig) {
	t.Helper()
	if err := s.Apply(cfg); err != nil {
		t.Fatalf("apply: %v", err)
	}
	waitFor(t, 5*time.Second, "endpoints healthy", func() bool {
		for _, r := range s.Stats().Routes {
			for _, e := range r.Endpoints {
				if !e.Healthy {
					return false
				}
			}
		}
		return true
	})
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// testClient does not share connections with other tests.
func testClient() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
}

// get fetches url with an optional Host and returns status and body.
func get(t testing.TB, c *http.Client, url, host string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s (host %q): %v", url, host, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", url, err)
	}
	return resp.StatusCode, string(body), resp.Header
}

func httpGetRequest(url, host string) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err == nil && host != "" {
		req.Host = host
	}
	return req, err
}
