package spec

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"gopkg.in/yaml.v3"
)

// locator finds the line of a model path (services.web.deploy.replicas) in
// the Compose files a stack was loaded from. compose-go reports schema and
// type errors by path only; this puts the line back.
type locator struct {
	files []string // absolute paths, in merge order
	names map[string]string
	roots map[string]*yaml.Node
	// content holds what each file held when first read, and the files
	// that are not on disk at all (the canonical form).
	content map[string][]byte
}

func newLocator(files []string, display map[string]string) *locator {
	return &locator{files: files, names: display, roots: map[string]*yaml.Node{}}
}

// name is how a file is shown to people: as they passed it, if they did.
func (l *locator) name(file string) string {
	if n, ok := l.names[file]; ok {
		return n
	}
	return file
}

// root parses file once; a file that does not parse has no lines to give.
func (l *locator) root(file string) *yaml.Node {
	if n, ok := l.roots[file]; ok {
		return n
	}
	var doc yaml.Node
	data, err := l.read(file)
	if err != nil || yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		l.roots[file] = nil
		return nil
	}
	l.roots[file] = doc.Content[0]
	return doc.Content[0]
}

// read returns a file's content, read once: the alias check, the line
// lookup and the quoting of values all see the same bytes.
func (l *locator) read(file string) ([]byte, error) {
	if data, ok := l.content[file]; ok {
		return data, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	if l.content == nil {
		l.content = map[string][]byte{}
	}
	l.content[file] = data
	return data, nil
}

// find returns the file and line of path. It prefers hint (the file an
// error named); otherwise the file that holds most of the path, and among
// those the first (first) or the last: interpolation fails in the first
// file holding a bad value, while a merged value comes from the last one.
func (l *locator) find(path []string, hint string, first bool) (string, int) {
	if _, inMemory := l.content[hint]; hint != "" && !inMemory {
		if abs, err := filepath.Abs(hint); err == nil {
			hint = abs
		}
	}
	if hint != "" {
		if line, depth := lineOf(l.root(hint), path); depth == len(path) && line > 0 {
			return hint, line
		}
	}
	file, line, best := "", 0, 0
	for _, f := range l.files {
		n, depth := lineOf(l.root(f), path)
		if n == 0 || depth < best || (depth == best && first) {
			continue
		}
		file, line, best = f, n, depth
	}
	return file, line
}

// position orders places in the files: the index of the file holding
// path (in merge order, from 1) and the line; 0, 0 when not found.
func (l *locator) position(path []string) (file, line int) {
	f, line := l.find(path, "", false)
	if line == 0 {
		return 0, 0
	}
	return slices.Index(l.files, f) + 1, line
}

// lineOf walks node along path and returns the line of the deepest node it
// reaches (so a missing leaf still points at its parent) and how many
// segments it matched.
func lineOf(node *yaml.Node, path []string) (line, depth int) {
	for _, seg := range path {
		next := child(resolve(node), seg)
		if next == nil {
			return line, depth
		}
		node, line, depth = next, next.Line, depth+1
	}
	return line, depth
}

// child returns the node for one path segment: a mapping key's node (whose
// line is where people look), or a sequence element by index; "[]" (any
// element, as interpolation errors say) picks the first.
func child(node *yaml.Node, seg string) *yaml.Node {
	if node == nil {
		return nil
	}
	switch node.Kind {
	case yaml.MappingNode:
		return mappingChild(node, seg)
	case yaml.SequenceNode:
		i, err := strconv.Atoi(seg)
		if seg == "[]" {
			i, err = 0, nil
		}
		if err != nil || i < 0 || i >= len(node.Content) {
			return nil
		}
		return node.Content[i]
	}
	return nil
}

// mappingChild looks seg up among a mapping's keys, then in its merge keys
// (<<: *anchor). It returns the key node when the value is a scalar, and
// the value node otherwise, so walking can go on.
func mappingChild(node *yaml.Node, seg string) *yaml.Node {
	if node == nil {
		return nil
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, v := node.Content[i], node.Content[i+1]
		if k.Value == seg {
			return keyed(k, v)
		}
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		if node.Content[i].Value != "<<" {
			continue
		}
		if n := mappingChild(resolveMerge(node.Content[i+1]), seg); n != nil {
			return n
		}
	}
	return nil
}

// keyed returns v with the key's line, so a lookup reports the line the key
// is on even for a block value that starts on the next line.
func keyed(k, v *yaml.Node) *yaml.Node {
	r := resolve(v)
	if r == nil {
		return k
	}
	c := *r
	c.Line = k.Line
	return &c
}

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// resolveMerge flattens a merge value (one anchor or a list of them) into
// one mapping to search.
func resolveMerge(n *yaml.Node) *yaml.Node {
	n = resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return n
	}
	merged := &yaml.Node{Kind: yaml.MappingNode}
	for _, e := range n.Content {
		if e = resolve(e); e != nil && e.Kind == yaml.MappingNode {
			merged.Content = append(merged.Content, e.Content...)
		}
	}
	return merged
}
