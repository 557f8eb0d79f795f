package proxy

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestUpgradeEcho(t *testing.T) {
	s := newTestServer(t)
	b := newBackend(t, "b", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "echo" || !strings.EqualFold(r.Header.Get("Connection"), "upgrade") {
			http.Error(w, "upgrade headers lost", 400)
			return
		}
		c, bw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer c.Close()
		bw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
		bw.Flush()
		io.Copy(c, bw.Reader) // echo until the client half-closes
	})
	listen := freePort(t)
	apply(t, s, StackConfig{Stack: "x", Routes: []Route{httpRoute(listen, b.endpoint(1))}})

	c, br := rawConn(t, listen)
	fmt.Fprint(c, "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 || resp.Header.Get("Upgrade") != "echo" {
		t.Fatalf("upgrade answer: %v %v", resp, err)
	}
	for _, msg := range []string{"ping\n", "second message\n"} {
		fmt.Fprint(c, msg)
		got, err := bufio.NewReader(io.LimitReader(br, int64(len(msg)))).ReadString('\n')
		if err != nil || got != msg {
			t.Fatalf("echo: %q %v", got, err)
		}
	}
	if st := endpointStats(s, b.addr); st.Active != 1 {
		t.Errorf("active during the upgraded connection: %d", st.Active)
	}
	c.(interface{ CloseWrite() error }).CloseWrite()
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Errorf("after half-close: %q %v", rest, err)
	}
	waitFor(t, 3*time.Second, "active back to 0", func() bool { return endpointStats(s, b.addr).Active == 0 })
}
