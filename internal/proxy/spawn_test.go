package proxy

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestEnsureSpawnsDetachedProxy builds the real berth binary and lets
// Ensure start `berth proxy` from it.
func TestEnsureSpawnsDetachedProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the berth binary")
	}
	dir := t.TempDir()
	bin := buildBerth(t, dir, "dev")
	ctx := context.Background()
	sock := filepath.Join(dir, "p.sock")

	// A binary that dies at once gives a clear error with its log.
	if _, err := Ensure(ctx, Spawn{Bin: "/bin/false", Control: filepath.Join(dir, "false.sock")}); err == nil || !strings.Contains(err.Error(), "exited at start") {
		t.Errorf("Ensure with a failing binary: %v", err)
	}

	c, err := Ensure(ctx, Spawn{Bin: bin, Control: sock, AccessLog: filepath.Join(dir, "access.log")})
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.Ping(ctx)
	if err != nil || info.PID == os.Getpid() {
		t.Fatalf("ping: %+v %v", info, err)
	}
	t.Cleanup(func() { _ = syscall.Kill(info.PID, syscall.SIGKILL) })
	if sid := sessionOf(t, info.PID); sid != info.PID {
		t.Errorf("the proxy runs in session %d, want its own (%d)", sid, info.PID)
	}
	// A second Ensure finds it rather than starting another.
	c2, err := Ensure(ctx, Spawn{Bin: bin, Control: sock})
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := c2.Ping(ctx); again.PID != info.PID {
		t.Errorf("second Ensure: pid %d, want %d", again.PID, info.PID)
	}
	b := newBackend(t, "b", nil)
	listen := freePort(t)
	if err := c.Put(ctx, StackConfig{Stack: "x", Routes: []Route{httpRoute(listen, b.endpoint(1))}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "traffic through the spawned proxy", func() bool {
		resp, err := testClient().Get("http://" + listen + "/")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == 200
	})
	waitFor(t, 5*time.Second, "the access log line", func() bool {
		data, _ := os.ReadFile(filepath.Join(dir, "access.log"))
		return strings.Contains(string(data), `"stack":"x"`)
	})

	// SIGTERM stops it cleanly.
	if err := syscall.Kill(info.PID, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ShutdownGrace, "the proxy to exit", func() bool { return syscall.Kill(info.PID, 0) != nil })
	if log, _ := os.ReadFile(sock + ".log"); !strings.Contains(string(log), "proxy stopped") {
		t.Errorf("proxy log:\n%s", log)
	}
}

func sessionOf(t *testing.T, pid int) int {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the command name, which is in parentheses: state ppid
	// pgrp session.
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	sid, _ := strconv.Atoi(fields[3])
	return sid
}
