package alert

import (
	"errors"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

// LoadRuleFile reads a Prometheus-style rule file; see ParseRules.
func LoadRuleFile(path string) ([]Rule, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading rule file: %w", err)
	}
	return ParseRules(path, data)
}

// ParseRules decodes a rule file's content (file names it in errors) and
// validates every rule. Every problem is reported, each as a *RuleError
// with the line; one bad rule refuses the whole file.
func ParseRules(file string, data []byte) ([]Rule, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &RuleError{File: file, Err: fmt.Errorf("parsing YAML: %w", err)}
	}
	if len(doc.Content) == 0 {
		return nil, nil // an empty file holds no rules
	}
	d := &ruleDecoder{file: file}
	rules := d.root(deref(doc.Content[0]))
	if err := errors.Join(d.errs...); err != nil {
		return nil, err
	}
	return rules, nil
}

// ruleDecoder walks the YAML node tree, collecting errors with lines.
type ruleDecoder struct {
	file string
	errs []error
}

func (d *ruleDecoder) fail(n *yaml.Node, group, rule, field string, format string, args ...any) {
	d.errs = append(d.errs, &RuleError{File: d.file, Line: n.Line, Group: group, Rule: rule,
		Field: field, Err: fmt.Errorf(format, args...)})
}

func (d *ruleDecoder) root(n *yaml.Node) []Rule {
	fields := d.mapping(n, "", "", "", []string{"groups"})
	if fields == nil {
		return nil
	}
	g, ok := fields["groups"]
	if !ok {
		d.fail(n, "", "", "groups", "missing")
		return nil
	}
	if g.Kind != yaml.SequenceNode {
		d.fail(g, "", "", "groups", "want a list of groups")
		return nil
	}
	var rules []Rule
	seen := map[string]int{}
	for _, gn := range g.Content {
		gn = deref(gn)
		rules = append(rules, d.group(gn, seen)...)
	}
	return rules
}

func (d *ruleDecoder) group(n *yaml.Node, seen map[string]int) []Rule {
	fields := d.mapping(n, "", "", "", []string{"name", "rules"})
	if fields == nil {
		return nil
	}
	name, ok := d.str(fields, n, "", "", "name")
	if !ok {
		return nil
	}
	if line, dup := seen[name]; dup {
		d.fail(fields["name"], name, "", "name", "duplicate group name (first at line %d)", line)
	}
	seen[name] = fields["name"].Line
	rn, ok := fields["rules"]
	if !ok || rn.Kind != yaml.SequenceNode {
		d.fail(n, name, "", "rules", "missing or not a list of rules")
		return nil
	}
	var rules []Rule
	for _, r := range rn.Content {
		if rule, ok := d.rule(deref(r), name); ok {
			rules = append(rules, rule)
		}
	}
	return rules
}
