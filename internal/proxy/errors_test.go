package proxy

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestProxyAnswers covers the answers the proxy gives itself: 503 when no
// endpoint may take the request, 502 when every try failed, 504 when the
// response head is late.
func TestProxyAnswers(t *testing.T) {
	slow := newBackend(t, "slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	})
	dead := Endpoint{ID: "dead", Addr: freePort(t), Weight: 1}
	late := httpRoute("", slow.endpoint(1))
	late.Timeouts.Header = Duration(100 * time.Millisecond)
	tests := []struct {
		name string
		r    Route
		// forceHealthy marks the endpoints healthy by hand, so requests
		// reach an address that refuses them.
		forceHealthy bool
		code         int
		body         string
	}{
		{"no endpoint healthy", httpRoute("", dead), false, 503, "no endpoint available"},
		{"every try fails", httpRoute("", dead), true, 502, "bad gateway"},
		{"header timeout", late, false, 504, "gateway timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t)
			listen := freePort(t)
			r := tt.r
			r.Listen = listen
			r.Health.Interval = Duration(time.Hour) // one probe: the first
			if err := s.Apply(StackConfig{Stack: "x", Routes: []Route{r}}); err != nil {
				t.Fatal(err)
			}
			if tt.forceHealthy {
				s.mu.Lock()
				for _, ep := range s.endpoints {
					ep.healthy.Store(true)
				}
				s.mu.Unlock()
			} else if r.Endpoints[0] != dead {
				waitFor(t, 3*time.Second, "healthy", func() bool { return endpointStats(s, r.Endpoints[0].Addr).Healthy })
			}
			code, body, hdr := get(t, testClient(), "http://"+listen+"/", "")
			if code != tt.code || !strings.Contains(body, tt.body) || hdr.Get("X-Request-Id") == "" {
				t.Errorf("got %d %q (request id %q), want %d %q", code, body, hdr.Get("X-Request-Id"), tt.code, tt.body)
			}
			if st := s.Stats().Routes[0]; tt.code != 504 && st.NoEndpoint != 1 {
				t.Errorf("no_endpoint %d", st.NoEndpoint)
			}
		})
	}
}

func TestIdleClientTimeout(t *testing.T) {
	s := newTestServer(t)
	b := newBackend(t, "b", nil)
	listen := freePort(t)
	r := httpRoute(listen, b.endpoint(1))
	r.Timeouts.Idle = Duration(150 * time.Millisecond)
	apply(t, s, StackConfig{Stack: "x", Routes: []Route{r}})
	c, br := rawConn(t, listen)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp, body := readResponse(t, br, false); resp.StatusCode != 200 || body != "b" {
		t.Fatalf("got %d %q", resp.StatusCode, body)
	}
	start := time.Now()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := br.ReadByte(); err != io.EOF {
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatal("the proxy kept an idle connection past its idle timeout")
		}
	}
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("closed after %v, before the idle timeout", d)
	}
}
