package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/alert"
	"github.com/berth-dev/berth/internal/spec"
	"github.com/berth-dev/berth/internal/store"
)

// composeWithRule is a stack file with one rule at threshold, or none
// when threshold is "".
func composeWithRule(threshold string) []byte {
	s := "services:\n  web: {image: nginx}\n"
	if threshold != "" {
		s += "x-berth:\n  alerts:\n    - {alert: WebErrors, expr: 'avg(berth_proxy_5xx_ratio[5m]) > " + threshold + "'}\n"
	}
	return []byte(s)
}

// TestStackRules follows stacks through the store: each step changes it,
// refreshes, and checks the groups set and how many stack files loaded.
func TestStackRules(t *testing.T) {
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	apply := func(name, hash string, spec []byte) func(t *testing.T) {
		return func(t *testing.T) {
			if _, _, err := st.Apply(name, hash, spec, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	down := func(name string, d bool) func(t *testing.T) {
		return func(t *testing.T) {
			if err := st.SetDown(name, d); err != nil {
				t.Fatal(err)
			}
		}
	}
	steps := []struct {
		name   string
		change func(t *testing.T)
		set    []string // "group: alertname expr", in call order
		loads  int      // in all, so far
	}{
		{name: "a stack with a rule comes up", change: apply("shop", "h1", composeWithRule("0.1")),
			set:   []string{`stack/shop: WebErrors avg_over_time(berth_proxy_5xx_ratio{stack="shop"}[5m]) > 0.1`},
			loads: 1},
		{name: "nothing changed: nothing loaded", loads: 1},
		{name: "a stack without rules", change: apply("blog", "h2", composeWithRule("")),
			set: []string{"stack/blog:"}, loads: 2},
		{name: "a new revision replaces the rules", change: apply("shop", "h3", composeWithRule("0.2")),
			set:   []string{`stack/shop: WebErrors avg_over_time(berth_proxy_5xx_ratio{stack="shop"}[5m]) > 0.2`},
			loads: 3},
		{name: "a revision that does not load keeps them", change: apply("shop", "h4", []byte("services: [")), loads: 4},
		{name: "and is not loaded again", loads: 4},
		{name: "down drops them", change: down("shop", true), set: []string{"stack/shop:"}, loads: 4},
		{name: "up again loads the revision again", change: apply("shop", "h5", composeWithRule("0.3")),
			set:   []string{`stack/shop: WebErrors avg_over_time(berth_proxy_5xx_ratio{stack="shop"}[5m]) > 0.3`},
			loads: 5},
	}
	var set []string
	loads := 0
	rules := &stackRules{
		store: st,
		load: func(ctx context.Context, name string, data []byte) (*spec.Stack, error) {
			loads++
			return spec.LoadCanonical(ctx, name, data)
		},
		set: func(group string, rs []alert.Rule) error {
			s := group + ":"
			for _, r := range rs {
				s += fmt.Sprintf(" %s %s", r.Name, r.Expr)
			}
			set = append(set, s)
			return nil
		},
		log:     slog.New(slog.DiscardHandler),
		applied: map[string]string{},
	}
	for _, stp := range steps {
		if stp.change != nil {
			stp.change(t)
		}
		set = nil
		rules.refresh(t.Context())
		if got, want := strings.Join(set, "\n"), strings.Join(stp.set, "\n"); got != want {
			t.Errorf("%s: set\n%s\nwant\n%s", stp.name, got, want)
		}
		if loads != stp.loads {
			t.Errorf("%s: %d loads in all, want %d", stp.name, loads, stp.loads)
		}
	}
}

// A stack's rule from the store reaches a Manager and fires only on its
// own stack's series, though another stack's service has the same name.
func TestStackRuleSeesOnlyItsStack(t *testing.T) {
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, _, err := st.Apply("blog", "h1", composeWithRule("0.1"), nil); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := newProxyRatios(nil, slog.New(slog.DiscardHandler))
	p.series[serviceKey{"shop", "web"}] = []alert.Point{{T: now, V: 0.5}}
	p.series[serviceKey{"blog", "web"}] = []alert.Point{{T: now, V: 0.01}}
	m, err := alert.NewManager(alert.Config{Source: &alertSource{proxy: p}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	rules := &stackRules{store: st, load: spec.LoadCanonical, set: m.SetRules,
		log: slog.New(slog.DiscardHandler), applied: map[string]string{}}
	rules.refresh(t.Context())
	if err := m.Evaluate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if as := m.Alerts(); len(as) != 0 {
		t.Fatalf("blog's rule fired on %v", as[0].Labels)
	}
	p.series[serviceKey{"blog", "web"}] = []alert.Point{{T: now, V: 0.2}}
	if err := m.Evaluate(t.Context()); err != nil {
		t.Fatal(err)
	}
	as := m.Alerts()
	if len(as) != 1 || as[0].Labels["stack"] != "blog" || as[0].State != alert.StateFiring {
		t.Fatalf("alerts = %+v, want blog's alert firing", as)
	}
}
