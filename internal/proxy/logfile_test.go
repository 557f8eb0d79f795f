package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestLogFileRotates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	w, closeLog, err := openAccessLog(path, 100, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer closeLog()
	lf := w.(*logFile)
	line := []byte(strings.Repeat("x", 59) + "\n")
	lf.Write(line)
	lf.rotate() // 60 bytes: under the cap
	if _, err := os.Stat(path + ".1"); err == nil {
		t.Fatal("rotated under the cap")
	}
	lf.Write(line)
	lf.rotate() // 120 bytes: rotated
	lf.Write([]byte("after\n"))
	if got := read(t, path+".1"); got != string(line)+string(line) {
		t.Errorf(".1 holds %q", got)
	}
	if got := read(t, path); got != "after\n" {
		t.Errorf("the fresh file holds %q", got)
	}
	// A second rotation replaces .1: only one old file is kept.
	lf.Write(bytes.Repeat(line, 2))
	lf.rotate()
	if got := read(t, path+".1"); !strings.HasPrefix(got, "after\n") {
		t.Errorf(".1 after the second rotation holds %q", got)
	}
	if _, err := os.Stat(path + ".2"); err == nil {
		t.Error("a .2 appeared")
	}
	// Moved away by someone else (logrotate, the other process during a
	// takeover): writing follows the path, without renaming again.
	if err := os.Rename(path, path+".moved"); err != nil {
		t.Fatal(err)
	}
	lf.rotate()
	lf.Write([]byte("new\n"))
	if got := read(t, path); got != "new\n" {
		t.Errorf("after a move the file holds %q", got)
	}
	if got := read(t, path+".1"); !strings.HasPrefix(got, "after\n") {
		t.Errorf("a move rotated .1: %q", got)
	}
}

// TestAccessLogRotatesUnderTraffic runs the access log with a 4 KiB cap:
// the flusher rotates it, and the lines of .1 and the current file are
// whole and follow each other without a gap.
func TestAccessLogRotatesUnderTraffic(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	w, closeLog, err := openAccessLog(path, 4<<10, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	s := New(Options{Logger: testLogger(t), AccessLog: w})
	b := newBackend(t, "b", nil)
	listen := freePort(t)
	apply(t, s, StackConfig{Stack: "x", Routes: []Route{httpRoute(listen, b.endpoint(1))}})
	// One connection, so one access log shard and lines in request order.
	cl := testClient()
	sent := 0
	// Bounded: at most 2000 requests or 10 s, and done once rotated
	// several times.
	for deadline := time.Now().Add(10 * time.Second); sent < 2000 && time.Now().Before(deadline); sent++ {
		req, _ := httpGetRequest("http://"+listen+"/", "")
		req.Header.Set("X-Request-Id", strconv.Itoa(sent))
		resp, err := cl.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("request %d: %v", sent, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if sent%20 == 19 {
			time.Sleep(accessLogFlushEvery + 10*time.Millisecond) // let the flusher rotate
			if sent >= 200 {
				sent++
				break
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	s.Shutdown(ctx) // flushes what is left
	cancel()
	closeLog()
	old, cur := read(t, path+".1"), read(t, path)
	if len(old) < 4<<10 {
		t.Fatalf(".1 has %d bytes after %d requests", len(old), sent)
	}
	if len(cur) >= 4<<10+(20*1024) {
		t.Errorf("the current file grew to %d bytes", len(cur))
	}
	var ids []int
	for _, l := range strings.Split(strings.TrimSuffix(old+cur, "\n"), "\n") {
		var e struct {
			ID string `json:"request_id"`
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("torn line %q", l)
		}
		id, _ := strconv.Atoi(e.ID)
		ids = append(ids, id)
	}
	for i, id := range ids {
		if id != sent-len(ids)+i {
			t.Fatalf("request ids in .1 then the current file: %v, want up to %d without a gap", ids, sent-1)
		}
	}
	if len(ids) >= sent {
		t.Errorf("all %d lines kept: older rotated files were not dropped", sent)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
