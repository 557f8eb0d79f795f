package alert

import (
	"strings"
	"testing"
	"time"
)

func TestParseExpr(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // canonical String(); empty when an error is expected
		err      string
	}{
		{name: "avg", in: "avg_over_time(berth_container_memory_usage_ratio[1m]) > 0.9",
			want: "avg_over_time(berth_container_memory_usage_ratio[1m]) > 0.9"},
		{name: "short alias and matchers", in: ` max ( up { job = "berth", env!="dev" } [ 1h30m ] ) >= 1e3 `,
			want: `max_over_time(up{job="berth",env!="dev"}[1h30m]) >= 1000`},
		{name: "rate colon metric", in: "rate(ns:requests_total[5m])!=-2", want: "rate(ns:requests_total[5m]) != -2"},
		{name: "escaped value", in: `last(m{a="x\"y"}[10s]) == 0`, want: `last_over_time(m{a="x\"y"}[10s]) == 0`},
		{name: "min <=", in: "min(m[1d]) <= .5", want: "min_over_time(m[1d]) <= 0.5"},
		{name: "unknown function", in: "sum(m[1m]) > 1", err: `unknown function "sum"`},
		{name: "no window", in: "avg(m) > 1", err: `expected "["`},
		{name: "zero window", in: "avg(m[0s]) > 1", err: "window must be positive"},
		{name: "bad window unit", in: "avg(m[5x]) > 1", err: `invalid window "5x"`},
		{name: "unit order", in: "avg(m[5m1h]) > 1", err: "out-of-order unit"},
		{name: "no comparison", in: "avg(m[1m])", err: "expected a comparison"},
		{name: "no threshold", in: "avg(m[1m]) >", err: "expected a number after the comparison"},
		{name: "trailing junk", in: "avg(m[1m]) > 1 and up", err: `expected a number, found "1 and up"`},
		{name: "nan", in: "avg(m[1m]) > NaN", err: "expected a number"},
		{name: "regex matcher", in: `avg(m{a=~"x"}[1m]) > 1`, err: "regular-expression matchers are not supported"},
		{name: "unquoted value", in: `avg(m{a=x}[1m]) > 1`, err: "expected a double-quoted label value"},
		{name: "unterminated value", in: `avg(m{a="x}[1m]) > 1`, err: "unterminated label value"},
		{name: "duplicate label", in: `avg(m{a="1",a="2"}[1m]) > 1`, err: `label "a" matched twice`},
		{name: "missing comma", in: `avg(m{a="1" b="2"}[1m]) > 1`, err: `expected "," or "}"`},
		{name: "bad metric", in: "avg(9m[1m]) > 1", err: "expected metric name"},
		{name: "missing paren", in: "avg(m[1m] > 1", err: `expected ")"`},
		{name: "empty", in: "", err: "expected function name, found end of expression"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ParseExpr(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseExpr(%q) error = %v, want containing %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseExpr(%q): %v", tt.in, err)
			}
			if got := e.String(); got != tt.want {
				t.Fatalf("String() = %q, want %q", got, tt.want)
			}
			if _, err := ParseExpr(e.String()); err != nil {
				t.Fatalf("canonical form does not parse again: %v", err)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{in: "0s"}, {in: "500ms", want: 500 * time.Millisecond}, {in: "1h30m", want: 90 * time.Minute},
		{in: "2d", want: 48 * time.Hour}, {in: "1w1d", want: 8 * 24 * time.Hour}, {in: "1m1ms", want: time.Minute + time.Millisecond},
		{in: "", err: true}, {in: "5", err: true}, {in: "m", err: true}, {in: "1s1m", err: true}, {in: "1h1h", err: true}, {in: "-1m", err: true},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
		if err == nil {
			if back, _ := ParseDuration(formatDuration(got)); back != got {
				t.Errorf("formatDuration(%v) = %q does not round-trip", got, formatDuration(got))
			}
		}
	}
}

func TestAggregate(t *testing.T) {
	t0 := time.Unix(1000, 0)
	pts := func(vs ...float64) []Point {
		out := make([]Point, len(vs))
		for i, v := range vs {
			out[i] = Point{T: t0.Add(time.Duration(i) * 10 * time.Second), V: v}
		}
		return out
	}
	tests := []struct {
		fn   string
		pts  []Point
		want float64
		ok   bool
	}{
		{"avg_over_time", pts(1, 2, 3, 6), 3, true},
		{"max_over_time", pts(1, 7, 3), 7, true},
		{"min_over_time", pts(4, 2, 3), 2, true},
		{"last_over_time", pts(4, 2, 3), 3, true},
		{"rate", pts(0, 10, 20), 1, true},
		{"rate", pts(100, 110, 5, 20), 1, true}, // reset: 10 + 5 + 15 over 30s
		{"rate", pts(1), 0, false},
		{"avg_over_time", nil, 0, false},
	}
	for _, tt := range tests {
		got, ok := aggregate(tt.fn, tt.pts)
		if ok != tt.ok || got != tt.want {
			t.Errorf("aggregate(%s, %v) = %v, %v; want %v, %v", tt.fn, tt.pts, got, ok, tt.want, tt.ok)
		}
	}
}
