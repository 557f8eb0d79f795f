package logstore

import "time"

// Line is one stored log line of one container.
type Line struct {
	// Time is the engine's timestamp of the line (nanosecond precision).
	Time time.Time
	// Stack, Service and Container (the container's name) say where the
	// line came from; ContainerID is the engine's container ID.
	Stack, Service, Container, ContainerID string
	// Stream is "stdout" or "stderr".
	Stream string
	// Level is a normalised severity (see Levels), or "" when none was found.
	Level string
	// Message is the "msg"/"message" of a JSON line, or Raw for a plain line.
	Message string
	// Fields are the other keys of a JSON line; nil for a plain line.
	Fields map[string]string
	// Raw is the line as the container wrote it, cut to the collector's
	// line cap and made valid UTF-8.
	Raw string
	// Truncated marks a line cut at the collector's line cap.
	Truncated bool
}

// Stream names.
const (
	Stdout = "stdout"
	Stderr = "stderr"
)

// Filter selects lines for Query and Follow. Zero fields match everything.
type Filter struct {
	// Stack, Service and Container restrict the source; Container matches
	// a container's name, its full ID or an ID prefix of 12 or more.
	Stack, Service, Container string
	// Since and Until bound the line time: Since <= Time < Until.
	Since, Until time.Time
	// Level is a minimum severity: "warn" selects warn, error and fatal.
	// Lines without a level never match a Level filter.
	Level string
	// Grep selects lines whose Raw text contains it (a plain substring),
	// or matches it as an RE2 regular expression when Regexp is set.
	Grep   string
	Regexp bool
	// Limit keeps only the newest Limit matching lines (0: all). Query
	// still returns them oldest first.
	Limit int
}
