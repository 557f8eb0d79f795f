package proxy

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"testing"
	"time"
)

func echoServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	return l.Addr().String()
}

func TestTCPRoute(t *testing.T) {
	s := newTestServer(t)
	echo := echoServer(t)
	listen := freePort(t)
	r := Route{Service: "db", Listen: listen, Protocol: ProtocolTCP, Retries: 1,
		Endpoints: []Endpoint{{ID: "db-1", Addr: echo, Weight: 1}},
		Health:    HealthCheck{Interval: Duration(20 * time.Millisecond)}}
	apply(t, s, StackConfig{Stack: "x", Routes: []Route{r}})

	c, err := net.Dial("tcp", listen)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(c)
	for i := range 3 {
		fmt.Fprintf(c, "line %d\n", i)
		if got, err := br.ReadString('\n'); err != nil || got != fmt.Sprintf("line %d\n", i) {
			t.Fatalf("echo: %q %v", got, err)
		}
	}
	if st := endpointStats(s, echo); st.Active != 1 {
		t.Errorf("active %d during the connection", st.Active)
	}
	c.(*net.TCPConn).CloseWrite()
	if rest, _ := io.ReadAll(br); len(rest) != 0 {
		t.Errorf("trailing bytes %q", rest)
	}
	waitFor(t, 3*time.Second, "connection accounted", func() bool {
		st := endpointStats(s, echo)
		return st.Active == 0 && st.BytesIn == 21 && st.BytesOut == 21
	})

	// With no endpoint able to take it, the connection is closed at once.
	r.Endpoints = []Endpoint{{ID: "db-1", Addr: echo, Weight: 0}}
	apply(t, s, StackConfig{Stack: "x", Routes: []Route{r}})
	c2, err := net.Dial("tcp", listen)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	c2.SetDeadline(time.Now().Add(5 * time.Second))
	if n, err := c2.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("read %d %v, want EOF", n, err)
	}
}
