package proxy

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The benchmarks compare one loopback backend hit directly with the same
// backend through the proxy, over keep-alive connections driven by a
// minimal client (so the client costs little next to what is measured):
//
//	go test -run '^$' -bench . -benchmem ./internal/proxy
//
// Each parallel goroutine owns one connection, like wrk.

func benchBackend(b *testing.B) string {
	body := strings.Repeat("x", 64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, body)
	}))
	b.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func BenchmarkDirect(b *testing.B) {
	runBench(b, benchBackend(b))
}

func BenchmarkProxy(b *testing.B) {
	backend := benchBackend(b)
	s := newTestServer(b)
	listen := freePort(b)
	apply(b, s, StackConfig{Stack: "bench", Routes: []Route{httpRoute(listen, Endpoint{ID: "a", Addr: backend, Weight: 1})}})
	runBench(b, listen)
}

func runBench(b *testing.B, addr string) {
	b.SetParallelism(8) // 16 connections on 2 cores
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close()
		rc := &rawClient{br: bufio.NewReaderSize(c, 16<<10), c: c,
			req: []byte("GET /bench HTTP/1.1\r\nHost: bench.local\r\nUser-Agent: bench\r\n\r\n")}
		for pb.Next() {
			if err := rc.do(); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// rawClient sends one request at a time on a keep-alive connection.
type rawClient struct {
	c    net.Conn
	br   *bufio.Reader
	req  []byte
	resp respHead
}

func (rc *rawClient) do() error {
	if _, err := rc.c.Write(rc.req); err != nil {
		return err
	}
	head, err := readHead(rc.br)
	if err != nil {
		return err
	}
	if err := rc.resp.parse(head); err != nil {
		return err
	}
	if rc.resp.status != 200 {
		return fmt.Errorf("status %d", rc.resp.status)
	}
	_, _ = rc.br.Discard(len(head))
	_, err = rc.br.Discard(int(rc.resp.contentLength))
	return err
}
