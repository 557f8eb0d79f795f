package spec

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"
)

// checkAliases rejects an alias inside the node its anchor names
// (`x: &a {<<: *a}`): compose-go loops forever on it, so it must be caught
// before the file reaches compose-go. Files that do not parse are left to
// compose-go, which reports the syntax error.
func (l *locator) checkAliases() error {
	for _, f := range l.files {
		data, err := l.read(f)
		if err != nil {
			continue // compose-go reports unreadable files
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var doc yaml.Node
			if err := dec.Decode(&doc); err != nil {
				break // io.EOF, or a syntax error compose-go reports
			}
			if n := selfAlias(&doc, map[*yaml.Node]bool{}); n != nil {
				return &LoadError{File: l.name(f), Line: n.Line,
					Msg:  fmt.Sprintf("alias *%s is inside its own anchor &%s", n.Value, n.Value),
					Hint: "an anchor cannot include itself; move the shared part under its own anchor"}
			}
		}
	}
	return nil
}

// selfAlias returns the first alias under n that points at one of its
// ancestors.
func selfAlias(n *yaml.Node, ancestors map[*yaml.Node]bool) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		if ancestors[n.Alias] {
			return n
		}
		return nil
	}
	ancestors[n] = true
	defer delete(ancestors, n)
	for _, c := range n.Content {
		if a := selfAlias(c, ancestors); a != nil {
			return a
		}
	}
	return nil
}
