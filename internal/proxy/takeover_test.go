package proxy

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildBerth builds the berth binary into dir with main.version set.
func buildBerth(t *testing.T, dir, version string) string {
	t.Helper()
	bin := filepath.Join(dir, "berth-"+version)
	build := exec.Command("go", "build", "-ldflags", "-X main.version="+version, "-o", bin, "github.com/berth-dev/berth/cmd/berth")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building berth %s: %v\n%s", version, err, out)
	}
	return bin
}

// TestTakeoverUnderLoad replaces a running proxy process (version A) by
// another (version B) as Ensure does on a berth upgrade, and back and
// forth again, while clients send requests on keep-alive and fresh
// connections to two listeners: no request may fail, the replaced
// processes must exit and the last serve the same routes.
func TestTakeoverUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the berth binary")
	}
	dir := t.TempDir()
	binA, binB := buildBerth(t, dir, "A"), buildBerth(t, dir, "B")
	ctx := context.Background()
	sock := filepath.Join(dir, "p.sock")
	spawn := Spawn{Bin: binA, Control: sock, AccessLog: filepath.Join(dir, "access.log"), Version: "A", Logger: testLogger(t)}
	c, err := Ensure(ctx, spawn)
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.Ping(ctx)
	if err != nil || a.Version != "A" || !a.Takeover {
		t.Fatalf("proxy A: %+v %v", a, err)
	}
	t.Cleanup(func() { _ = syscall.Kill(a.PID, syscall.SIGKILL) })

	b1, b2 := newBackend(t, "b1", nil), newBackend(t, "b2", nil)
	l1, l2 := freePort(t), freePort(t)
	cfgs := []StackConfig{
		{Stack: "x", Routes: []Route{httpRoute(l1, b1.endpoint(1), b2.endpoint(1))}},
		{Stack: "y", Routes: []Route{httpRoute(l2, b2.endpoint(1))}},
	}
	for _, cfg := range cfgs {
		if err := c.Put(ctx, cfg); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 5*time.Second, "endpoints healthy in A", func() bool { return allHealthy(ctx, c, 3) })

	// Bounded load: at most 100k requests per loop and 30 s, stopped
	// once B has served for a while.
	lctx, stopLoad := context.WithTimeout(ctx, 30*time.Second)
	defer stopLoad()
	var keep, fresh *loadResult
	var loads sync.WaitGroup
	loads.Go(func() { keep = runLoad(lctx, "http://"+l1+"/", 8, 100_000) })
	loads.Go(func() {
		fresh = runLoadWith(lctx, &http.Transport{DisableKeepAlives: true}, "http://"+l2+"/", 4, 100_000)
	})
	waitFor(t, 10*time.Second, "load through A", func() bool { return b1.hits.Load()+b2.hits.Load() > 500 })

	// Three takeovers in a row: A to B, back to A (a downgrade is a
	// version change too) and to B again, each taking over sockets the
	// previous process itself inherited.
	prev := a
	var olds []int
	for _, v := range []string{"B", "A", "B"} {
		spawn.Bin, spawn.Version = map[string]string{"A": binA, "B": binB}[v], v
		if c, err = Ensure(ctx, spawn); err != nil {
			t.Fatal(err)
		}
		now, err := c.Ping(ctx)
		if err != nil || now.Version != v || now.PID == prev.PID {
			t.Fatalf("after the takeover by %s the socket answers %+v %v", v, now, err)
		}
		t.Cleanup(func() { _ = syscall.Kill(now.PID, syscall.SIGKILL) })
		olds = append(olds, prev.PID)
		prev = now
		at := b1.hits.Load() + b2.hits.Load()
		waitFor(t, 10*time.Second, "load through "+v, func() bool { return b1.hits.Load()+b2.hits.Load() > at+3000 })
	}
	bInfo := prev
	stopLoad()
	loads.Wait()
	t.Logf("load over 3 takeovers: keep-alive %d ok %d failed, new connections %d ok %d failed",
		keep.ok.Load(), keep.failed.Load(), fresh.ok.Load(), fresh.failed.Load())
	for _, r := range []*loadResult{keep, fresh} {
		if r.failed.Load() != 0 {
			t.Errorf("%d requests failed during the takeovers; first: %s", r.failed.Load(), r.firstErr)
		}
	}

	for _, pid := range olds {
		waitFor(t, ShutdownGrace+2*time.Second, "the replaced proxies to exit", func() bool { return syscall.Kill(pid, 0) != nil })
	}
	for range 10 {
		if info, err := NewClient(sock).Ping(ctx); err != nil || info.PID != bInfo.PID {
			t.Fatalf("ping after the old proxies exited: %+v %v", info, err)
		}
	}
	cl := testClient()
	if code, _, _ := get(t, cl, "http://"+l1+"/", ""); code != 200 {
		t.Errorf("%s through B: %d", l1, code)
	}
	if code, body, _ := get(t, cl, "http://"+l2+"/", ""); code != 200 || body != "b2" {
		t.Errorf("%s through B: %d %q", l2, code, body)
	}
	if got, err := c.Stacks(ctx); err != nil || len(got) != 2 || got[0].Stack != "x" || got[1].Stack != "y" {
		t.Errorf("B's stacks: %+v %v", got, err)
	}
	st, err := c.Stats(ctx)
	if err != nil || len(st.Routes) != 2 {
		t.Fatalf("B's stats: %+v %v", st, err)
	}
	for _, r := range st.Routes {
		for _, e := range r.Endpoints {
			if !e.Healthy || e.Requests[1] == 0 {
				t.Errorf("B's endpoint %s of %s: %+v", e.Addr, r.Stack, e)
			}
		}
	}
	if err := tryLock(sock + ".lock"); err == nil {
		t.Error("the control lock is free while B runs")
	}
	log, _ := os.ReadFile(sock + ".log")
	if testing.Verbose() {
		t.Logf("proxy log:\n%s", log)
	}
	for _, want := range []string{"handed over", "proxy took over"} {
		if !strings.Contains(string(log), want) {
			t.Errorf("the proxy log lacks %q:\n%s", want, log)
		}
	}
	// The same version again is left alone.
	if c, err = Ensure(ctx, spawn); err != nil {
		t.Fatal(err)
	}
	if again, _ := c.Ping(ctx); again.PID != bInfo.PID {
		t.Errorf("Ensure of the running version replaced it: pid %d, want %d", again.PID, bInfo.PID)
	}
}

// allHealthy reports whether the proxy has n endpoints, all healthy.
func allHealthy(ctx context.Context, c *Client, n int) bool {
	st, err := c.Stats(ctx)
	if err != nil {
		return false
	}
	seen := 0
	for _, r := range st.Routes {
		for _, e := range r.Endpoints {
			if !e.Healthy {
				return false
			}
			seen++
		}
	}
	return seen == n
}
