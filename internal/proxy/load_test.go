package proxy

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// loadResult counts a load loop's requests.
type loadResult struct {
	ok, failed atomic.Int64
	mu         sync.Mutex
	firstErr   string
}

func (r *loadResult) fail(msg string) {
	r.failed.Add(1)
	r.mu.Lock()
	if r.firstErr == "" {
		r.firstErr = msg
	}
	r.mu.Unlock()
}

// runLoad sends GETs from workers concurrent connections until ctx ends
// or max requests were sent. It is bounded in both count and time.
func runLoad(ctx context.Context, url string, workers int, max int64) *loadResult {
	return runLoadWith(ctx, &http.Transport{MaxIdleConnsPerHost: workers}, url, workers, max)
}

// runLoadWith is runLoad over a given transport (one without keep-alive
// opens a connection per request).
func runLoadWith(ctx context.Context, tr *http.Transport, url string, workers int, max int64) *loadResult {
	res := &loadResult{}
	var sent atomic.Int64
	cl := &http.Client{Timeout: 10 * time.Second, Transport: tr}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil && sent.Add(1) <= max {
				resp, err := cl.Get(url)
				if err != nil {
					res.fail(err.Error())
					continue
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					res.fail(fmt.Sprintf("status %d, body error %v", resp.StatusCode, err))
					continue
				}
				res.ok.Add(1)
			}
		})
	}
	wg.Wait()
	cl.CloseIdleConnections()
	return res
}

func TestKilledBackendUnderLoadFailsNoRequest(t *testing.T) {
	s := newTestServer(t)
	a, b, c := newBackend(t, "a", nil), newBackend(t, "b", nil), newBackend(t, "c", nil)
	listen := freePort(t)
	apply(t, s, StackConfig{Stack: "x", Routes: []Route{httpRoute(listen, a.endpoint(1), b.endpoint(1), c.endpoint(1))}})

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	done := make(chan *loadResult)
	go func() { done <- runLoad(ctx, "http://"+listen+"/", 8, 20000) }()
	waitFor(t, 3*time.Second, "load on b", func() bool { return b.hits.Load() > 200 })
	// Kill b: its pooled connections die and new ones are refused.
	b.Listener.Close()
	b.CloseClientConnections()
	killedAt := b.hits.Load()
	res := <-done
	if res.failed.Load() != 0 {
		t.Fatalf("%d of %d requests failed; first: %s", res.failed.Load(), res.ok.Load()+res.failed.Load(), res.firstErr)
	}
	if res.ok.Load() < 1000 || a.hits.Load() < 300 || c.hits.Load() < 300 {
		t.Errorf("too little load: ok %d, a %d, c %d", res.ok.Load(), a.hits.Load(), c.hits.Load())
	}
	if st := endpointStats(s, b.addr); st.Healthy || st.Errors == 0 {
		t.Errorf("b after its death: %+v (killed after %d hits)", st, killedAt)
	}
}

func TestConfigSwapUnderLoadDropsNothing(t *testing.T) {
	s := newTestServer(t)
	a, b := newBackend(t, "a", nil), newBackend(t, "b", nil)
	listen, other := freePort(t), freePort(t)
	base := httpRoute(listen, a.endpoint(1), b.endpoint(1))
	apply(t, s, StackConfig{Stack: "x", Routes: []Route{base}})

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	done := make(chan *loadResult)
	go func() { done <- runLoad(ctx, "http://"+listen+"/", 8, 20000) }()
	variants := []StackConfig{
		{Stack: "x", Routes: []Route{httpRoute(listen, a.endpoint(3), b.endpoint(1))}},
		{Stack: "x", Routes: []Route{httpRoute(listen, a.endpoint(1))}}, // b removed mid-flight
		{Stack: "x", Routes: []Route{httpRoute(listen, a.endpoint(1), b.endpoint(1)), func() Route {
			r := httpRoute(other, b.endpoint(1))
			r.Service = "api"
			return r
		}()}},
		{Stack: "x", Routes: []Route{httpRoute(listen, a.endpoint(1), b.endpoint(0))}}, // drain b
		{Stack: "x", Routes: []Route{base}},
	}
	for i := 0; ctx.Err() == nil && i < 200; i++ {
		if err := s.Apply(variants[i%len(variants)]); err != nil {
			t.Fatalf("push %d: %v", i, err)
		}
		time.Sleep(10 * time.Millisecond) // pace the pushes across the load
	}
	res := <-done
	if res.failed.Load() != 0 || res.ok.Load() < 500 {
		t.Fatalf("ok %d, failed %d; first: %s", res.ok.Load(), res.failed.Load(), res.firstErr)
	}
}
