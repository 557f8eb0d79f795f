package docker

import (
	"strings"
	"testing"
)

func TestIgnoreMatcher(t *testing.T) {
	tests := []struct {
		name     string
		patterns string
		path     string
		excluded bool
	}{
		{"no patterns", "", "a/b.txt", false},
		{"plain file", "secret.txt", "secret.txt", true},
		{"glob at root only", "*.md", "docs/a.md", false},
		{"glob at root", "*.md", "a.md", true},
		{"directory excludes its content", "node_modules", "node_modules/x/y.js", true},
		{"leading slash", "/build", "build/out", true},
		{"double star any depth", "**/*.log", "a/b/c.log", true},
		{"double star zero depth", "**/*.log", "c.log", true},
		{"double star in the middle", "a/**/z", "a/b/c/z", true},
		{"exception re-includes", "*.md\n!README.md", "README.md", false},
		{"later pattern wins", "!keep\nkeep", "keep", true},
		{"comments and blanks", "# *.go\n\n", "main.go", false},
		{"question mark", "file?.txt", "file1.txt", true},
		{"char class", "[ab].txt", "c.txt", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := parseIgnore(strings.Split(tt.patterns, "\n"))
			if err != nil {
				t.Fatalf("parseIgnore: %v", err)
			}
			if got := m.excludes(tt.path); got != tt.excluded {
				t.Errorf("excludes(%q) = %v, want %v", tt.path, got, tt.excluded)
			}
		})
	}
}

func TestIgnoreBadPattern(t *testing.T) {
	_, err := parseIgnore([]string{"ok", "[unclosed"})
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("error = %v, want one naming line 2", err)
	}
}
