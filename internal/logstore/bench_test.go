package logstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moby/moby/client"
)

// The benchmarks behind scripts/bench-logs.sh; run once each
// (-benchtime=1x). Sizes come from the environment:
//
//	BENCH_LOGS_CONTAINERS=50   BENCH_LOGS_LINES=40000   (ingest)
//	BENCH_LOGS_QUERY_LINES=10000000                     (query)
//	BENCH_LOGS_DIR=            keep/reuse the generated query store here

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// storedBy counts a container's stored lines from the catalog.
func storedBy(s *Store, id string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	if src := s.cat.byID[id]; src != nil {
		for _, b := range src.blocks {
			n += b.count
		}
	}
	return n
}

// BenchmarkIngest measures sustained, simultaneous ingest. It starts
// the chatty containers first (8 at a time), each holding before its
// first line until a release file appears in a bind-mounted directory,
// runs the collector until it follows all of them, then creates the
// file and times from that release until every container's lines are
// stored, counted exactly per container (none lost, none duplicated).
// It then times a fresh store catching up on the same, finished logs
// (backlog).
func BenchmarkIngest(b *testing.B) {
	containers, perC := envInt("BENCH_LOGS_CONTAINERS", 50), envInt("BENCH_LOGS_LINES", 40000)
	total := containers * perC
	for b.Loop() {
		e := newTestEngine(b)
		release := b.TempDir()
		e.binds = []string{release + ":/release:ro"}
		st := time.Now()
		targets := startAll(b, e, containers, perC)
		b.Logf("%d containers started, holding, in %s", containers, time.Since(st).Round(time.Millisecond))

		s := openTest(b, b.TempDir(), Options{})
		api := &countingAPI{LogsAPI: e.cli}
		c, err := NewCollector(api, s, CollectorOptions{
			Targets:   func(context.Context) ([]Target, error) { return targets, nil },
			RateLimit: -1, Interval: time.Second,
		}, testLog(b))
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- c.Run(ctx) }()
		waitFor(b, time.Minute, func() bool { return api.opened.Load() >= int64(containers) })

		start := time.Now()
		if err := os.WriteFile(filepath.Join(release, "go"), nil, 0o644); err != nil {
			b.Fatal(err)
		}
		live := waitStored(b, s, targets, perC, start)
		cancel()
		<-done
		b.Logf("live: %d containers x %d lines = %d lines stored in %s from release: %.0f lines/s",
			containers, perC, total, live.Round(time.Millisecond), float64(total)/live.Seconds())

		s2 := openTest(b, b.TempDir(), Options{})
		_, stop := startCollector(b, e, s2, CollectorOptions{RateLimit: -1, Interval: time.Second}, targets)
		backlog := waitStored(b, s2, targets, perC, time.Now())
		stop()
		b.Logf("backlog: %d lines stored in %s: %.0f lines/s", total, backlog.Round(time.Millisecond), float64(total)/backlog.Seconds())
		b.ReportMetric(float64(total)/live.Seconds(), "live-lines/s")
		b.ReportMetric(float64(total)/backlog.Seconds(), "backlog-lines/s")
	}
}

// countingAPI counts the logs the collector has opened.
type countingAPI struct {
	LogsAPI
	opened atomic.Int64
}

func (a *countingAPI) ContainerLogs(ctx context.Context, id string, o client.ContainerLogsOptions) (client.ContainerLogsResult, error) {
	r, err := a.LogsAPI.ContainerLogs(ctx, id, o)
	if err == nil {
		a.opened.Add(1)
	}
	return r, err
}

// startAll starts the chatty containers, 8 at a time, each printing perC
// lines once /release/go exists; they are removed (4 at a time) at cleanup.
func startAll(b *testing.B, e *testEngine, n, perC int) []Target {
	return e.runChatty(b, "ingest", n, func(int) []string {
		return []string{"-n", fmt.Sprint(perC), "-pad", "60", "-wait", "/release/go"}
	})
}

