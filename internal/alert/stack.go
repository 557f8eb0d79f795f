package alert

import (
	"errors"
	"fmt"
	"maps"
	"slices"
)

// StackLabel is the label naming the stack a series or alert belongs to.
const StackLabel = "stack"

// ErrStackLabel is wrapped by CheckStackRule's refusals of a rule that
// matches on or sets the stack label itself.
var ErrStackLabel = errors.New("berth scopes a stack's rules to the stack itself")

// CheckStackRule validates a rule written in a stack's Compose file: as a
// rule file's rule, and without a matcher or label on the stack, which
// StackRule sets. A failure is a *RuleError whose Field names the key
// ("alert", "expr", "labels", "annotations.summary").
func CheckStackRule(r Rule) error {
	if _, err := compileRule(r); err != nil {
		return err
	}
	e, _ := ParseExpr(r.Expr) // compiled above
	if slices.ContainsFunc(e.Matchers, func(m Matcher) bool { return m.Name == StackLabel }) {
		return &RuleError{Rule: r.Name, Field: "expr",
			Err: fmt.Errorf(`matches on label "stack": %w`, ErrStackLabel)}
	}
	if _, ok := r.Labels[StackLabel]; ok {
		return &RuleError{Rule: r.Name, Field: "labels",
			Err: fmt.Errorf(`label "stack": %w`, ErrStackLabel)}
	}
	return nil
}

// StackRule returns r limited to one stack: stack="<stack>" joins its
// expression's selector, so it sees only that stack's series (host-wide
// series such as berth_host_disk_free_ratio have no stack and never match),
// and its labels, so its alerts say whose they are and two stacks may use
// the same alert name.
func StackRule(stack string, r Rule) (Rule, error) {
	if err := CheckStackRule(r); err != nil {
		return Rule{}, err
	}
	e, _ := ParseExpr(r.Expr)
	e.Matchers = append(e.Matchers, Matcher{Name: StackLabel, Value: stack})
	r.Expr = e.String()
	r.Labels = maps.Clone(r.Labels)
	if r.Labels == nil {
		r.Labels = map[string]string{}
	}
	r.Labels[StackLabel] = stack
	return r, nil
}
