package spec

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/schema"
)

// composeSchema is the Compose JSON schema compose-go validates against,
// parsed once, to suggest field names.
var composeSchema = sync.OnceValue(func() map[string]any {
	var s map[string]any
	if err := json.Unmarshal([]byte(schema.Schema), &s); err != nil {
		return nil
	}
	return s
})

// schemaHint suggests a field for an unknown key under parent: the closest
// valid name if one is close, else the list of valid names.
func schemaHint(parent []string, key string) string {
	root := composeSchema()
	if root == nil {
		return ""
	}
	names := map[string]bool{}
	collectProps(root, root, parent, names, 0)
	if len(names) == 0 {
		return ""
	}
	valid := make([]string, 0, len(names))
	for n := range names {
		valid = append(valid, n)
	}
	sort.Strings(valid)
	if best := closest(key, valid); best != "" {
		return fmt.Sprintf("did you mean %q?", best)
	}
	return "valid fields here: " + strings.Join(valid, ", ") + `; custom keys must start with "x-"`
}

// collectProps adds the property names the schema node allows at path,
// following $ref, allOf, anyOf and oneOf.
func collectProps(root, node map[string]any, path []string, out map[string]bool, depth int) {
	if node == nil || depth > 32 {
		return
	}
	if ref, ok := node["$ref"].(string); ok {
		collectProps(root, lookupRef(root, ref), path, out, depth+1)
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		list, _ := node[k].([]any)
		for _, sub := range list {
			m, _ := sub.(map[string]any)
			collectProps(root, m, path, out, depth+1)
		}
	}
	if len(path) == 0 {
		props, _ := node["properties"].(map[string]any)
		for k := range props {
			out[k] = true
		}
		return
	}
	for _, next := range childSchemas(node, path[0]) {
		collectProps(root, next, path[1:], out, depth+1)
	}
}

// childSchemas returns the schemas that apply to key under node: a named
// property, pattern properties (any name), or array items.
func childSchemas(node map[string]any, key string) []map[string]any {
	var out []map[string]any
	if props, ok := node["properties"].(map[string]any); ok {
		if m, ok := props[key].(map[string]any); ok {
			return append(out, m)
		}
	}
	if pats, ok := node["patternProperties"].(map[string]any); ok {
		for p, v := range pats {
			if m, ok := v.(map[string]any); ok && !strings.HasPrefix(p, "^x-") {
				out = append(out, m)
			}
		}
	}
	if m, ok := node["items"].(map[string]any); ok {
		out = append(out, m)
	}
	return out
}

func lookupRef(root map[string]any, ref string) map[string]any {
	node := root
	for _, seg := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		next, ok := node[seg].(map[string]any)
		if !ok {
			return nil
		}
		node = next
	}
	return node
}

// closest returns the candidate within edit distance 2 of key, or "".
func closest(key string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := editDistance(key, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
