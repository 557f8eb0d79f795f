package alert

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// mapping returns n's keys and values, refusing non-mappings, unknown and
// duplicate keys. It returns nil when n is not a mapping.
func (d *ruleDecoder) mapping(n *yaml.Node, group, rule, field string, allowed []string) map[string]*yaml.Node {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		d.fail(n, group, rule, field, "want a mapping, found %s", kindName(n))
		return nil
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case allowed != nil && !slices.Contains(allowed, k.Value):
			d.fail(k, group, rule, k.Value, "unknown field (allowed: %s)", strings.Join(allowed, ", "))
		case out[k.Value] != nil:
			d.fail(k, group, rule, k.Value, "duplicate key")
		default:
			out[k.Value] = deref(v)
		}
	}
	return out
}

// str returns the required non-empty scalar field key of parent.
func (d *ruleDecoder) str(fields map[string]*yaml.Node, parent *yaml.Node, group, rule, key string) (string, bool) {
	n, ok := fields[key]
	switch {
	case !ok:
		d.fail(parent, group, rule, key, "missing")
	case n.Kind != yaml.ScalarNode || n.Tag == "!!null":
		d.fail(n, group, rule, key, "want a string, found %s", kindName(n))
	case strings.TrimSpace(n.Value) == "":
		d.fail(n, group, rule, key, "empty")
	default:
		return n.Value, true
	}
	return "", false
}

// stringMap decodes an optional mapping of scalars (labels, annotations).
func (d *ruleDecoder) stringMap(n *yaml.Node, group, rule, field string) map[string]string {
	if n == nil || n.Tag == "!!null" {
		return nil
	}
	fields := d.mapping(n, group, rule, field, nil)
	if fields == nil {
		return nil
	}
	out := make(map[string]string, len(fields))
	for k, v := range fields {
		if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
			d.fail(v, group, rule, field+"."+k, "want a string, found %s", kindName(v))
			continue
		}
		out[k] = v.Value
	}
	return out
}

// deref follows YAML aliases (*anchor) to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// scalarField returns the scalar value of key in mapping n, or "".
func scalarField(n *yaml.Node, key string) string {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if v := deref(n.Content[i+1]); n.Content[i].Value == key && v.Kind == yaml.ScalarNode {
			return v.Value
		}
	}
	return ""
}

func kindName(n *yaml.Node) string {
	switch {
	case n.Tag == "!!null":
		return "null"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.AliasNode:
		return "an alias"
	}
	return "a " + strings.TrimPrefix(n.Tag, "!!")
}
