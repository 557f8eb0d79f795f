package docker

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ignoreMatcher applies .dockerignore patterns the way the docker CLI does,
// in a small form: path.Match per path segment, "**" for any number of
// segments, "!" for exceptions, the last matching pattern wins, and a
// pattern that matches a directory excludes everything under it.
// (github.com/moby/patternmatcher is not in berth's module graph.)
type ignoreMatcher struct {
	patterns []ignorePattern
}

// ignorePattern is one parsed .dockerignore line.
type ignorePattern struct {
	segments  []string
	exception bool
}

// loadIgnore reads dir/.dockerignore; a missing file excludes nothing.
func loadIgnore(dir string) (*ignoreMatcher, error) {
	f, err := os.Open(filepath.Join(dir, ".dockerignore"))
	if errors.Is(err, fs.ErrNotExist) {
		return &ignoreMatcher{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading .dockerignore: %w", err)
	}
	defer func() { _ = f.Close() }()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading .dockerignore: %w", err)
	}
	return parseIgnore(lines)
}

// parseIgnore parses .dockerignore lines; blank lines and # comments are
// skipped.
func parseIgnore(lines []string) (*ignoreMatcher, error) {
	m := &ignoreMatcher{}
	for n, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p := ignorePattern{}
		if strings.HasPrefix(line, "!") {
			p.exception, line = true, strings.TrimSpace(line[1:])
		}
		line = path.Clean(filepath.ToSlash(line))
		line = strings.TrimPrefix(line, "/")
		if line == "" || line == "." {
			continue
		}
		p.segments = strings.Split(line, "/")
		for _, seg := range p.segments {
			if _, err := path.Match(seg, ""); err != nil {
				return nil, fmt.Errorf(".dockerignore line %d: pattern %q: %w", n+1, line, err)
			}
		}
		m.patterns = append(m.patterns, p)
	}
	return m, nil
}

// hasExceptions reports whether any pattern re-includes files, in which
// case excluded directories must still be walked.
func (m *ignoreMatcher) hasExceptions() bool {
	for _, p := range m.patterns {
		if p.exception {
			return true
		}
	}
	return false
}

// excludes reports whether the slash-separated relative path is excluded.
func (m *ignoreMatcher) excludes(rel string) bool {
	segs := strings.Split(rel, "/")
	excluded := false
	for _, p := range m.patterns {
		if p.matchesPathOrParent(segs) {
			excluded = !p.exception
		}
	}
	return excluded
}

// matchesPathOrParent matches the path itself or any of its parents.
func (p ignorePattern) matchesPathOrParent(segs []string) bool {
	for n := len(segs); n > 0; n-- {
		if matchSegments(p.segments, segs[:n]) {
			return true
		}
	}
	return false
}

// matchSegments matches pattern segments against path segments; "**"
// matches zero or more segments.
func matchSegments(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(name); i++ {
				if matchSegments(pat[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}