// waitStored waits until every target has exactly perC lines stored and
// returns the time since start; more than perC is a duplicate: failure.
func waitStored(b *testing.B, s *Store, targets []Target, perC int, start time.Time) time.Duration {
	deadline := time.Now().Add(10 * time.Minute)
	for {
		done := 0
		for _, tg := range targets {
			switch n := storedBy(s, tg.ID); {
			case n > perC:
				b.Fatalf("%s: %d lines stored, %d written", tg.Name, n, perC)
			case n == perC:
				done++
			}
		}
		if done == len(targets) {
			return time.Since(start)
		}
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d containers fully stored", done, len(targets))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// BenchmarkGrep stores 10 million generated lines (100 containers) and
// times greps over all of them.
func BenchmarkGrep(b *testing.B) {
	total := envInt("BENCH_LOGS_QUERY_LINES", 10_000_000)
	dir := os.Getenv("BENCH_LOGS_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	s := openTest(b, dir, Options{BatchLines: 100_000, MaxBytes: -1, MaxAge: -1})
	if have := count(b, s, Filter{Container: "gen-0", Limit: 1}); have == 0 {
		generate(b, s, total)
	}
	queries := []struct {
		name string
		f    Filter
	}{
		{"rare substring (1 match)", Filter{Grep: "req=00c0ffee"}},
		{"absent substring", Filter{Grep: "no such text anywhere"}},
		{"common substring, Limit 100", Filter{Grep: "status=500", Limit: 100}},
		{"common substring, all (~1%)", Filter{Grep: "user=4242"}},
		{"regexp with literal prefix", Filter{Grep: `req=00c0ff[e]e`, Regexp: true}},
		{"level=error + substring", Filter{Level: "error", Grep: "timeout"}},
		{"service + since, Limit 1000", Filter{Service: "svc-3", Since: t0.Add(time.Duration(total/200) * time.Millisecond), Limit: 1000}},
	}
	for b.Loop() {
		for _, q := range queries {
			var times []time.Duration
			var n int
			for range 5 {
				st := time.Now()
				got, err := s.Query(context.Background(), q.f)
				if err != nil {
					b.Fatal(err)
				}
				times, n = append(times, time.Since(st)), len(got)
			}
			first := times[0]
			slices.Sort(times)
			b.Logf("%-32s %8d lines  first %7s  median %7s  best %7s", q.name, n,
				first.Round(time.Millisecond), times[2].Round(time.Millisecond), times[0].Round(time.Millisecond))
		}
	}
}

// generate appends total lines: 100 containers in 10 services, one line
// per millisecond each, about 110 bytes, with one planted needle.
func generate(b *testing.B, s *Store, total int) {
	start := time.Now()
	const containers = 100
	r := rand.New(rand.NewPCG(1, 2))
	paths := []string{"/api/items", "/api/users", "/health", "/api/orders", "/static/app.js", "/login"}
	words := []string{"handled request", "cache miss", "db query done", "retrying upstream", "upstream timeout", "sent response"}
	per := total / containers
	batch := make([]Line, 0, 100_000)
	for i := range per {
		for c := range containers {
			status, lvl := 200, "info"
			if r.IntN(100) == 0 {
				status, lvl = 500, "error"
			}
			raw := fmt.Sprintf("level=%s msg=\"%s\" method=GET path=%s status=%d user=%d req=%08x dur=%dms",
				lvl, words[r.IntN(len(words))], paths[r.IntN(len(paths))], status, 4200+r.IntN(100), r.Uint32(), r.IntN(900))
			if i == per/2 && c == 7 {
				raw = "level=warn msg=\"the needle\" req=00c0ffee"
			}
			name := fmt.Sprintf("gen-%d", c)
			batch = append(batch, Line{Time: t0.Add(time.Duration(i) * time.Millisecond), Stack: "bench",
				Service: fmt.Sprintf("svc-%d", c%10), Container: name, ContainerID: "id-" + name, Raw: raw})
		}
		if len(batch) >= 100_000-containers || i == per-1 {
			if err := s.Append(context.Background(), batch...); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	waitFor(b, 10*time.Minute, func() bool { return storedBy(s, "id-gen-99") == per })
	s.mu.RLock()
	size := s.cat.bytes
	s.mu.RUnlock()
	b.Logf("generated %d lines (%d MiB of blocks) in %s", per*containers, size>>20, time.Since(start).Round(time.Second))
}
