package spec

import (
	"strconv"

	"gopkg.in/yaml.v3"
)

// scalar returns the scalar value at path in file (or in any file when
// file has none), for messages that quote what the user wrote.
func (l *locator) scalar(file string, path []string) (string, bool) {
	f, line := l.find(path, file, true)
	if line == 0 {
		return "", false
	}
	n := nodeAt(l.root(f), path)
	if n == nil || n.Kind != yaml.ScalarNode {
		return "", false
	}
	return n.Value, true
}

// nodeAt returns the node at path, or nil.
func nodeAt(node *yaml.Node, path []string) *yaml.Node {
	for _, seg := range path {
		node = child(resolve(node), seg)
		if node == nil {
			return nil
		}
	}
	return resolve(node)
}

// search returns the path and line of the first scalar, in any file, for
// which match is true: how errors that name a value but no path (a bad
// port, a missing extends file) are located.
func (l *locator) search(match func(file, value string) bool) (file string, path []string, line int) {
	for _, f := range l.files {
		if p, n := searchNode(l.root(f), nil, func(v string) bool { return match(f, v) }); n != nil {
			return f, p, n.Line
		}
	}
	return "", nil, 0
}

func searchNode(node *yaml.Node, path []string, match func(string) bool) ([]string, *yaml.Node) {
	if node == nil {
		return nil, nil
	}
	switch node.Kind {
	case yaml.ScalarNode:
		if match(node.Value) {
			return path, node
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(node.Content); i += 2 {
			p := append(append([]string{}, path...), node.Content[i].Value)
			if rp, n := searchNode(node.Content[i+1], p, match); n != nil {
				return rp, n
			}
		}
	case yaml.SequenceNode:
		for i, c := range node.Content {
			if rp, n := searchNode(c, append(append([]string{}, path...), strconv.Itoa(i)), match); n != nil {
				return rp, n
			}
		}
	}
	return nil, nil
}

// broken returns the first file that is not valid YAML, or "".
func (l *locator) broken() string {
	for _, f := range l.files {
		if l.root(f) == nil {
			return f
		}
	}
	return ""
}
