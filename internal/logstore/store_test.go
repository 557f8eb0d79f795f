package logstore

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// openTest opens a store in a temp dir, closed at cleanup.
func openTest(t testing.TB, dir string, opts Options) *Store {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	s, err := Open(dir, opts, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// mkLine is line n of container c (service svc), one second apart.
func mkLine(c, svc string, n int, raw string) Line {
	return Line{Time: t0.Add(time.Duration(n) * time.Second), Stack: "shop", Service: svc,
		Container: c, ContainerID: "id-" + c, Stream: Stdout, Raw: raw}
}

// appendAndWait appends lines and waits until a query sees them.
func appendAndWait(t *testing.T, s *Store, lines ...Line) {
	t.Helper()
	ctx := context.Background()
	before := count(t, s, Filter{})
	if err := s.Append(ctx, lines...); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, func() bool { return count(t, s, Filter{}) >= before+len(lines) })
}

func count(t testing.TB, s *Store, f Filter) int {
	t.Helper()
	got, err := s.Query(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return len(got)
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestQueryFilters(t *testing.T) {
	s := openTest(t, "", Options{BlockLines: 3}) // tiny blocks: many merges
	var lines []Line
	for i := range 10 {
		lines = append(lines, mkLine("web-1", "web", 2*i, fmt.Sprintf("GET /item/%d level=info", i)))
		lines = append(lines, mkLine("db-1", "db", 2*i+1, fmt.Sprintf(`{"level":"%s","msg":"query %d"}`, []string{"debug", "error"}[i%2], i)))
	}
	lines[4].Stream = Stderr
	for _, l := range lines { // one by one: chunks, then merges
		appendAndWait(t, s, l)
	}
	tests := []struct {
		name string
		f    Filter
		want []string // Raw prefixes... or messages, in order
	}{
		{"service", Filter{Service: "web", Limit: 2}, []string{"GET /item/8 level=info", "GET /item/9 level=info"}},
		{"container by name", Filter{Container: "db-1", Level: "error", Limit: 1}, []string{"query 9"}},
		{"grep substring", Filter{Grep: "/item/3 "}, []string{"GET /item/3 level=info"}},
		{"grep regexp", Filter{Grep: `query [27]\b`, Regexp: true}, []string{"query 2", "query 7"}},
		{"regexp without literal prefix", Filter{Grep: `[0-9]+ level`, Regexp: true, Since: t0.Add(17 * time.Second)}, []string{"GET /item/9 level=info"}},
		{"since until", Filter{Since: t0.Add(3 * time.Second), Until: t0.Add(6 * time.Second)},
			[]string{"query 1", "GET /item/2 level=info", "query 2"}},
		{"level warn and up", Filter{Level: "warn", Until: t0.Add(8 * time.Second)}, []string{"query 1", "query 3"}},
		{"stack mismatch", Filter{Stack: "other"}, nil},
		{"limit keeps newest, oldest first", Filter{Limit: 3}, []string{"query 8", "GET /item/9 level=info", "query 9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Query(context.Background(), tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var msgs []string
			for _, l := range got {
				msgs = append(msgs, l.Message)
			}
			if !slices.Equal(msgs, tt.want) {
				t.Errorf("got %q, want %q", msgs, tt.want)
			}
		})
	}
	all, _ := s.Query(context.Background(), Filter{})
	if len(all) != 20 || all[4].Stream != Stderr || all[3].Level != "error" || all[0].Level != "info" {
		t.Errorf("all lines: %d, line 4 %+v, line 3 %+v", len(all), all[4], all[3])
	}
}

func TestMergeOrderAcrossContainers(t *testing.T) {
	s := openTest(t, "", Options{})
	var a, b []Line
	for i := range 500 {
		a = append(a, mkLine("a", "x", 2*i, fmt.Sprint("a", 2*i)))
		b = append(b, mkLine("b", "x", 2*i+1, fmt.Sprint("b", 2*i+1)))
	}
	appendAndWait(t, s, b...) // b first: storage order is not time order
	appendAndWait(t, s, a...)
	got, err := s.Query(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range got {
		if want := fmt.Sprint([]string{"a", "b"}[i%2], i); l.Raw != want || !l.Time.Equal(t0.Add(time.Duration(i)*time.Second)) {
			t.Fatalf("line %d = %q at %s, want %q", i, l.Raw, l.Time, want)
		}
	}
	if len(got) != 1000 {
		t.Fatalf("got %d lines, want 1000", len(got))
	}
}

func TestRetention(t *testing.T) {
	now := t0.Add(time.Hour)
	tests := []struct {
		name     string
		opts     Options
		wantLeft int
	}{
		// 30 lines 1 s apart, one block of 10 lines per container.
		{"by age", Options{MaxAge: time.Hour - 15*time.Second, MaxBytes: -1}, 20},
		{"by size", Options{MaxAge: -1, MaxBytes: 400}, 10}, // a block is ~345 bytes
		{"nothing to do", Options{MaxAge: -1, MaxBytes: -1}, 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.Now, opts.PruneInterval = func() time.Time { return now }, 20*time.Millisecond
			opts.BlockLines = 10
			s := openTest(t, "", opts)
			var lines []Line
			for i := range 30 {
				lines = append(lines, mkLine(fmt.Sprint("c", i/10), "x", i, fmt.Sprintf("line %02d padded to some length", i)))
			}
			if err := s.Append(context.Background(), lines...); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 5*time.Second, func() bool { return count(t, s, Filter{}) == tt.wantLeft })
			got, _ := s.Query(context.Background(), Filter{Limit: 1})
			if got[0].Raw != "line 29 padded to some length" {
				t.Errorf("newest line pruned: %q", got[0].Raw)
			}
		})
	}
}

func TestReopenKeepsLinesAndCursor(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{}, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	l1, l2 := mkLine("a", "x", 1, "one"), mkLine("a", "x", 1, "two") // same nanosecond
	if err := s.Append(context.Background(), l1, l2); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dir, Options{})
	if n := count(t, s, Filter{}); n != 2 {
		t.Fatalf("after reopen: %d lines, want 2", n)
	}
	want := cursor{{t: l1.Time.UnixNano(), n: 2}}
	if got := s.resumeCursor("id-a"); got != want {
		t.Errorf("cursor = %+v, want %+v", got, want)
	}
}

func TestFollow(t *testing.T) {
	s := openTest(t, "", Options{BatchDelay: 5 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := s.Follow(ctx, Filter{Service: "web", Grep: "GET"})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Append(ctx, mkLine("w", "web", 1, "POST /x"), mkLine("d", "db", 2, "GET /y"), mkLine("w", "web", 3, `{"msg":"GET /z"}`))
	select {
	case l := <-ch:
		if l.Message != "GET /z" || l.Container != "w" {
			t.Errorf("followed %+v", l)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no line followed")
	}
	cancel()
	waitFor(t, 5*time.Second, func() bool { _, open := <-ch; return !open })
}
