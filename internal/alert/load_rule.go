package alert

import (
	"errors"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

var ruleKeys = []string{"alert", "expr", "for", "labels", "annotations"}

// rule decodes and validates one rule of group.
func (d *ruleDecoder) rule(n *yaml.Node, group string) (Rule, bool) {
	var r Rule
	// The name, if any, labels errors about the rule's other fields.
	fields := d.mapping(n, group, scalarField(n, "alert"), "", ruleKeys)
	if fields == nil {
		return r, false
	}
	nerr := len(d.errs)
	var ok bool
	if r.Name, ok = d.str(fields, n, group, "", "alert"); !ok {
		return r, false
	}
	r.Expr, _ = d.str(fields, n, group, r.Name, "expr")
	if fn, ok := fields["for"]; ok {
		r.For, _ = d.duration(fn, group, r.Name)
	}
	r.Labels = d.stringMap(fields["labels"], group, r.Name, "labels")
	r.Annotations = d.stringMap(fields["annotations"], group, r.Name, "annotations")
	if len(d.errs) > nerr {
		return r, false
	}
	if _, err := compileRule(r); err != nil {
		var re *RuleError
		if errors.As(err, &re) {
			re.File, re.Group, re.Line = d.file, group, fieldLine(n, fields, re.Field)
		}
		d.errs = append(d.errs, err)
		return r, false
	}
	return r, true
}

// fieldLine finds the line of a field such as "expr" or "annotations.summary".
func fieldLine(rule *yaml.Node, fields map[string]*yaml.Node, field string) int {
	top, sub, _ := strings.Cut(field, ".")
	n, ok := fields[top]
	if !ok {
		return rule.Line
	}
	if sub != "" && n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == sub {
				return n.Content[i+1].Line
			}
		}
	}
	return n.Line
}

func (d *ruleDecoder) duration(n *yaml.Node, group, rule string) (time.Duration, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.fail(n, group, rule, "for", "want a duration such as 5m")
		return 0, false
	}
	v, err := ParseDuration(n.Value)
	if err != nil {
		d.fail(n, group, rule, "for", "%w", err)
		return 0, false
	}
	return v, true
}
