package alert

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestStackRule(t *testing.T) {
	tests := []struct {
		name     string
		rule     Rule
		wantExpr string
		field    string // of the *RuleError; "" when the rule is good
		err      string
	}{
		{name: "adds the stack matcher", rule: Rule{Name: "Errors", Expr: `avg(berth_proxy_5xx_ratio{service="api"}[5m]) > 0.1`},
			wantExpr: `avg_over_time(berth_proxy_5xx_ratio{service="api",stack="shop"}[5m]) > 0.1`},
		{name: "no matchers", rule: Rule{Name: "Errors", Expr: `max(berth_service_crashloop[1m]) > 0`},
			wantExpr: `max_over_time(berth_service_crashloop{stack="shop"}[1m]) > 0`},
		{name: "matches on stack", rule: Rule{Name: "Other", Expr: `last(m{stack="blog"}[1m]) > 0`},
			field: "expr", err: `matches on label "stack"`},
		{name: "negative stack matcher", rule: Rule{Name: "Other", Expr: `last(m{stack!="shop"}[1m]) > 0`},
			field: "expr", err: `matches on label "stack"`},
		{name: "stack label", rule: Rule{Name: "L", Expr: `last(m[1m]) > 0`, Labels: map[string]string{"stack": "blog"}},
			field: "labels", err: `label "stack": berth scopes a stack's rules`},
		{name: "bad expr", rule: Rule{Name: "E", Expr: `last(m[1m])`}, field: "expr", err: "expected a comparison"},
		{name: "bad template", rule: Rule{Name: "T", Expr: `last(m[1m]) > 0`, Annotations: map[string]string{"summary": "{{ .Nope"}},
			field: "annotations.summary", err: "parsing template"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := StackRule("shop", tt.rule)
			if tt.field != "" {
				var re *RuleError
				if !errors.As(err, &re) || re.Field != tt.field || !strings.Contains(err.Error(), tt.err) ||
					errors.Is(err, ErrStackLabel) != strings.Contains(tt.err, "stack") {
					t.Fatalf("StackRule error = %v, want a *RuleError on %s containing %q", err, tt.field, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Expr != tt.wantExpr || got.Labels["stack"] != "shop" {
				t.Fatalf("StackRule = %q labels %v, want %q with stack=shop", got.Expr, got.Labels, tt.wantExpr)
			}
			if tt.rule.Labels != nil && tt.rule.Labels["stack"] != "" {
				t.Fatal("StackRule changed the caller's labels")
			}
		})
	}
}

// stackSource serves mem{stack, instance} with one point per series.
type stackSource map[[2]string]float64

func (s stackSource) Series(_ context.Context, sel Selector, _, to time.Time) ([]Series, error) {
	var out []Series
	for k, v := range s {
		labels := map[string]string{"stack": k[0], "instance": k[1]}
		if matchAll(sel.Labels, labels) {
			out = append(out, Series{Labels: labels, Points: []Point{{T: to, V: v}}})
		}
	}
	return out, nil
}

// Two stacks use the same rule name; each rule sees only its own stack.
func TestStackRulesSeeOnlyTheirStack(t *testing.T) {
	src := stackSource{{"shop", "a"}: 0.95, {"blog", "b"}: 0.95, {"blog", "c"}: 0.1}
	clock, rec := &fakeClock{now: time.Unix(1_700_000_000, 0)}, &recorder{}
	m := newTestManager(t, src, clock, rec)
	for stack, threshold := range map[string]string{"shop": "0.9", "blog": "0.05"} {
		r, err := StackRule(stack, Rule{Name: "MemHigh", Expr: "last(mem[1m]) > " + threshold})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.SetRules("stack/"+stack, []Rule{r}); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range m.Alerts() {
		got = append(got, a.Labels["alertname"]+"/"+a.Labels["stack"]+"/"+a.Labels["instance"])
	}
	sort.Strings(got)
	check(t, "alerts", got, []string{"MemHigh/blog/b", "MemHigh/blog/c", "MemHigh/shop/a"})
}
