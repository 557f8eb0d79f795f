package proxy

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// startRun runs the proxy process's main loop in the test and returns its
// client and a function that stops it (as SIGTERM would) and returns
// Run's error.
func startRun(t *testing.T) (*Client, string, func() error) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "proxy.sock")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, RunOptions{Control: sock, Version: "test", Logger: testLogger(t)}) }()
	c := NewClient(sock)
	waitFor(t, 5*time.Second, "the control socket", func() bool {
		_, err := c.Ping(context.Background())
		return err == nil
	})
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(ShutdownGrace + 5*time.Second):
			return errors.New("Run did not return")
		}
	}
	t.Cleanup(func() { _ = stop() })
	return c, sock, stop
}

func TestControlAPI(t *testing.T) {
	c, sock, stop := startRun(t)
	ctx := context.Background()
	info, err := c.Ping(ctx)
	if err != nil || info.PID != os.Getpid() || info.Version != "test" || time.Since(info.Started) > time.Minute {
		t.Fatalf("ping: %+v %v", info, err)
	}
	if st, err := os.Stat(sock); err != nil || st.Mode()&os.ModeSocket == 0 || st.Mode().Perm() != 0o600 {
		t.Errorf("control socket mode: %v %v", st.Mode(), err)
	}
	if err := Run(ctx, RunOptions{Control: sock}); err == nil || !strings.Contains(err.Error(), "another proxy (pid") {
		t.Errorf("second proxy on the socket: %v", err)
	}

	b := newBackend(t, "b", nil)
	listen := freePort(t)
	cfg := StackConfig{Stack: "x", Routes: []Route{httpRoute(listen, b.endpoint(1))}}
	if err := c.Put(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Stacks(ctx); err != nil || !reflect.DeepEqual(got, []StackConfig{cfg}) {
		t.Errorf("stacks: %+v %v", got, err)
	}
	waitFor(t, 5*time.Second, "healthy endpoint in stats", func() bool {
		st, err := c.Stats(ctx)
		return err == nil && len(st.Routes) == 1 && st.Routes[0].Endpoints[0].Healthy
	})
	if code, body, _ := get(t, testClient(), "http://"+listen+"/", ""); code != 200 || body != "b" {
		t.Fatalf("through the proxy: %d %q", code, body)
	}

	refusals := []struct {
		cfg  StackConfig
		code int
		msg  string
	}{
		{StackConfig{Stack: "x", Routes: []Route{{Service: "", Listen: listen}}}, 400, "service is empty"},
		{StackConfig{Stack: "y", Routes: []Route{httpRoute(listen, b.endpoint(1))}}, 409, "is already claimed (stack \"x\""},
		{StackConfig{Stack: "y", Routes: []Route{httpRoute(b.addr, b.endpoint(1))}}, 409, "cannot listen on " + b.addr},
	}
	for _, r := range refusals {
		err := c.Put(ctx, r.cfg)
		var se *StatusError
		if !errors.As(err, &se) || se.Code != r.code || !strings.Contains(se.Message, r.msg) {
			t.Errorf("push %+v: got %v, want %d %q", r.cfg, err, r.code, r.msg)
		}
	}
	if st, _ := c.Stats(ctx); st.Routes[0].Endpoints[0].Requests[1] != 1 {
		t.Errorf("stats: %+v", st)
	}

	if err := c.Delete(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Stacks(ctx); err != nil || len(got) != 0 {
		t.Errorf("stacks after delete: %+v %v", got, err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("control socket left behind: %v", err)
	}
}

// TestGracefulStop stops the proxy while a request is in flight: the
// request completes, the listener stops accepting.
func TestGracefulStop(t *testing.T) {
	c, _, stop := startRun(t)
	started, release := make(chan struct{}), make(chan struct{})
	b := newBackend(t, "b", func(w http.ResponseWriter, _ *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "finished")
	})
	listen := freePort(t)
	if err := c.Put(context.Background(), StackConfig{Stack: "x", Routes: []Route{httpRoute(listen, b.endpoint(1))}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "healthy", func() bool {
		st, err := c.Stats(context.Background())
		return err == nil && st.Routes[0].Endpoints[0].Healthy
	})
	result := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + listen + "/")
		if err != nil {
			result <- err.Error()
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		result <- string(body)
	}()
	<-started
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	waitFor(t, 5*time.Second, "the listener to stop accepting", func() bool {
		_, err := http.Get("http://" + listen + "/")
		return err != nil
	})
	close(release)
	if got := <-result; got != "finished" {
		t.Errorf("in-flight request: %q", got)
	}
	if err := <-stopped; err != nil {
		t.Error(err)
	}
}
