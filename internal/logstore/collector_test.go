package logstore

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var seqRE = regexp.MustCompile(`seq"?[=:](-?\d+)`)

// seqCounts counts the stored lines of a container by sequence number.
func seqCounts(t *testing.T, s *Store, tg Target) map[int]int {
	t.Helper()
	lines, err := s.Query(context.Background(), Filter{Container: tg.Name})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[int]int{}
	for _, l := range lines {
		m := seqRE.FindStringSubmatch(l.Raw)
		if m == nil {
			t.Fatalf("line without seq: %q", l.Raw)
		}
		n, _ := strconv.Atoi(m[1])
		counts[n]++
	}
	return counts
}

// checkExactly fails unless seqs 0..n-1 were each stored exactly once.
func checkExactly(t *testing.T, counts map[int]int, n int, what string) {
	t.Helper()
	var lost, dup []int
	for i := range n {
		switch c := counts[i]; {
		case c == 0:
			lost = append(lost, i)
		case c > 1:
			dup = append(dup, i)
		}
	}
	if len(lost)+len(dup) > 0 || len(counts) != n {
		t.Errorf("%s: %d distinct of %d, lost %d (first %v), duplicated %d (first %v)",
			what, len(counts), n, len(lost), lost[:min(len(lost), 5)], len(dup), dup[:min(len(dup), 5)])
	}
}

// checkNoDuplicates fails if a seq was stored twice.
func checkNoDuplicates(t *testing.T, counts map[int]int, what string) {
	t.Helper()
	for seq, c := range counts {
		if c > 1 {
			t.Errorf("%s: seq %d stored %d times", what, seq, c)
		}
	}
}

func TestCollectorResumesWithoutLossOrDuplicates(t *testing.T) {
	e := newTestEngine(t)
	const n = 4000
	targets := e.runChatty(t, "resume", 2, func(i int) []string {
		args := []string{"-n", fmt.Sprint(n), "-rate", "1500", "-stderr", "3"}
		if i == 1 {
			args = append(args, "-json")
		}
		return args
	})
	dir := t.TempDir()
	opts := CollectorOptions{Interval: 500 * time.Millisecond}
	stored := func(s *Store) int { return count(t, s, Filter{Stack: e.prefix}) }

	// Three daemon lifetimes: each stops mid-stream, closing the store.
	for round := range 2 {
		s, err := Open(dir, Options{BatchDelay: 20 * time.Millisecond}, quietLog())
		if err != nil {
			t.Fatal(err)
		}
		before := stored(s)
		_, stop := startCollector(t, e, s, opts, targets)
		waitFor(t, 30*time.Second, func() bool { return stored(s) >= before+1000 })
		stop()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: stopped with lines stored", round)
	}
	s := openTest(t, dir, Options{BatchDelay: 20 * time.Millisecond})
	if got := stored(s); got >= 2*n {
		t.Fatalf("the restarts came too late to test anything: %d lines already stored", got)
	}
	startCollector(t, e, s, opts, targets)
	waitFor(t, 60*time.Second, func() bool { return stored(s) >= 2*n })
	time.Sleep(500 * time.Millisecond) // let any duplicate arrive before counting
	for _, tg := range targets {
		checkExactly(t, seqCounts(t, s, tg), n, tg.Name)
	}
	lines, _ := s.Query(context.Background(), Filter{Container: targets[1].Name, Limit: 3})
	for _, l := range lines {
		seq, _ := strconv.Atoi(l.Fields["seq"])
		if l.Message != "chatty line" || (l.Stream == Stderr) != (seq%3 == 0) {
			t.Errorf("json line parsed as %+v", l)
		}
	}
}

func TestCollectorTruncatesLongLines(t *testing.T) {
	e := newTestEngine(t)
	const long = 40000 // the engine splits it into 16 KiB pieces
	targets := e.runChatty(t, "long", 1, func(int) []string {
		return []string{"-n", "2", "-long", fmt.Sprint(long), "-pad", "3"}
	})
	tests := []struct {
		name      string
		max       int
		wantLen   int
		truncated bool
	}{
		{"default cap", 0, 16 << 10, true},
		{"small cap", 1000, 1000, true},
		{"cap above the engine's split", 64 << 10, long + len("seq=-1 "), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t, "", Options{BatchDelay: 10 * time.Millisecond})
			startCollector(t, e, s, CollectorOptions{MaxLineBytes: tt.max, Interval: time.Second}, targets)
			waitFor(t, 30*time.Second, func() bool { return count(t, s, Filter{}) == 3 })
			lines, _ := s.Query(context.Background(), Filter{})
			l := lines[0]
			if len(l.Raw) != tt.wantLen || l.Truncated != tt.truncated || !strings.HasPrefix(l.Raw, "seq=-1 LLL") ||
				strings.Trim(l.Raw[len("seq=-1 "):], "L") != "" {
				t.Errorf("long line: %d bytes, truncated %v, want %d, %v (ends %q)", len(l.Raw), l.Truncated, tt.wantLen, tt.truncated, l.Raw[max(0, len(l.Raw)-40):])
			}
			if lines[1].Truncated || lines[1].Raw != "INFO chatty seq=0 xxx" {
				t.Errorf("next line: %+v", lines[1])
			}
		})
	}
}

func TestCollectorRateLimitDropsFloodNotQuiet(t *testing.T) {
	e := newTestEngine(t)
	const floodN, quietN, rate = 200000, 40, 2000
	flood := e.runChatty(t, "flood", 1, func(int) []string {
		return []string{"-n", fmt.Sprint(floodN), "-pad", "10", "-hold"}
	})[0]
	quiet := e.runChatty(t, "quiet", 1, func(int) []string {
		return []string{"-n", fmt.Sprint(quietN), "-rate", "20", "-hold"}
	})[0]
	s := openTest(t, "", Options{BatchDelay: 20 * time.Millisecond})
	c, _ := startCollector(t, e, s, CollectorOptions{RateLimit: rate, Interval: time.Second}, []Target{flood, quiet})

	// The quiet container prints for 2 s; its lines must all be stored
	// shortly after, whatever the flood is doing.
	waitFor(t, 10*time.Second, func() bool { return count(t, s, Filter{Container: quiet.Name}) == quietN })
	checkExactly(t, seqCounts(t, s, quiet), quietN, "quiet")

	// Every flood line is either stored or counted as dropped.
	floodStored := func() int { return count(t, s, Filter{Container: flood.Name}) }
	waitFor(t, 60*time.Second, func() bool {

		return floodStored()+int(c.Dropped()[flood.ID]) == floodN
	})
	got, dropped := floodStored(), c.Dropped()[flood.ID]
	if got+int(dropped) != floodN {
		t.Errorf("flood: stored %d + dropped %d != %d lines written", got, dropped, floodN)
	}
	lines, _ := s.Query(context.Background(), Filter{Container: flood.Name})
	span := lines[len(lines)-1].Time.Sub(lines[0].Time).Seconds()
	if limit := rate + int(rate*span) + 1; dropped == 0 || got > limit {
		t.Errorf("flood: stored %d, dropped %d over %.2fs of log; want drops and at most %d stored", got, dropped, span, limit)
	}
	if d := c.Dropped()[quiet.ID]; d != 0 {
		t.Errorf("quiet container had %d lines dropped", d)
	}
	t.Logf("flood: stored %d, dropped %d over %.2fs of log", got, dropped, span)
}
