package proxy

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestDrainingEndpoint(t *testing.T) {
	s := newTestServer(t)
	started, release := make(chan string, 1), make(chan struct{})
	var mu sync.Mutex
	closed := map[string]bool{} // by the proxy's local address
	slowSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			return
		}
		started <- r.RemoteAddr
		<-release
		io.WriteString(w, "slow")
	}))
	slowSrv.Config.ConnState = func(c net.Conn, st http.ConnState) {
		if st == http.StateClosed {
			mu.Lock()
			closed[c.RemoteAddr().String()] = true
			mu.Unlock()
		}
	}
	slowSrv.Start()
	t.Cleanup(slowSrv.Close)
	slow := Endpoint{ID: "slow", Addr: strings.TrimPrefix(slowSrv.URL, "http://"), Weight: 1}
	other := newBackend(t, "other", nil)
	listen := freePort(t)
	apply(t, s, StackConfig{Stack: "x", Routes: []Route{httpRoute(listen, slow)}})

	cl := testClient()
	inflight := make(chan string)
	go func() {
		_, body, _ := get(t, cl, "http://"+listen+"/", "")
		inflight <- body
	}()
	var conn string
	select {
	case conn = <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("the request never reached the slow endpoint")
	}

	slow.Weight = 0
	apply(t, s, StackConfig{Stack: "x", Routes: []Route{httpRoute(listen, slow, other.endpoint(1))}})
	for range 5 {
		if code, body, _ := get(t, testClient(), "http://"+listen+"/", ""); code != 200 || body != "other" {
			t.Fatalf("new request while draining: %d %q", code, body)
		}
	}
	close(release)
	if body := <-inflight; body != "slow" {
		t.Fatalf("in-flight request got %q", body)
	}
	// Its backend connection is closed rather than pooled.
	waitFor(t, 3*time.Second, "the draining endpoint's connection closed", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return closed[conn]
	})
	if st := endpointStats(s, slow.Addr); st.Active != 0 || st.Requests[1] != 1 || st.Weight != 0 {
		t.Errorf("draining endpoint stats %+v", st)
	}
}
