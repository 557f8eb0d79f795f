package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/internal/alert"
)

// Alert rules of a stack: the top-level `x-berth.alerts`, each in the shape
// of a rule in a Prometheus rule file (package alert documents the
// expressions and metrics):
//
//	x-berth:
//	  alerts:
//	    - alert: APIErrors
//	      expr: avg_over_time(berth_proxy_5xx_ratio{service="api"}[5m]) > 0.02
//	      for: 5m
//	      labels: {severity: page}
//	      annotations:
//	        summary: "{{ $$labels.service }}: {{ humanizePercentage $$value }} errors"
//
// Compose replaces $name with an environment variable, so annotation
// templates write $$labels and $$value (or .Labels and .Value). A stack's
// rules see only the stack's own series: see alert.StackRule.
//
// The rules are decoded here, with the rest of x-berth, and validated by
// package alert, so a stack file and a rule file accept the same rules.
// spec imports alert and not the reverse: alert is a leaf (the standard
// library and yaml.v3), while spec would bring compose-go into it.

// AlertRule is one entry of `x-berth.alerts`.
type AlertRule struct {
	Alert       string      `json:"alert,omitempty"`
	Expr        string      `json:"expr,omitempty"`
	For         string      `json:"for,omitempty"` // a Prometheus duration: 30s, 5m, 1h30m
	Labels      RuleStrings `json:"labels,omitempty"`
	Annotations RuleStrings `json:"annotations,omitempty"`
}

// RuleStrings are a rule's labels or annotations. Values may be any YAML
// scalar (severity: 1 is "1"), as in a rule file.
type RuleStrings map[string]string

// UnmarshalJSON accepts an object of scalars.
func (m *RuleStrings) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("must be a mapping of names to strings (got %s)", b)
	}
	out := make(RuleStrings, len(raw))
	for k, v := range raw {
		s, err := scalarString(v)
		if err != nil {
			return fmt.Errorf("value of %q must be a string (got %s)", k, err)
		}
		out[k] = s
	}
	*m = out
	return nil
}

// scalarString returns a JSON string's content or a number's or boolean's
// text; the error names what v is instead.
func scalarString(v json.RawMessage) (string, error) {
	t := string(bytes.TrimSpace(v))
	var s string
	switch {
	case strings.HasPrefix(t, `"`) && json.Unmarshal(v, &s) == nil:
		return s, nil
	case t == "true" || t == "false":
		return t, nil
	case strings.HasPrefix(t, "{"):
		return "", errors.New("a mapping")
	case strings.HasPrefix(t, "["):
		return "", errors.New("a list")
	case t == "null":
		return "", errors.New("null")
	}
	if _, err := strconv.ParseFloat(t, 64); err != nil {
		return "", errors.New(t)
	}
	return t, nil
}

// rule converts r to an alert.Rule; a bad duration is the only failure.
func (r AlertRule) rule() (alert.Rule, error) {
	out := alert.Rule{Name: r.Alert, Expr: r.Expr, Labels: r.Labels, Annotations: r.Annotations}
	if r.For == "" {
		return out, nil
	}
	d, err := alert.ParseDuration(r.For)
	if err != nil {
		return out, &alert.RuleError{Rule: r.Alert, Field: "for", Err: err}
	}
	out.For = d
	return out, nil
}

// AlertRules returns the stack's `x-berth.alerts` as rules scoped to the
// stack (alert.StackRule). Load has validated them.
func (s *Stack) AlertRules() ([]alert.Rule, error) {
	out := make([]alert.Rule, 0, len(s.Berth.Alerts))
	for i, ar := range s.Berth.Alerts {
		r, err := ar.rule()
		if err == nil {
			r, err = alert.StackRule(s.Name, r)
		}
		if err != nil {
			return nil, fmt.Errorf("stack %s: x-berth.alerts.%d: %w", s.Name, i, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// validateAlerts checks every rule as package alert would; the first bad
// one is reported with its field.
func (o StackOptions) validateAlerts() *LoadError {
	for i, ar := range o.Alerts {
		at := fmt.Sprintf("alerts.%d.", i)
		switch {
		case strings.TrimSpace(ar.Alert) == "":
			return optionHint(at+"alert", "is required", "name the alert, e.g. `alert: APIErrors`")
		case strings.TrimSpace(ar.Expr) == "":
			return optionHint(at+"expr", "is required", exprHint)
		}
		r, err := ar.rule()
		if err == nil {
			err = alert.CheckStackRule(r)
		}
		if err != nil {
			return ruleLoadError(at, ar.Alert, err)
		}
	}
	return nil
}

const exprHint = `the form is fn(metric{label="value"}[window]) OP number, e.g. avg_over_time(berth_proxy_5xx_ratio{service="api"}[5m]) > 0.05`

// ruleHints say what to do about a bad field, by its first segment.
var ruleHints = map[string]string{
	"alert":       "letters, digits, _ and :, not starting with a digit",
	"expr":        exprHint,
	"for":         "a Prometheus duration such as 30s, 5m or 1h30m",
	"labels":      "names are letters, digits and _, not starting with __",
	"annotations": "Compose replaces $name with an environment variable: write $$labels and $$value, or .Labels and .Value",
}

// ruleLoadError locates an alert.RuleError at its field of rule at.
func ruleLoadError(at, name string, err error) *LoadError {
	var re *alert.RuleError
	if !errors.As(err, &re) {
		return optionError(strings.TrimSuffix(at, "."), err.Error())
	}
	top, _, _ := strings.Cut(re.Field, ".")
	hint := ruleHints[top]
	if errors.Is(err, alert.ErrStackLabel) {
		hint = `remove it: berth adds stack="<this stack>" to every expression and alert of the stack`
	}
	le := optionHint(at+re.Field, fmt.Sprintf("alert %q: %v", name, re.Err), hint)
	le.Err = err
	return le
}
