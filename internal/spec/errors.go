package spec

import (
	"fmt"
	"strconv"
	"strings"
)

// LoadError is a problem in a Compose file, located as precisely as the
// loader allows. Unknown parts are left empty (Line 0).
type LoadError struct {
	// File is the Compose file the problem is in.
	File string
	// Line is the 1-based line in File, or 0 when unknown.
	Line int
	// Service names the service concerned, if any.
	Service string
	// Field is the dotted path of the offending field within the service
	// (or within the file when Service is empty), e.g. "deploy.replicas".
	Field string
	// Msg says what is wrong.
	Msg string
	// Hint says what to do about it, when there is something to say.
	Hint string
	// Err is the underlying error, if any, for errors.Is and errors.As.
	Err error

	// at is the field's full path from the document root, used to find
	// Line; it keeps keys that contain dots intact.
	at []string
	// first says the problem is in the first file holding the path (an
	// interpolation error), not in the last one (a merged value).
	first bool
}

// Error formats the error as
// `file:line: service "web": field "deploy.replicas": msg; hint: ...`,
// omitting the parts that are unknown.
func (e *LoadError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteString(":" + strconv.Itoa(e.Line))
		}
		b.WriteString(": ")
	}
	if e.Service != "" {
		fmt.Fprintf(&b, "service %q: ", e.Service)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, "field %q: ", e.Field)
	}
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString("; hint: " + e.Hint)
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *LoadError) Unwrap() error { return e.Err }
