package proxy

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// echoBody answers with the request body's length and hash.
func echoBody(w http.ResponseWriter, r *http.Request) {
	h := sha256.New()
	n, err := io.Copy(h, r.Body)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	fmt.Fprintf(w, "%d %x", n, h.Sum(nil))
}

func TestRequestBodies(t *testing.T) {
	s := newTestServer(t)
	b := newBackend(t, "b", echoBody)
	listen := freePort(t)
	apply(t, s, StackConfig{Stack: "x", Routes: []Route{httpRoute(listen, b.endpoint(1))}})
	cl := testClient()
	tests := []struct {
		name    string
		size    int
		chunked bool
	}{
		{"small", 100, false},
		{"large", 3 << 20, false},
		{"chunked", 1 << 20, true},
		{"empty", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := bytes.Repeat([]byte("0123456789abcdef"), tt.size/16+1)[:tt.size]
			var body io.Reader = bytes.NewReader(data)
			if tt.chunked {
				body = io.MultiReader(body) // hides the length: sent chunked
			}
			req, _ := http.NewRequest(http.MethodPost, "http://"+listen+"/upload", body)
			resp, err := cl.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			want := fmt.Sprintf("%d %x", len(data), sha256.Sum256(data))
			if resp.StatusCode != 200 || string(got) != want {
				t.Errorf("got %d %q, want %q", resp.StatusCode, got, want)
			}
		})
	}
}

// TestStreamingBothWays checks that neither direction is buffered: the
// backend sees the first request chunk before the client sends the
// second, and the client sees the first response chunk before the backend
// writes the second.
func TestStreamingBothWays(t *testing.T) {
	s := newTestServer(t)
	gotFirst, sendSecond := make(chan string, 1), make(chan struct{})
	b := newBackend(t, "b", func(w http.ResponseWriter, r *http.Request) {
		br := bufio.NewReader(r.Body)
		line, _ := br.ReadString('\n')
		gotFirst <- line
		rest, _ := io.ReadAll(br)
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "first:%s", line)
		w.(http.Flusher).Flush()
		<-sendSecond
		fmt.Fprintf(w, "second:%s", rest)
	})
	listen := freePort(t)
	apply(t, s, StackConfig{Stack: "x", Routes: []Route{httpRoute(listen, b.endpoint(1))}})

	pr, pw := io.Pipe()
	req, _ := http.NewRequest(http.MethodPost, "http://"+listen+"/", pr)
	respc := make(chan *http.Response, 1)
	errc := make(chan error, 1)
	go func() {
		resp, err := testClient().Do(req)
		if err != nil {
			errc <- err
			return
		}
		respc <- resp
	}()
	pw.Write([]byte("one\n"))
	select {
	case line := <-gotFirst:
		if line != "one\n" {
			t.Fatalf("backend got %q", line)
		}
	case err := <-errc:
		t.Fatal(err)
	case <-time.After(5 * time.Second):
		t.Fatal("the first request chunk was held back by the proxy")
	}
	pw.Write([]byte("two"))
	pw.Close()
	var resp *http.Response
	select {
	case resp = <-respc:
	case err := <-errc:
		t.Fatal(err)
	case <-time.After(5 * time.Second):
		t.Fatal("no response head")
	}
	defer resp.Body.Close()
	buf := make([]byte, len("first:one\n"))
	if _, err := io.ReadFull(resp.Body, buf); err != nil || string(buf) != "first:one\n" {
		t.Fatalf("first response chunk: %q %v", buf, err)
	}
	close(sendSecond)
	rest, _ := io.ReadAll(resp.Body)
	if string(rest) != "second:two" {
		t.Errorf("second response chunk: %q", rest)
	}
}

// rawExchange writes raw requests on one connection and returns it with
// its reader, for what net/http's client hides.
func rawConn(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return c, bufio.NewReader(c)
}

// readResponse reads one response on a raw connection: its head and, as
// its framing says, its body.
func readResponse(t *testing.T, br *bufio.Reader, head bool) (*http.Response, string) {
	t.Helper()
	req := &http.Request{Method: http.MethodGet}
	if head {
		req.Method = http.MethodHead
	}
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		t.Fatalf("reading response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return resp, string(body)
}

func TestFramingEdgeCases(t *testing.T) {
	s := newTestServer(t)
	b := newBackend(t, "b", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/nocontent":
			w.WriteHeader(http.StatusNoContent)
		case "/notmodified":
			w.Header().Set("Etag", `"x"`)
			w.WriteHeader(http.StatusNotModified)
		case "/chunked":
			io.WriteString(w, "part1,")
			w.(http.Flusher).Flush()
			io.WriteString(w, "part2")
		case "/close":
			c, bw, _ := w.(http.Hijacker).Hijack()
			bw.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close")
			bw.Flush()
			c.Close()
		case "/expect":
			echoBody(w, r)
		default:
			w.Header().Set("Content-Length", "5")
			io.WriteString(w, "hello")
		}
	})
	listen := freePort(t)
	apply(t, s, StackConfig{Stack: "x", Routes: []Route{httpRoute(listen, b.endpoint(1))}})

	c, br := rawConn(t, listen)
	// Bodyless answers keep the connection usable, pipelined or not.
	fmt.Fprint(c, "HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET /nocontent HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp, body := readResponse(t, br, true); resp.StatusCode != 200 || resp.ContentLength != 5 || body != "" {
		t.Errorf("HEAD: %d cl %d %q", resp.StatusCode, resp.ContentLength, body)
	}
	if resp, _ := readResponse(t, br, false); resp.StatusCode != 204 {
		t.Errorf("204: %d", resp.StatusCode)
	}
	fmt.Fprint(c, "GET /notmodified HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp, _ := readResponse(t, br, false); resp.StatusCode != 304 {
		t.Errorf("304: %d", resp.StatusCode)
	}
	fmt.Fprint(c, "GET /chunked HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp, body := readResponse(t, br, false); len(resp.TransferEncoding) != 1 || body != "part1,part2" {
		t.Errorf("chunked: %v %q", resp.TransferEncoding, body)
	}
	// 100-continue: the body goes only after the backend's 100.
	fmt.Fprint(c, "POST /expect HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
	line, err := br.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 100") {
		t.Fatalf("want 100 Continue, got %q %v", line, err)
	}
	if blank, _ := br.ReadString('\n'); blank != "\r\n" {
		t.Fatalf("100 Continue head: %q", blank)
	}
	fmt.Fprint(c, "data")
	if resp, body := readResponse(t, br, false); resp.StatusCode != 200 || !strings.HasPrefix(body, "4 ") {
		t.Errorf("after 100: %d %q", resp.StatusCode, body)
	}
	// A body delimited by the backend closing ends the client connection too.
	fmt.Fprint(c, "GET /close HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp, body := readResponse(t, br, false); body != "until close" || !resp.Close {
		t.Errorf("close-delimited: %q close=%v", body, resp.Close)
	}

	// HTTP/1.0 clients get chunked bodies without the chunking.
	c10, br10 := rawConn(t, listen)
	fmt.Fprint(c10, "GET /chunked HTTP/1.0\r\nHost: x\r\n\r\n")
	all, _ := io.ReadAll(br10)
	if !strings.HasSuffix(string(all), "\r\n\r\npart1,part2") || strings.Contains(strings.ToLower(string(all)), "transfer-encoding") {
		t.Errorf("HTTP/1.0 chunked: %q", all)
	}
}
