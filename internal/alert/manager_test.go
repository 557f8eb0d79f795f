package alert

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

func newTestManager(t *testing.T, src Source, clock *fakeClock, rec *recorder, rules ...Rule) *Manager {
	t.Helper()
	m, err := NewManager(Config{Source: src, Rules: rules, Notifiers: []Notifier{rec}, OnEvent: rec.onEvent,
		Interval: 15 * time.Second, ResendInterval: time.Minute, ResolvedRetention: 5 * time.Minute,
		GeneratorURL: "http://berth.test/alerts", Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var memRule = Rule{Name: "MemHigh", Expr: `last(mem{service="web"}[1m]) > 0.9`, For: time.Minute,
	Labels:      map[string]string{"severity": "warning"},
	Annotations: map[string]string{"summary": "{{ $labels.instance }} at {{ humanizePercentage $value }} {{ $labels.missing }}"}}

// TestStateMachine walks one rule through pending, firing, resolved and
// back, checking the events and notifications of every evaluation.
func TestStateMachine(t *testing.T) {
	type step struct {
		name    string
		advance time.Duration
		set     map[string]float64 // instance → value; absent instances are dropped
		events  []string           // "instance:from→to", sorted
		sent    []string           // "instance:status", sorted
		states  []string           // "instance:state" of Alerts(), sorted
	}
	steps := []step{
		{name: "below threshold", set: map[string]float64{"a": 0.5}},
		{name: "crosses: pending", advance: 15 * time.Second, set: map[string]float64{"a": 0.95, "b": 0.95},
			events: []string{"a:inactive→pending", "b:inactive→pending"}, states: []string{"a:pending", "b:pending"}},
		{name: "b recovers before for", advance: 30 * time.Second, set: map[string]float64{"a": 0.97, "b": 0.2},
			events: []string{"b:pending→inactive"}, states: []string{"a:pending"}},
		{name: "for elapsed: firing", advance: 30 * time.Second, set: map[string]float64{"a": 0.97},
			events: []string{"a:pending→firing"}, sent: []string{"a:firing"}, states: []string{"a:firing"}},
		{name: "still firing, not resent yet", advance: 30 * time.Second, set: map[string]float64{"a": 0.97},
			states: []string{"a:firing"}},
		{name: "resend after a minute", advance: 30 * time.Second, set: map[string]float64{"a": 0.99},
			sent: []string{"a:firing"}, states: []string{"a:firing"}},
		{name: "series gone: resolved", advance: 15 * time.Second, set: map[string]float64{},
			events: []string{"a:firing→resolved"}, sent: []string{"a:resolved"}, states: []string{"a:resolved"}},
		{name: "resolved resent", advance: time.Minute, set: map[string]float64{},
			sent: []string{"a:resolved"}, states: []string{"a:resolved"}},
		{name: "fires again from resolved", advance: 15 * time.Second, set: map[string]float64{"a": 1},
			events: []string{"a:resolved→pending"}, states: []string{"a:pending"}},
		{name: "back to normal", advance: 15 * time.Second, set: map[string]float64{"a": 0.1},
			events: []string{"a:pending→inactive"}},
	}
	src, clock, rec := newFakeSource(), &fakeClock{now: time.Unix(1_700_000_000, 0)}, &recorder{}
	m := newTestManager(t, src, clock, rec, memRule)
	for _, st := range steps {
		clock.advance(st.advance)
		src.reset()
		for k, v := range st.set {
			src.set(k, v)
		}
		if err := m.Evaluate(context.Background()); err != nil {
			t.Fatalf("%s: Evaluate: %v", st.name, err)
		}
		events, sent := rec.take()
		check(t, st.name+": events", eventStrings(events), st.events)
		check(t, st.name+": sent", sentStrings(sent), st.sent)
		check(t, st.name+": states", alertStrings(m.Alerts()), st.states)
	}
}

func check(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func eventStrings(evs []Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, fmt.Sprintf("%s:%s→%s", e.Labels["instance"], e.From, e.State))
	}
	sort.Strings(out)
	return out
}

func sentStrings(batches [][]Notification) []string {
	var out []string
	for _, b := range batches {
		for _, n := range b {
			out = append(out, n.Labels["instance"]+":"+n.Status.String())
		}
	}
	sort.Strings(out)
	return out
}

func alertStrings(as []Alert) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Labels["instance"]+":"+a.State.String())
	}
	return out
}

func TestNotificationContent(t *testing.T) {
	src, clock, rec := newFakeSource(), &fakeClock{now: time.Unix(1_700_000_000, 0)}, &recorder{}
	rule := memRule
	rule.For = 0
	m := newTestManager(t, src, clock, rec, rule)
	src.set("a", 0.93)
	start := clock.Now()
	if err := m.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	events, sent := rec.take()
	if len(events) != 1 || events[0].From != StateInactive || events[0].State != StateFiring {
		t.Fatalf("for: 0 should fire at once, got %v", eventStrings(events))
	}
	n := sent[0][0]
	wantLabels := "alertname=MemHigh instance=a service=web severity=warning"
	if got := labelString(n.Labels); got != wantLabels {
		t.Errorf("labels = %s, want %s", got, wantLabels)
	}
	if got := n.Annotations["summary"]; got != "a at 93% " {
		t.Errorf("summary = %q", got)
	}
	if !n.StartsAt.Equal(start) || !n.EndsAt.Equal(start.Add(4*time.Minute)) {
		t.Errorf("startsAt %v endsAt %v, want %v and 4m later", n.StartsAt, n.EndsAt, start)
	}
	if n.GeneratorURL != "http://berth.test/alerts?alert=MemHigh" {
		t.Errorf("generatorURL = %q", n.GeneratorURL)
	}
}

func labelString(m map[string]string) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, " ")
}

// A failing query must not resolve anything.
func TestQueryErrorKeepsState(t *testing.T) {
	src, clock, rec := newFakeSource(), &fakeClock{now: time.Unix(1_700_000_000, 0)}, &recorder{}
	rule := memRule
	rule.For = 0
	m := newTestManager(t, src, clock, rec, rule)
	src.set("a", 0.95)
	if err := m.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec.take()
	src.setErr(errors.New("history unavailable"))
	clock.advance(15 * time.Second)
	err := m.Evaluate(context.Background())
	if err == nil || !strings.Contains(err.Error(), "evaluating rule MemHigh: querying mem: history unavailable") {
		t.Fatalf("Evaluate error = %v", err)
	}
	if events, _ := rec.take(); len(events) != 0 {
		t.Fatalf("a failed query changed states: %v", eventStrings(events))
	}
	check(t, "states", alertStrings(m.Alerts()), []string{"a:firing"})
}

func TestNewManagerRefusesBadRules(t *testing.T) {
	_, err := NewManager(Config{Source: newFakeSource(), Rules: []Rule{
		memRule, {Name: "Bad", Expr: "avg(m[1m]) >"}, {Name: "bad name", Expr: "avg(m[1m]) > 1"},
	}})
	var re *RuleError
	if err == nil || !errors.As(err, &re) || !strings.Contains(err.Error(), `rule "Bad": field "expr"`) ||
		!strings.Contains(err.Error(), `rule "bad name": field "alert"`) {
		t.Fatalf("NewManager error = %v", err)
	}
}
