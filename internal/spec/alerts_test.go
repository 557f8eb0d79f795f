package spec

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/alert"
)

// The stack's rules come back scoped to it, with $$ unescaped, and the
// canonical form the daemon stores gives the same rules.
func TestAlertRules(t *testing.T) {
	st, err := loadFile(t, "testdata/alerts.good.yml")
	if err != nil {
		t.Fatal(err)
	}
	want := []alert.Rule{{
		Name:   "APIErrors",
		Expr:   `avg_over_time(berth_proxy_5xx_ratio{service="api",stack="shop"}[5m]) > 0.02`,
		For:    5 * time.Minute,
		Labels: map[string]string{"severity": "page", "tier": "1", "stack": "shop"},
		Annotations: map[string]string{
			"summary": "{{ $labels.service }}: {{ humanizePercentage $value }} errors",
			"runbook": "{{ .Labels.stack }} runbook",
		},
	}, {
		Name:   "APICrashLoop",
		Expr:   `max_over_time(berth_service_crashloop{service="api",stack="shop"}[1m]) > 0`,
		Labels: map[string]string{"stack": "shop"},
	}}
	got, err := st.AlertRules()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("AlertRules:\n got %#v\nwant %#v", got, want)
	}
	canonical, err := st.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	again, err := LoadCanonical(context.Background(), st.Name, canonical)
	if err != nil {
		t.Fatalf("LoadCanonical: %v", err)
	}
	if got, _ := again.AlertRules(); !reflect.DeepEqual(got, want) || again.Hash != st.Hash {
		t.Fatalf("after LoadCanonical: rules %#v hash %s, want the same rules and hash %s", got, again.Hash, st.Hash)
	}
}

func TestRuleStringsUnmarshal(t *testing.T) {
	tests := []struct {
		in   string
		want RuleStrings
		err  string
	}{
		{in: `{"a":"x","n":1,"f":0.5,"b":true}`, want: RuleStrings{"a": "x", "n": "1", "f": "0.5", "b": "true"}},
		{in: `{}`, want: RuleStrings{}},
		{in: `{"a":{"b":"c"}}`, err: `value of "a" must be a string (got a mapping)`},
		{in: `{"a":[1]}`, err: `value of "a" must be a string (got a list)`},
		{in: `{"a":null}`, err: `value of "a" must be a string (got null)`},
		{in: `["a"]`, err: `must be a mapping of names to strings (got ["a"])`},
	}
	for _, tt := range tests {
		var got RuleStrings
		err := json.Unmarshal([]byte(tt.in), &got)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%s: error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}
