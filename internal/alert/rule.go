package alert

import (
	"errors"
	"fmt"
	"strings"
	"text/template"
	"time"
)

// Rule is one alerting rule.
type Rule struct {
	// Name becomes the alertname label; a metric-style name.
	Name string
	// Expr is the condition; see ParseExpr.
	Expr string
	// For is how long the condition must hold before the alert fires.
	For time.Duration
	// Labels are added to every alert of the rule (severity, team).
	Labels map[string]string
	// Annotations are text/template templates expanded per alert with
	// $labels and $value (summary, description, runbook_url).
	Annotations map[string]string
}

// RuleError explains why a rule was refused. File and Line are set when
// the rule came from a file; Field names the offending key.
type RuleError struct {
	File  string
	Line  int
	Group string
	Rule  string
	Field string
	Err   error
}

// Error returns "file:line: group "g": rule "r": field "f": reason",
// leaving out the parts that are not known.
func (e *RuleError) Error() string {
	var parts []string
	if e.File != "" {
		loc := e.File
		if e.Line > 0 {
			loc = fmt.Sprintf("%s:%d", e.File, e.Line)
		}
		parts = append(parts, loc)
	}
	for _, p := range [][2]string{{"group", e.Group}, {"rule", e.Rule}, {"field", e.Field}} {
		if p[1] != "" {
			parts = append(parts, fmt.Sprintf("%s %q", p[0], p[1]))
		}
	}
	parts = append(parts, e.Err.Error())
	return strings.Join(parts, ": ")
}

// Unwrap returns the underlying reason.
func (e *RuleError) Unwrap() error { return e.Err }

// compiledRule is a validated Rule with its expression and templates parsed.
type compiledRule struct {
	Rule
	expr        Expr
	annotations map[string]*template.Template
}

// compileRule validates r; a failure is a *RuleError naming the field.
func compileRule(r Rule) (*compiledRule, error) {
	fail := func(field string, err error) error {
		return &RuleError{Rule: r.Name, Field: field, Err: err}
	}
	if !isMetricName(r.Name) {
		return nil, fail("alert", fmt.Errorf("invalid alert name %q: want [a-zA-Z_:][a-zA-Z0-9_:]*", r.Name))
	}
	expr, err := ParseExpr(r.Expr)
	if err != nil {
		return nil, fail("expr", err)
	}
	if r.For < 0 {
		return nil, fail("for", fmt.Errorf("negative duration %s", r.For))
	}
	if err := validateLabelNames(r.Labels, true); err != nil {
		return nil, fail("labels", err)
	}
	if err := validateLabelNames(r.Annotations, false); err != nil {
		return nil, fail("annotations", err)
	}
	cr := &compiledRule{Rule: r, expr: expr, annotations: map[string]*template.Template{}}
	for _, k := range sortedKeys(r.Annotations) {
		if cr.annotations[k], err = parseTemplate(k, r.Annotations[k]); err != nil {
			return nil, fail("annotations."+k, err)
		}
	}
	return cr, nil
}

// validateLabelNames checks label (or annotation) names; rule labels may
// not replace alertname or use the reserved __ prefix.
func validateLabelNames(m map[string]string, labels bool) error {
	for _, k := range sortedKeys(m) {
		switch {
		case !isLabelName(k):
			return fmt.Errorf("invalid name %q: want [a-zA-Z_][a-zA-Z0-9_]*", k)
		case labels && k == "alertname":
			return errors.New("alertname is set from the rule's alert name")
		case labels && strings.HasPrefix(k, "__"):
			return fmt.Errorf("label %q: names starting with __ are reserved", k)
		}
	}
	return nil
}

func isLabelName(s string) bool { return isName(s, false) }

func isMetricName(s string) bool { return isName(s, true) }

func isName(s string, colons bool) bool {
	for i := 0; i < len(s); i++ {
		if !isNameByte(s[i], i > 0, colons) {
			return false
		}
	}
	return s != ""
}
