package proxy

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func testMembers(weights ...int) []*member {
	ms := make([]*member, len(weights))
	for i, w := range weights {
		ep := &endpoint{addr: string(rune('a' + i))}
		ep.healthy.Store(true)
		ms[i] = &member{ep: ep, cfg: Endpoint{Addr: ep.addr, Weight: w}}
	}
	return ms
}

func TestSmoothWeightedRoundRobin(t *testing.T) {
	tests := []struct {
		weights []int
		down    int // index of an unavailable member, or -1
		want    string
	}{
		{[]int{5, 1, 1}, -1, "aabacaa"}, // nginx's documented sequence
		{[]int{1, 1, 1}, -1, "abcabc"},
		{[]int{2, 0, 1}, -1, "acaaca"},
		{[]int{5, 1, 1}, 0, "bcbc"},
		{[]int{1}, -1, "aaa"},
		{[]int{0}, -1, "-"},
	}
	for _, tt := range tests {
		b := newBalancer(testMembers(tt.weights...), PolicyRoundRobin)
		if tt.down >= 0 {
			b.members[tt.down].ep.healthy.Store(false)
		}
		var got strings.Builder
		for range len(tt.want) {
			if m := b.pick(0, 0); m != nil {
				got.WriteString(m.ep.addr)
			} else {
				got.WriteString("-")
			}
		}
		if got.String() != tt.want {
			t.Errorf("weights %v down %d: got %s, want %s", tt.weights, tt.down, got.String(), tt.want)
		}
	}
	// Tried members are skipped.
	b := newBalancer(testMembers(1, 1), PolicyRoundRobin)
	if m := b.pick(0, b.members[0].bit); m != b.members[1] {
		t.Errorf("tried member picked again")
	}
	if m := b.pick(0, b.members[0].bit|b.members[1].bit); m != nil {
		t.Errorf("picked with everything tried")
	}
}

func TestLeastConnPick(t *testing.T) {
	ms := testMembers(1, 2, 1)
	b := newBalancer(ms, PolicyLeastConn)
	ms[0].ep.active.Store(2)
	ms[1].ep.active.Store(3) // 1.5 per unit of weight
	ms[2].ep.active.Store(1)
	if m := b.pick(0, 0); m != ms[2] {
		t.Errorf("picked %s, want c", m.ep.addr)
	}
	ms[2].ep.active.Store(2)
	if m := b.pick(0, 0); m != ms[1] {
		t.Errorf("picked %s, want b (weighted)", m.ep.addr)
	}
	ms[1].ep.ejectedUntil.Store(time.Now().Add(time.Hour).UnixNano())
	if m := b.pick(time.Now().UnixNano(), 0); m == ms[1] {
		t.Error("picked an ejected member")
	}
}

func TestWeightDistribution(t *testing.T) {
	s := newTestServer(t)
	a, b, c := newBackend(t, "a", nil), newBackend(t, "b", nil), newBackend(t, "c", nil)
	listen := freePort(t)
	apply(t, s, StackConfig{Stack: "x", Routes: []Route{httpRoute(listen, a.endpoint(5), b.endpoint(1), c.endpoint(1))}})
	cl := testClient()
	for range 70 {
		if code, body, _ := get(t, cl, "http://"+listen+"/", ""); code != 200 {
			t.Fatalf("got %d %q", code, body)
		}
	}
	if a.hits.Load() != 50 || b.hits.Load() != 10 || c.hits.Load() != 10 {
		t.Errorf("hits a=%d b=%d c=%d, want 50/10/10", a.hits.Load(), b.hits.Load(), c.hits.Load())
	}
}

func TestLeastConnAvoidsBusyEndpoint(t *testing.T) {
	s := newTestServer(t)
	release := make(chan struct{})
	slow := newBackend(t, "slow", func(w http.ResponseWriter, _ *http.Request) { <-release })
	fast := newBackend(t, "fast", nil)
	listen := freePort(t)
	r := httpRoute(listen, slow.endpoint(1), fast.endpoint(1))
	r.Policy = PolicyLeastConn
	apply(t, s, StackConfig{Stack: "x", Routes: []Route{r}})
	cl := testClient()
	var wg sync.WaitGroup
	for range 10 {
		done := make(chan struct{})
		// Read before sending: the request may reach the slow endpoint
		// before this goroutine runs again.
		before := slow.hits.Load()
		wg.Go(func() {
			defer close(done)
			resp, err := cl.Get("http://" + listen + "/")
			if err == nil {
				resp.Body.Close()
			}
		})
		waitFor(t, 5*time.Second, "request answered or parked", func() bool {
			select {
			case <-done:
				return true
			default:
				return slow.hits.Load() > before
			}
		})
	}
	// Round robin would have parked five requests on the slow endpoint.
	if slow.hits.Load() > 1 || fast.hits.Load() < 9 {
		t.Errorf("slow got %d, fast %d", slow.hits.Load(), fast.hits.Load())
	}
	close(release)
	wg.Wait()
}
