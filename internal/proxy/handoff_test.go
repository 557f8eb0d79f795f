package proxy

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// controlOf serves s's control API with handoff on a fresh socket in dir,
// as Run does, and returns the handoff source and the socket's path.
func controlOf(t *testing.T, s *Server, dir string) (*handoffSource, string) {
	t.Helper()
	path := filepath.Join(dir, "p.sock")
	ln, lock, err := listenControl(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	info := PingInfo{PID: 1, Version: "old", Takeover: true}
	ho := newHandoffSource(s, ln, lock, info, testLogger(t))
	mux := http.NewServeMux()
	mux.Handle("/", s.ControlHandler(info))
	mux.Handle("POST "+handoffPath, ho)
	srv := &http.Server{Handler: mux}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close(); _ = lock.Close() })
	return ho, path
}

// slowHealth probes once at start and then hourly, so a test decides what
// the new process's first probe sees.
var slowHealth = HealthCheck{Path: "/healthz", Interval: Duration(time.Hour), Timeout: Duration(500 * time.Millisecond)}

// TestHandoffInProcess runs both sides of the protocol in one process:
// the new server serves the old one's routes on the same sockets, with
// endpoints healthy from the start, and the old one stops answering on
// the control socket.
func TestHandoffInProcess(t *testing.T) {
	dir := t.TempDir()
	old := newTestServer(t)
	ho, path := controlOf(t, old, dir)
	b := newBackend(t, "b", nil)
	listenA, listenB := freePort(t), freePort(t)
	ra, rb := httpRoute(listenA, b.endpoint(1)), httpRoute(listenB, b.endpoint(1))
	ra.Health, rb.Health = slowHealth, slowHealth
	apply(t, old, StackConfig{Stack: "a", Routes: []Route{ra}})
	apply(t, old, StackConfig{Stack: "b", Routes: []Route{rb}})

	// From now on health checks fail: only the handed-over verdict keeps
	// the endpoint in rotation in the new server (one failure is not
	// enough to take it out).
	b.fail.Store(true)
	in, err := requestHandoff(context.Background(), path, PingInfo{PID: 2, Version: "new"})
	if err != nil {
		t.Fatal(err)
	}
	if in.state.Version != "old" || len(in.state.Stacks) != 2 || len(in.state.Listeners) != 2 || len(in.state.Healthy) != 2 {
		t.Fatalf("handed-over state %+v", in.state)
	}
	// The old config is frozen meanwhile.
	if err := old.Delete("a"); !errors.Is(err, errHandingOver) {
		t.Errorf("delete during a handoff: %v", err)
	}
	nu := newTestServer(t)
	if err := nu.restore(in); err != nil {
		t.Fatal(err)
	}
	if err := in.commit(testLogger(t)); err != nil {
		t.Fatal(err)
	}
	in.release()
	select {
	case <-ho.done:
	case <-time.After(5 * time.Second):
		t.Fatal("the old side did not let go")
	}
	// What Run does next in the old process.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	old.Shutdown(ctx)
	cancel()

	cl := testClient()
	for _, l := range []string{listenA, listenB} {
		if code, body, _ := get(t, cl, "http://"+l+"/", ""); code != 200 || body != "b" {
			t.Errorf("%s after the handoff: %d %q", l, code, body)
		}
	}
	if st := endpointStats(nu, b.addr); !st.Healthy || st.Requests[1] == 0 {
		t.Errorf("endpoint in the new server: %+v", st)
	}
	if got := nu.Stacks(); len(got) != 2 || got[0].Stack != "a" || got[1].Stack != "b" {
		t.Errorf("new server's stacks %+v", got)
	}
	// The lock went along: nobody else can take it.
	if err := tryLock(path + ".lock"); err == nil {
		t.Error("the control lock is free after the handoff")
	}
	if len(in.listeners) != 0 {
		t.Errorf("inheritance left %d listeners", len(in.listeners))
	}
	// The old side closed its copy of the control socket: every ping
	// reaches the new one.
	srv := &http.Server{Handler: nu.ControlHandler(PingInfo{PID: 2})}
	go func() { _ = srv.Serve(in.control) }()
	t.Cleanup(func() { _ = srv.Close(); _ = in.lock.Close() })
	for range 20 {
		c := NewClient(path) // a fresh connection each time
		if info, err := c.Ping(context.Background()); err != nil || info.PID != 2 {
			t.Fatalf("ping after the handoff: %+v %v", info, err)
		}
	}
}

// TestHandoffAbortThaws checks that the old side serves on, with its
// config changeable again, when the new process gives up.
func TestHandoffAbortThaws(t *testing.T) {
	dir := t.TempDir()
	old := newTestServer(t)
	ho, path := controlOf(t, old, dir)
	b := newBackend(t, "b", nil)
	listen := freePort(t)
	apply(t, old, StackConfig{Stack: "a", Routes: []Route{httpRoute(listen, b.endpoint(1))}})
	in, err := requestHandoff(context.Background(), path, PingInfo{PID: 2})
	if err != nil {
		t.Fatal(err)
	}
	in.abort(errors.New("cannot restore"))
	waitFor(t, 5*time.Second, "the config thawed", func() bool {
		return old.Apply(StackConfig{Stack: "a", Routes: []Route{httpRoute(listen, b.endpoint(2))}}) == nil
	})
	select {
	case <-ho.done:
		t.Fatal("the old side let go after an abort")
	default:
	}
	if code, _, _ := get(t, testClient(), "http://"+listen+"/", ""); code != 200 {
		t.Errorf("old server after an abort: %d", code)
	}
	if info, err := NewClient(path).Ping(context.Background()); err != nil || info.PID != 1 {
		t.Errorf("old control socket after an abort: %+v %v", info, err)
	}
	// A second handoff may start.
	in, err = requestHandoff(context.Background(), path, PingInfo{PID: 3})
	if err != nil {
		t.Fatal(err)
	}
	in.abort(errors.New("again"))
}

func TestHandoffRefusedOrNothingToTake(t *testing.T) {
	dir := t.TempDir()
	if _, err := requestHandoff(context.Background(), filepath.Join(dir, "none.sock"), PingInfo{}); !errors.Is(err, errNoProxy) {
		t.Errorf("no proxy: %v", err)
	}
	// A proxy from before handoffs answers 404.
	s := newTestServer(t)
	path := filepath.Join(dir, "p.sock")
	ln, lock, err := listenControl(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: s.ControlHandler(PingInfo{PID: 1})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close(); _ = lock.Close() })
	if _, err := requestHandoff(context.Background(), path, PingInfo{}); err == nil || !strings.Contains(err.Error(), "refused the handoff: 404") {
		t.Errorf("old proxy: %v", err)
	}
}

func tryLock(path string) error {
	fd, err := syscall.Open(path, syscall.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	return syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
}
