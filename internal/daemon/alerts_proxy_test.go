package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/alert"
	"github.com/berth-dev/berth/internal/proxy"
)

// fakeProxy is a proxy whose one endpoint answers ok + bad requests per
// tick, bad of them with a 5xx.
type fakeProxy struct {
	ok, bad uint64
	down    bool
	ep      proxy.EndpointStats
}

func (f *fakeProxy) tick() {
	f.ep.Requests[1] += f.ok
	f.ep.Requests[4] += f.bad
}

func (f *fakeProxy) stats(context.Context) (proxy.Stats, error) {
	if f.down {
		return proxy.Stats{}, errors.New("dial unix proxy.sock: connect: no such file or directory")
	}
	return stats(rt("web", ":80", 0, f.ep)), nil
}

func defaultRule(t *testing.T, name string) alert.Rule {
	t.Helper()
	for _, r := range alert.DefaultRules(alert.Defaults{}) {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no default rule %s", name)
	return alert.Rule{}
}

// The default rule fires on a stream of 20% 5xx answers once it has held
// for 5m, and resolves when the stream stops, whichever way it stops.
func TestProxyRuleFiresAndResolves(t *testing.T) {
	tests := []struct {
		name     string
		stop     func(*fakeProxy)
		resolved string // when, from the start; the stop is at 10m
	}{
		// The 5m average falls under 5% once fewer than a quarter of its
		// points are bad.
		{name: "errors stop", stop: func(f *fakeProxy) { f.bad = 0 }, resolved: "14m0s"},
		// No traffic is no point: the window empties 5m after the last.
		{name: "traffic stops", stop: func(f *fakeProxy) { f.ok, f.bad = 0, 0 }, resolved: "15m15s"},
		{name: "proxy stops", stop: func(f *fakeProxy) { f.down = true }, resolved: "15m15s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			now := start
			f := &fakeProxy{ok: 80, bad: 20, ep: ep("10.0.0.2:80", 0, 0, 0)}
			p := newProxyRatios(f.stats, slog.New(slog.DiscardHandler))
			var events []string
			var last alert.Event
			m, err := alert.NewManager(alert.Config{
				Source: &alertSource{proxy: p}, Rules: []alert.Rule{defaultRule(t, "BerthProxyHigh5xxRatio")},
				Now: func() time.Time { return now },
				OnEvent: func(e alert.Event) {
					events, last = append(events, fmt.Sprintf("%s@%s", e.State, now.Sub(start))), e
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			// advance runs d of fake time: a sample every 5s, an
			// evaluation every 15s.
			advance := func(d time.Duration) {
				for end := now.Add(d); now.Before(end); {
					now = now.Add(proxySampleEvery)
					f.tick()
					p.sample(ctx, now)
					if now.Sub(start)%(15*time.Second) == 0 {
						if err := m.Evaluate(ctx); err != nil {
							t.Fatalf("Evaluate at %s: %v", now.Sub(start), err)
						}
					}
				}
			}
			advance(10 * time.Minute)
			// The first sample is the baseline: the first point is at 10s.
			want := "pending@15s,firing@5m15s"
			if got := strings.Join(events, ","); got != want {
				t.Fatalf("events = %s, want %s", got, want)
			}
			if l := last.Labels; l["stack"] != "shop" || l["service"] != "web" || l["severity"] != "critical" ||
				last.Annotations["summary"] != "20% of shop/web responses are 5xx" {
				t.Fatalf("firing alert = %v %v", l, last.Annotations)
			}
			tt.stop(f)
			advance(10 * time.Minute)
			want += ",resolved@" + tt.resolved
			if got := strings.Join(events, ","); got != want {
				t.Fatalf("events = %s, want %s", got, want)
			}
		})
	}
}

func TestProxyHistoryIsBounded(t *testing.T) {
	ctx := t.Context()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := &fakeProxy{ok: 1, ep: ep("10.0.0.2:80", 0, 0, 0)}
	p := newProxyRatios(f.stats, slog.New(slog.DiscardHandler))
	step := func(d time.Duration) {
		now = now.Add(d)
		f.tick()
		p.sample(ctx, now)
	}
	points := func() int {
		n := 0
		for _, s := range p.Series(now.Add(-24*time.Hour), now) {
			n += len(s.Points)
		}
		return n
	}
	for range 3 * proxyHistoryPoints { // samples faster than planned
		step(time.Second)
	}
	if n := points(); n != proxyHistoryPoints {
		t.Fatalf("%d points kept, want the bound %d", n, proxyHistoryPoints)
	}
	for range 2 * proxyHistoryPoints {
		step(proxySampleEvery)
	}
	if s := p.Series(now.Add(-24*time.Hour), now.Add(-proxyHistory-time.Nanosecond)); len(s) != 0 {
		t.Fatalf("points older than %s kept: %v", proxyHistory, s)
	}

	// A failed read drops the baseline: the read after it is a new one.
	newest := func() time.Time {
		pts := p.Series(now.Add(-24*time.Hour), now)[0].Points
		return pts[len(pts)-1].T
	}
	f.down = true
	step(proxySampleEvery)
	f.down = false
	failed := now
	step(proxySampleEvery)
	if newest().After(failed) {
		t.Fatal("a point was recorded across a failed read")
	}
	step(proxySampleEvery)
	if !newest().Equal(now) {
		t.Fatal("no point after the new baseline")
	}

	// A service gone for longer than the history is forgotten.
	f.ok = 0
	for range proxyHistoryPoints + 1 {
		step(proxySampleEvery)
	}
	if len(p.series) != 0 {
		t.Fatalf("series of a service without traffic for %s kept: %d", proxyHistory, len(p.series))
	}
}
