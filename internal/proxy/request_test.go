package proxy

import (
	"bufio"
	"errors"
	"strings"
	"testing"
)

func TestParseRequest(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		code int // expected statusError code; 0 = parses
		want func(t *testing.T, r *reqHead)
	}{
		{name: "simple", raw: "GET /a/b?x=1 HTTP/1.1\r\nHost: Example.com:8080\r\n\r\n", want: func(t *testing.T, r *reqHead) {
			if string(r.path) != "/a/b" || string(r.host) != "Example.com:8080" || !r.keepAlive() || r.hasBody() || !r.replayable() {
				t.Errorf("got path %q host %q keep %v", r.path, r.host, r.keepAlive())
			}
		}},
		{name: "bare LF and stray CRLF first", raw: "\r\nGET / HTTP/1.1\nHost: a\n\n", want: func(t *testing.T, r *reqHead) {
			if string(r.host) != "a" {
				t.Errorf("host %q", r.host)
			}
		}},
		{name: "http/1.0 keep-alive", raw: "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", want: func(t *testing.T, r *reqHead) {
			if r.minor != 0 || !r.keepAlive() {
				t.Errorf("minor %d keep %v", r.minor, r.keepAlive())
			}
		}},
		{name: "close", raw: "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", want: func(t *testing.T, r *reqHead) {
			if r.keepAlive() {
				t.Error("keep-alive despite Connection: close")
			}
		}},
		{name: "chunked post", raw: "POST / HTTP/1.1\r\nHost: a\r\ntransfer-encoding: gzip, chunked\r\n\r\n", want: func(t *testing.T, r *reqHead) {
			if !r.chunked || !r.hasBody() || r.replayable() {
				t.Errorf("chunked %v", r.chunked)
			}
		}},
		{name: "upgrade", raw: "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n", want: func(t *testing.T, r *reqHead) {
			if !r.isUpgrade() {
				t.Error("not an upgrade")
			}
		}},
		{name: "absolute form", raw: "GET http://other.com/p?q HTTP/1.1\r\nHost: a\r\n\r\n", want: func(t *testing.T, r *reqHead) {
			if string(r.host) != "other.com" || string(r.path) != "/p" {
				t.Errorf("host %q path %q", r.host, r.path)
			}
		}},
		{name: "expect", raw: "PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-Continue\r\n\r\n", want: func(t *testing.T, r *reqHead) {
			if !r.expect || r.contentLength != 5 || r.replayable() {
				t.Errorf("expect %v cl %d", r.expect, r.contentLength)
			}
		}},
		{name: "same content-length twice", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n"},
		{name: "missing host", raw: "GET / HTTP/1.1\r\n\r\n", code: 400},
		{name: "two hosts", raw: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", code: 400},
		{name: "CL and TE", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", code: 400},
		{name: "differing CL", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", code: 400},
		{name: "signed CL", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\n", code: 400},
		{name: "TE not chunked", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", code: 501},
		{name: "space before colon", raw: "GET / HTTP/1.1\r\nHost : a\r\n\r\n", code: 400},
		{name: "obs-fold", raw: "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n  2\r\n\r\n", code: 400},
		{name: "bad version", raw: "GET / HTTP/2.5\r\nHost: a\r\n\r\n", code: 505},
		{name: "bad method", raw: "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", code: 400},
		{name: "connect", raw: "CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n", code: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br := bufio.NewReaderSize(strings.NewReader(tt.raw), 4096)
			head, err := readHead(br)
			if err != nil {
				t.Fatalf("readHead: %v", err)
			}
			var r reqHead
			err = r.parse(head)
			var se *statusError
			switch {
			case tt.code == 0 && err != nil:
				t.Fatalf("parse: %v", err)
			case tt.code != 0 && (!errors.As(err, &se) || se.code != tt.code):
				t.Fatalf("got error %v, want status %d", err, tt.code)
			case tt.want != nil:
				tt.want(t, &r)
			}
		})
	}
}

func TestReadHeadLimits(t *testing.T) {
	big := "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("a", 5000) + "\r\n\r\n"
	if _, err := readHead(bufio.NewReaderSize(strings.NewReader(big), 4096)); !errors.Is(err, errHeadTooLarge) {
		t.Errorf("oversized head: got %v", err)
	}
	// A head arriving byte by byte is still found.
	br := bufio.NewReaderSize(&oneByteReader{s: "GET / HTTP/1.1\r\nHost: a\r\n\r\nrest"}, 4096)
	head, err := readHead(br)
	if err != nil || !strings.HasSuffix(string(head), "Host: a\r\n\r\n") {
		t.Errorf("byte by byte: %q %v", head, err)
	}
	var r reqHead
	if err := r.parse([]byte("PRI * HTTP/2.0\r\n\r\n")); !errors.Is(err, errH2Preface) {
		t.Errorf("h2 preface: got %v", err)
	}
}

type oneByteReader struct{ s string }

func (o *oneByteReader) Read(p []byte) (int, error) {
	if o.s == "" {
		return 0, errors.New("EOF")
	}
	p[0] = o.s[0]
	o.s = o.s[1:]
	return 1, nil
}

func TestParseResponse(t *testing.T) {
	tests := []struct {
		raw                  string
		status               int
		cl                   int64
		chunked, keep, rewrt bool
	}{
		{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", 200, 5, false, true, false},
		{"HTTP/1.1 204 No Content\r\n\r\n", 204, -1, false, true, false},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n", 200, -1, true, false, true},
		{"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", 200, 1, false, false, false},
		{"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 1\r\n\r\n", 200, 1, false, true, true},
		{"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", 101, -1, false, true, false},
		{"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", 200, 0, false, true, false},
	}
	for _, tt := range tests {
		var r respHead
		if err := r.parse([]byte(tt.raw)); err != nil {
			t.Errorf("%q: %v", tt.raw, err)
			continue
		}
		if r.status != tt.status || r.contentLength != tt.cl || r.chunked != tt.chunked || r.keepAlive() != tt.keep || r.rewrite != tt.rewrt {
			t.Errorf("%q: got status %d cl %d chunked %v keep %v rewrite %v", tt.raw, r.status, r.contentLength, r.chunked, r.keepAlive(), r.rewrite)
		}
	}
	for _, bad := range []string{"HTTP/1.1 2000 OK\r\n\r\n", "HTTP/2 200\r\n\r\n", "HTTP/1.1 099 x\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"} {
		var r respHead
		if err := r.parse([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestChunkedPipe(t *testing.T) {
	in := "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\nNEXT"
	for _, raw := range []bool{true, false} {
		var out strings.Builder
		br := bufio.NewReaderSize(&oneByteReader{s: in}, 64)
		p := pipe{src: br, dst: &out}
		if err := p.chunked(raw); err != nil {
			t.Fatalf("raw=%v: %v", raw, err)
		}
		want := "hello world"
		if raw {
			want = in[:len(in)-4]
		}
		if out.String() != want || p.n != 11 {
			t.Errorf("raw=%v: got %q (%d bytes)", raw, out.String(), p.n)
		}
		if rest, _ := br.Peek(4); string(rest) != "NEXT" {
			t.Errorf("raw=%v: left %q", raw, rest)
		}
	}
	for _, bad := range []string{"x\r\n", "5\r\nhelloXX0\r\n\r\n", "fffffffffffffffff\r\n"} {
		p := pipe{src: bufio.NewReader(strings.NewReader(bad)), dst: &strings.Builder{}}
		if err := p.chunked(true); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestTraceparent(t *testing.T) {
	tests := []struct {
		v  string
		ok bool
	}{
		{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", true},
		{"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future", true},
		{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x", false},
		{"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false},
		{"00-00000000000000000000000000000000-00f067aa0ba902b7-01", false},
		{"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", false},
		{"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", false},
		{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", false},
	}
	for _, tt := range tests {
		id, _, ok := parseTraceparent([]byte(tt.v))
		if ok != tt.ok || ok && string(id) != "4bf92f3577b34da6a3ce929d0e0e4736" {
			t.Errorf("%q: ok %v id %q", tt.v, ok, id)
		}
	}
}
