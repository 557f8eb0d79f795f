package proxy

import (
	"net/http"
	"testing"
	"time"
)

func TestPassiveEjection(t *testing.T) {
	s := newTestServer(t)
	a := newBackend(t, "a", nil)
	bad := newBackend(t, "bad", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	listen := freePort(t)
	r := httpRoute(listen, a.endpoint(1), bad.endpoint(1))
	r.Eject = Eject{Errors: 3, Duration: Duration(time.Hour)}
	apply(t, s, StackConfig{Stack: "x", Routes: []Route{r}})
	cl := testClient()
	fails := 0
	for range 20 {
		if code, _, _ := get(t, cl, "http://"+listen+"/", ""); code == http.StatusInternalServerError {
			fails++
		}
	}
	if fails != 3 || bad.hits.Load() != 3 {
		t.Errorf("bad answered %d requests (%d 500s), want 3 before ejection", bad.hits.Load(), fails)
	}
	st := endpointStats(s, bad.addr)
	if !st.Ejected || !st.Healthy || st.Requests[4] != 3 {
		t.Errorf("stats %+v: want ejected, healthy, 3 5xx", st)
	}
}

func TestLastEndpointIsNeverEjected(t *testing.T) {
	s := newTestServer(t)
	bad := newBackend(t, "bad", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	listen := freePort(t)
	r := httpRoute(listen, bad.endpoint(1))
	r.Eject = Eject{Errors: 2, Duration: Duration(time.Hour)}
	apply(t, s, StackConfig{Stack: "x", Routes: []Route{r}})
	cl := testClient()
	for range 10 {
		get(t, cl, "http://"+listen+"/", "")
	}
	if bad.hits.Load() != 10 || endpointStats(s, bad.addr).Ejected {
		t.Errorf("the only endpoint got %d of 10 requests; ejected %v", bad.hits.Load(), endpointStats(s, bad.addr).Ejected)
	}
}
