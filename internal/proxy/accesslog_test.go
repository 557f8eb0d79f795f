package proxy

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestAccessLog(t *testing.T) {
	var out syncBuffer
	s := newTestServer(t, func(o *Options) { o.AccessLog = &out })
	b := newBackend(t, "b", nil)
	listen := freePort(t)
	apply(t, s, StackConfig{Stack: "shop", Routes: []Route{httpRoute(listen, b.endpoint(1))}})
	c := testClient()
	req, _ := httpGetRequest("http://"+listen+"/cart?secret=1", "shop.test")
	req.Header.Set("X-Request-Id", "r-1")
	req.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	raw, br := rawConn(t, listen)
	raw.Write([]byte("GET / HTTP/1.1\r\nHost: \x01we\"ird\r\n\r\n"))
	readResponse(t, br, false) // the backend refuses such a host; the log must still be JSON

	waitFor(t, 2*time.Second, "two access log lines", func() bool { return strings.Count(out.String(), "\n") == 2 })
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var e map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &e); err != nil {
		t.Fatalf("line %q: %v", lines[0], err)
	}
	want := map[string]any{
		"stack": "shop", "service": "web", "method": "GET", "host": "shop.test", "path": "/cart",
		"status": 200.0, "bytes": 1.0, "upstream": b.addr, "request_id": "r-1",
		"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "remote": "127.0.0.1",
	}
	for k, v := range want {
		if e[k] != v {
			t.Errorf("%s = %v, want %v", k, e[k], v)
		}
	}
	if _, err := time.Parse(time.RFC3339Nano, e["time"].(string)); err != nil {
		t.Errorf("time %v: %v", e["time"], err)
	}
	if d, ok := e["duration_ms"].(float64); !ok || d <= 0 {
		t.Errorf("duration_ms %v", e["duration_ms"])
	}
	if err := json.Unmarshal([]byte(lines[1]), &e); err != nil || e["host"] != "\x01we\"ird" {
		t.Errorf("escaped line %q: %v", lines[1], err)
	}
}
