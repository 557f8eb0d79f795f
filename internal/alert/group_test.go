package alert

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sort"
	"sync"
	"testing"
	"time"
)

var (
	highRule = Rule{Name: "MemHigh", Expr: `last(mem[1m]) > 0.9`}
	lowRule  = Rule{Name: "MemLow", Expr: `last(mem[1m]) > 0.5`}
	// highRule with another threshold: a changed rule of the same name.
	highRule2 = Rule{Name: "MemHigh", Expr: `last(mem[1m]) > 0.8`}
)

// TestSetRules walks one group through rule changes: unchanged rules keep
// their alerts, changed and removed ones resolve theirs, and resolved
// alerts of retired rules age out like any others.
func TestSetRules(t *testing.T) {
	steps := []struct {
		name    string
		advance time.Duration
		rules   []Rule
		events  []string // "rule/instance:from→to", sorted
		sent    []string // "rule/instance:status", sorted
		states  []string // "rule/instance:state", sorted
	}{
		{name: "two rules fire", rules: []Rule{highRule, lowRule},
			events: []string{"MemHigh/a:inactive→firing", "MemLow/a:inactive→firing"},
			sent:   []string{"MemHigh/a:firing", "MemLow/a:firing"},
			states: []string{"MemHigh/a:firing", "MemLow/a:firing"}},
		{name: "same rules again: nothing changes", advance: 15 * time.Second, rules: []Rule{lowRule, highRule},
			states: []string{"MemHigh/a:firing", "MemLow/a:firing"}},
		{name: "MemLow removed: it resolves, MemHigh keeps firing", advance: 15 * time.Second, rules: []Rule{highRule},
			events: []string{"MemLow/a:firing→resolved"}, sent: []string{"MemLow/a:resolved"},
			states: []string{"MemHigh/a:firing", "MemLow/a:resolved"}},
		{name: "MemHigh changed: the old resolves, the new fires", advance: 15 * time.Second, rules: []Rule{highRule2},
			events: []string{"MemHigh/a:firing→resolved", "MemHigh/a:inactive→firing"},
			sent:   []string{"MemHigh/a:firing", "MemHigh/a:resolved"},
			states: []string{"MemHigh/a:firing", "MemHigh/a:resolved", "MemLow/a:resolved"}},
		{name: "group removed", advance: 15 * time.Second, rules: nil,
			events: []string{"MemHigh/a:firing→resolved"}, sent: []string{"MemHigh/a:resolved"},
			states: []string{"MemHigh/a:resolved", "MemHigh/a:resolved", "MemLow/a:resolved"}},
		{name: "retention passes: retired rules forgotten", advance: 5 * time.Minute, rules: nil},
	}
	src, clock, rec := newFakeSource(), &fakeClock{now: time.Unix(1_700_000_000, 0)}, &recorder{}
	m := newTestManager(t, src, clock, rec)
	src.set("a", 0.95)
	for _, st := range steps {
		clock.advance(st.advance)
		if err := m.SetRules("shop", st.rules); err != nil {
			t.Fatalf("%s: SetRules: %v", st.name, err)
		}
		if err := m.Evaluate(context.Background()); err != nil {
			t.Fatalf("%s: Evaluate: %v", st.name, err)
		}
		events, sent := rec.take()
		check(t, st.name+": events", ruleEventStrings(events), st.events)
		check(t, st.name+": sent", ruleSentStrings(sent), st.sent)
		check(t, st.name+": states", ruleAlertStrings(m.Alerts()), st.states)
	}
}

func TestSetRulesRefusesBadRulesAndKeepsGroup(t *testing.T) {
	src, clock, rec := newFakeSource(), &fakeClock{now: time.Unix(1_700_000_000, 0)}, &recorder{}
	m := newTestManager(t, src, clock, rec)
	src.set("a", 0.95)
	if err := m.SetRules("shop", []Rule{highRule}); err != nil {
		t.Fatal(err)
	}
	if err := m.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	err := m.SetRules("shop", []Rule{lowRule, {Name: "Bad", Expr: "avg(m[1m]) >"}})
	var re *RuleError
	if !errors.As(err, &re) || re.Rule != "Bad" || re.Field != "expr" {
		t.Fatalf("SetRules error = %v, want a *RuleError on Bad's expr", err)
	}
	clock.advance(15 * time.Second)
	rec.take()
	if err := m.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	events, _ := rec.take()
	check(t, "events after a refused SetRules", ruleEventStrings(events), nil)
	check(t, "states", ruleAlertStrings(m.Alerts()), []string{"MemHigh/a:firing"})
}

// TestSetRulesConcurrent changes rules while evaluations and readers run;
// the race detector is the assertion.
func TestSetRulesConcurrent(t *testing.T) {
	src, clock, rec := newFakeSource(), &fakeClock{now: time.Unix(1_700_000_000, 0)}, &recorder{}
	m := newTestManager(t, src, clock, rec, lowRule)
	src.set("a", 0.95)
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 200 {
			rules := []Rule{highRule}
			if i%2 == 1 {
				rules = []Rule{highRule2, lowRule}
			}
			if err := m.SetRules(fmt.Sprintf("g%d", i%3), rules); err != nil {
				t.Error(err)
				return
			}
		}
	})
	wg.Go(func() {
		for range 200 {
			_ = m.Alerts()
		}
	})
	for range 100 {
		clock.advance(time.Second)
		if err := m.Evaluate(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
}

func ruleEventStrings(evs []Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, fmt.Sprintf("%s/%s:%s→%s", e.Rule, e.Labels["instance"], e.From, e.State))
	}
	sort.Strings(out)
	return out
}

func ruleSentStrings(batches [][]Notification) []string {
	var out []string
	for _, b := range batches {
		for _, n := range b {
			out = append(out, n.Labels["alertname"]+"/"+n.Labels["instance"]+":"+n.Status.String())
		}
	}
	sort.Strings(out)
	return out
}

func ruleAlertStrings(as []Alert) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Rule+"/"+a.Labels["instance"]+":"+a.State.String())
	}
	sort.Strings(out)
	return out
}

func TestRuleKey(t *testing.T) {
	base := Rule{Name: "A", Expr: "last(m[1m]) > 0", For: time.Minute,
		Labels: map[string]string{"a": "1", "b": "2"}, Annotations: map[string]string{"summary": "x"}}
	with := func(change func(*Rule)) Rule {
		r := base
		r.Labels, r.Annotations = maps.Clone(base.Labels), maps.Clone(base.Annotations)
		change(&r)
		return r
	}
	tests := []struct {
		name string
		r    Rule
		same bool
	}{
		{"identical copy", with(func(*Rule) {}), true},
		{"labels built in another order", with(func(r *Rule) { r.Labels = map[string]string{"b": "2", "a": "1"} }), true},
		{"other for", with(func(r *Rule) { r.For = 2 * time.Minute }), false},
		{"other expr", with(func(r *Rule) { r.Expr = "last(m[1m]) > 1" }), false},
		{"other annotation", with(func(r *Rule) { r.Annotations["summary"] = "y" }), false},
		{"label moved into the value", with(func(r *Rule) { r.Labels = map[string]string{"a": `1" "b":"2`} }), false},
	}
	for _, tt := range tests {
		if got := ruleKey(tt.r) == ruleKey(base); got != tt.same {
			t.Errorf("%s: same key = %v, want %v", tt.name, got, tt.same)
		}
	}
	if ruleKey(Rule{Name: "A"}) != ruleKey(Rule{Name: "A", Labels: map[string]string{}}) {
		t.Error("nil and empty labels give different keys")
	}
}
