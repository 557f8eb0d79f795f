package spec

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/template"
)

var lineRe = regexp.MustCompile(`line (\d+)`)

// explainSyntax handles YAML syntax errors, the only ones compose-go gives
// a line for: the last "line N" in the message is the innermost.
func explainSyntax(_ *locator, m []string, _ error) *LoadError {
	le := &LoadError{File: m[1], Msg: "invalid YAML: " + strings.TrimPrefix(m[2], "yaml: "),
		Hint: "check the indentation and quoting on and just before that line"}
	if all := lineRe.FindAllStringSubmatch(m[2], -1); len(all) > 0 {
		le.Line, _ = strconv.Atoi(all[len(all)-1][1])
	}
	le.at = []string{}
	return le
}

// explainBareSyntax handles YAML errors that name no file (compose-go's
// first pass over the files): the file is the first that does not parse.
func explainBareSyntax(l *locator, m []string, err error) *LoadError {
	le := explainSyntax(l, []string{m[0], l.broken(), m[0]}, err)
	if strings.Contains(m[1], "into cli.named") { // the top level is not a mapping
		le.Msg = "a Compose file must be a mapping of top-level keys (services, networks, ...)"
		le.Hint = ""
	}
	return le
}

var (
	falseSchemaRe = regexp.MustCompile(`^false schema$`)
	additionalRe  = regexp.MustCompile(`^additional propert(?:y|ies) '([^']+)'.* not allowed$`)
	mustBeRe      = regexp.MustCompile(`^must be a (.*)$`)
)

// explainSchema rewrites a JSON schema error ("services.web.imagee false
// schema") into words, with the offending value and a suggestion.
func explainSchema(l *locator, m []string, _ error) *LoadError {
	path := modelPath(m[2])
	msg := m[3]
	var le *LoadError
	switch {
	case falseSchemaRe.MatchString(msg):
		le = unknownField(path)
	case additionalRe.MatchString(msg):
		key := strings.Split(additionalRe.FindStringSubmatch(msg)[1], "', '")[0]
		le = unknownField(append(path, key))
	case mustBeRe.MatchString(msg):
		want := article(mustBeRe.FindStringSubmatch(msg)[1])
		le = located(path, "must be "+want+got(l, m[1], path), "")
	default:
		le = located(path, msg, "")
	}
	le.File = m[1]
	return le
}

func unknownField(path []string) *LoadError {
	key := path[len(path)-1]
	le := located(path, fmt.Sprintf("unknown field %q", key), schemaHint(path[:len(path)-1], key))
	return le
}

// article fixes "a integer" and friends.
func article(want string) string {
	if want != "" && strings.ContainsRune("aeiou", rune(want[0])) {
		return "an " + want
	}
	return "a " + want
}

// got renders the offending value for "must be" messages, when the file
// has it as a scalar.
func got(l *locator, file string, path []string) string {
	if v, ok := l.scalar(file, path); ok {
		return fmt.Sprintf(" (got %q)", v)
	}
	return ""
}

var castRe = regexp.MustCompile(`failed to cast to expected type: (?:strconv\.(\w+): parsing "(.*)": .*|invalid boolean: (.*))$`)

// explainInterpolation handles `${VAR:?msg}` and values that do not fit
// their field's type after substitution.
func explainInterpolation(_ *locator, m []string, err error) *LoadError {
	path := modelPath(m[1])
	var mr *template.MissingRequiredError
	var le *LoadError
	switch c := castRe.FindStringSubmatch(m[2]); {
	case errors.As(err, &mr):
		msg := fmt.Sprintf("required variable %s is not set", mr.Variable)
		if mr.Reason != "" {
			msg += ": " + mr.Reason
		}
		le = located(path, msg, fmt.Sprintf("set %s in the environment or in the .env file", mr.Variable))
	case c != nil && c[3] != "":
		le = located(path, fmt.Sprintf("must be a boolean (got %q)", c[3]), "use true or false")
	case c != nil:
		le = located(path, fmt.Sprintf("must be %s (got %q)", castType(c[1]), c[2]), "")
	default:
		le = located(path, m[2], "")
	}
	le.first = true
	return le
}

func castType(fn string) string {
	switch fn {
	case "Atoi", "ParseInt", "ParseUint":
		return "an integer"
	case "ParseFloat":
		return "a number"
	}
	return "a value of another type"
}

// modelPath splits a dotted model path; the root is the empty path.
func modelPath(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ".")
}
