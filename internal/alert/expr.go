package alert

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Expr is a parsed rule expression:
// fn(metric{matchers}[window]) Op Threshold.
type Expr struct {
	Func      string // canonical name: avg_over_time, max_over_time, min_over_time, last_over_time, rate
	Metric    string
	Matchers  []Matcher
	Window    time.Duration
	Op        string // one of > >= < <= == !=
	Threshold float64
}

// Matcher is one label matcher of a selector: Name="Value", or
// Name!="Value" when Negate is set.
type Matcher struct {
	Name   string
	Value  string
	Negate bool
}

// funcAliases maps every accepted function name to its canonical form.
var funcAliases = map[string]string{
	"avg_over_time": "avg_over_time", "avg": "avg_over_time",
	"max_over_time": "max_over_time", "max": "max_over_time",
	"min_over_time": "min_over_time", "min": "min_over_time",
	"last_over_time": "last_over_time", "last": "last_over_time",
	"rate": "rate",
}

// String returns the expression in the canonical form ParseExpr accepts.
func (e Expr) String() string {
	var b strings.Builder
	b.WriteString(e.Func + "(" + e.Metric)
	if len(e.Matchers) > 0 {
		parts := make([]string, len(e.Matchers))
		for i, m := range e.Matchers {
			op := "="
			if m.Negate {
				op = "!="
			}
			parts[i] = m.Name + op + strconv.Quote(m.Value)
		}
		b.WriteString("{" + strings.Join(parts, ",") + "}")
	}
	fmt.Fprintf(&b, "[%s]) %s %s", formatDuration(e.Window), e.Op,
		strconv.FormatFloat(e.Threshold, 'g', -1, 64))
	return b.String()
}

// selector returns the equality matchers as the Selector a Source takes.
func (e Expr) selector() Selector {
	sel := Selector{Metric: e.Metric, Labels: map[string]string{}}
	for _, m := range e.Matchers {
		if !m.Negate {
			sel.Labels[m.Name] = m.Value
		}
	}
	return sel
}

// matches reports whether labels pass every matcher; a missing label
// counts as the empty string, as in Prometheus.
func (e Expr) matches(labels map[string]string) bool {
	for _, m := range e.Matchers {
		if (labels[m.Name] == m.Value) == m.Negate {
			return false
		}
	}
	return true
}

// compare applies the expression's comparison to v.
func (e Expr) compare(v float64) bool {
	switch e.Op {
	case ">":
		return v > e.Threshold
	case ">=":
		return v >= e.Threshold
	case "<":
		return v < e.Threshold
	case "<=":
		return v <= e.Threshold
	case "==":
		return v == e.Threshold
	case "!=":
		return v != e.Threshold && !math.IsNaN(v)
	}
	return false
}

// sortedKeys returns m's keys in order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
