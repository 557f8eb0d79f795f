package proxy

import (
	"encoding/json"
	"net/http"
	"regexp"
	"testing"
)

func TestForwardingHeaders(t *testing.T) {
	s := newTestServer(t)
	b := newBackend(t, "b", func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Clone()
		h.Set("Host", r.Host)
		h["Te"] = r.Header["Te"]
		w.Header().Set("Connection", "X-Private")
		w.Header().Set("X-Private", "backend secret")
		w.Header().Set("Keep-Alive", "timeout=5")
		json.NewEncoder(w).Encode(h)
	})
	listen := freePort(t)
	apply(t, s, StackConfig{Stack: "x", Routes: []Route{httpRoute(listen, b.endpoint(1))}})
	const trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	hexID := regexp.MustCompile(`^[0-9a-f]{32}$`)
	tests := []struct {
		name  string
		in    map[string]string
		check func(t *testing.T, got http.Header)
	}{
		{"generated", nil, func(t *testing.T, got http.Header) {
			if got.Get("X-Forwarded-For") != "127.0.0.1" || got.Get("X-Forwarded-Proto") != "http" || got.Get("X-Forwarded-Host") != "app.test:81" {
				t.Errorf("X-Forwarded-*: %v %v %v", got["X-Forwarded-For"], got["X-Forwarded-Proto"], got["X-Forwarded-Host"])
			}
			if !hexID.MatchString(got.Get("X-Request-Id")) {
				t.Errorf("X-Request-Id %q", got.Get("X-Request-Id"))
			}
			id, flags, ok := parseTraceparent([]byte(got.Get("Traceparent")))
			if !ok || string(flags) != "01" || !hexID.MatchString(string(id)) {
				t.Errorf("generated traceparent %q", got.Get("Traceparent"))
			}
		}},
		{"propagated", map[string]string{"X-Forwarded-For": "10.1.1.1", "X-Request-Id": "req-42", "Traceparent": trace, "Tracestate": "v=1", "X-Forwarded-Proto": "https"}, func(t *testing.T, got http.Header) {
			if got.Get("X-Forwarded-For") != "10.1.1.1, 127.0.0.1" || got.Get("X-Forwarded-Proto") != "http" {
				t.Errorf("X-Forwarded-For %q proto %q", got.Get("X-Forwarded-For"), got.Get("X-Forwarded-Proto"))
			}
			if got.Get("X-Request-Id") != "req-42" {
				t.Errorf("X-Request-Id %q", got.Get("X-Request-Id"))
			}
			tp := got.Get("Traceparent")
			if len(tp) != 55 || tp[3:35] != trace[3:35] || tp[36:52] == trace[36:52] || tp[53:] != "01" || got.Get("Tracestate") != "v=1" {
				t.Errorf("traceparent %q (sent %q), tracestate %q", tp, trace, got.Get("Tracestate"))
			}
		}},
		{"invalid trace restarts", map[string]string{"Traceparent": "00-zz-00f067aa0ba902b7-01", "Tracestate": "v=1", "X-Request-Id": "bad id"}, func(t *testing.T, got http.Header) {
			if _, _, ok := parseTraceparent([]byte(got.Get("Traceparent"))); !ok || got.Get("Tracestate") != "" {
				t.Errorf("traceparent %q tracestate %q", got.Get("Traceparent"), got.Get("Tracestate"))
			}
			if !hexID.MatchString(got.Get("X-Request-Id")) {
				t.Errorf("invalid X-Request-Id kept: %q", got.Get("X-Request-Id"))
			}
		}},
		{"hop-by-hop dropped", map[string]string{"Connection": "X-Hop", "X-Hop": "1", "Keep-Alive": "300", "Te": "trailers", "Proxy-Authorization": "Basic x", "X-End": "kept"}, func(t *testing.T, got http.Header) {
			for _, h := range []string{"X-Hop", "Keep-Alive", "Te", "Proxy-Authorization", "Connection"} {
				if v, ok := got[h]; ok && len(v) > 0 {
					t.Errorf("%s forwarded: %q", h, v)
				}
			}
			if got.Get("X-End") != "kept" {
				t.Error("end-to-end header lost")
			}
		}},
	}
	cl := testClient()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, "http://"+listen+"/", nil)
			req.Host = "app.test:81"
			for k, v := range tt.in {
				req.Header.Set(k, v)
			}
			resp, err := cl.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.Header.Get("X-Private") != "" || resp.Header.Get("Keep-Alive") != "" {
				t.Errorf("response hop-by-hop headers reached the client: %v", resp.Header)
			}
			var got http.Header
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			tt.check(t, got)
		})
	}
}
