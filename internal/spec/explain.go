package spec

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
)

// explainer turns one compose-go error message shape into a LoadError.
type explainer struct {
	re *regexp.Regexp
	fn func(l *locator, m []string, err error) *LoadError
}

// explainers are tried in order; compose-go's errors are mostly plain
// strings, so matching their text is the only way to learn where they are.
var explainers = []explainer{
	{regexp.MustCompile(`(?s)^failed to parse (.+?): (yaml: .*)$`), explainSyntax},
	{regexp.MustCompile(`(?s)^yaml: (.*)$`), explainBareSyntax},
	{regexp.MustCompile(`(?s)^validating (.+?): (\S*) (.*)$`), explainSchema},
	{regexp.MustCompile(`^open (.+): no such file or directory$`), explainMissingFile},
	{regexp.MustCompile(`^invalid (containerPort|hostPort|port|protocol|IP address)[^:]*: (.+)$`), explainPort},
	{regexp.MustCompile(`(?s)^error while interpolating (\S+): (.*)$`), explainInterpolation},
	{regexp.MustCompile(`^service "(.+?)" depends on undefined service "(.+?)"`), explainUndefinedDep},
	{regexp.MustCompile(`^dependency cycle detected: (.*)$`), explainCycle},
	{regexp.MustCompile(`^service "(.+?)" has neither an image nor a build context`), explainNoImage},
	{regexp.MustCompile(`^service "?(.+?)"? refers to undefined (network|volume|secret|config|model|build secret) (\S+)`), explainUndefinedRef},
	{regexp.MustCompile(`(?s)^services\.([^.:\s]+)\.?(\S*?):? (.*)$`), explainServicePath},
	{regexp.MustCompile(`service "(.+?)"`), explainServiceName},
}

// explain converts a compose-go load error into a *LoadError located in
// the files l knows. It never loses the original error: it is kept in Err.
func (l *locator) explain(err error) error {
	var le *LoadError
	if errors.As(err, &le) {
		l.place(le)
		return le
	}
	msg := firstError(err).Error()
	for _, x := range explainers {
		if m := x.re.FindStringSubmatch(msg); m != nil {
			le = x.fn(l, m, err)
			break
		}
	}
	if le == nil {
		le = &LoadError{Msg: msg}
		if errors.Is(err, fs.ErrNotExist) {
			le.Hint = "check that every file named by include, extends, env_file and secrets exists"
		}
	}
	le.Err = err
	l.place(le)
	return le
}

// firstError returns the first of joined errors (interpolation reports all
// bad values at once); one located error is more useful than a list.
func firstError(err error) error {
	for {
		j, ok := err.(interface{ Unwrap() []error })
		if !ok || len(j.Unwrap()) == 0 {
			return err
		}
		err = j.Unwrap()[0]
	}
}

// place fills in File and Line from the error's path.
func (l *locator) place(le *LoadError) {
	if le.at == nil {
		le.at = fieldPath(le.Service, le.Field)
	}
	hint := le.File
	if le.Line == 0 && len(le.at) > 0 {
		file, line := l.find(le.at, hint, le.first)
		if line > 0 {
			le.File, le.Line = file, line
		}
	}
	if le.File == "" && len(l.files) > 0 {
		le.File = l.files[0]
	}
	le.File = l.name(le.File)
}

// fieldPath is the model path of a service's field.
func fieldPath(service, field string) []string {
	var p []string
	if service != "" {
		p = append(p, "services", service)
	}
	if field != "" {
		p = append(p, strings.Split(field, ".")...)
	}
	return p
}

// splitPath splits a model path into the service and the field within it.
func splitPath(path []string) (service, field string) {
	if len(path) >= 2 && path[0] == "services" {
		return path[1], strings.Join(path[2:], ".")
	}
	return "", strings.Join(path, ".")
}

func located(path []string, msg, hint string) *LoadError {
	service, field := splitPath(path)
	return &LoadError{Service: service, Field: field, Msg: msg, Hint: hint, at: path}
}

func explainServicePath(_ *locator, m []string, _ error) *LoadError {
	path := []string{"services", m[1]}
	if m[2] != "" {
		path = append(path, strings.Split(m[2], ".")...)
	}
	return located(path, m[3], "")
}

// explainMissingFile finds the reference to a missing file (extends, include,
// env_file...) by resolving every value against its file's directory.
func explainMissingFile(l *locator, m []string, _ error) *LoadError {
	missing := m[1]
	file, path, line := l.search(func(file, v string) bool {
		return v != "" && (v == missing || filepath.Join(filepath.Dir(file), v) == missing)
	})
	shown := missing
	if rel, err := filepath.Rel(filepath.Dir(file), missing); file != "" && err == nil {
		shown = rel
	}
	le := located(path, "file not found: "+shown, "check the path; it is relative to the file that names it")
	le.File, le.Line = file, line
	return le
}

// explainPort finds the port entry holding the bad value.
func explainPort(l *locator, m []string, _ error) *LoadError {
	bad := m[2]
	file, path, line := l.search(func(_, v string) bool { return strings.Contains(v, bad) })
	le := located(path, fmt.Sprintf("invalid %s %q", m[1], bad),
		`use "[host_ip:][host_port:]container_port[/protocol]", e.g. "8080:80/tcp"`)
	le.File, le.Line = file, line
	if le.Service != "" {
		le.Field = "ports"
	}
	return le
}

func explainServiceName(_ *locator, m []string, err error) *LoadError {
	return &LoadError{Service: m[1], Msg: firstError(err).Error()}
}

func explainUndefinedDep(_ *locator, m []string, _ error) *LoadError {
	return &LoadError{Service: m[1], Field: "depends_on",
		Msg:  fmt.Sprintf("depends on undefined service %q", m[2]),
		Hint: fmt.Sprintf("define service %q, fix the name, or enable the profile it is in", m[2])}
}

func explainCycle(_ *locator, m []string, _ error) *LoadError {
	chain := strings.Split(m[1], " -> ")
	return &LoadError{Service: chain[0], Field: "depends_on",
		Msg:  "dependency cycle: " + m[1],
		Hint: "services cannot wait on each other; remove one depends_on edge of the cycle"}
}

func explainNoImage(_ *locator, m []string, _ error) *LoadError {
	return &LoadError{Service: m[1], Msg: "has neither image nor build",
		Hint: "add `image:` with an image reference, or `build:` with a build context"}
}

func explainUndefinedRef(_ *locator, m []string, _ error) *LoadError {
	kind, name := m[2], strings.TrimSuffix(m[3], ":")
	field := strings.ReplaceAll(kind, " ", ".") + "s"
	return &LoadError{Service: m[1], Field: field,
		Msg:  fmt.Sprintf("refers to undefined %s %q", kind, name),
		Hint: fmt.Sprintf("declare %s under the top-level `%ss:` key", name, strings.TrimPrefix(kind, "build "))}
}
