package logstore

import (
	"strings"
	"unicode/utf8"
)

// normalize prepares a line for storage: Raw valid UTF-8 without
// newlines, Stream stdout or stderr, Level one of Levels or "" (sniffed
// from Raw when the caller left it empty).
func normalize(l Line) Line {
	// The collector's lines are clean already: check without copying.
	if !utf8.ValidString(l.Raw) || strings.HasSuffix(l.Raw, "\r") || strings.IndexByte(l.Raw, '\n') >= 0 {
		raw, _ := sanitize([]byte(l.Raw), 0, false)
		if strings.ContainsRune(l.Raw, '\n') || len(raw) != len(l.Raw) {
			l.Raw = strings.ReplaceAll(string(raw), "\n", " ")
		}
	}
	if l.Stream != Stderr {
		l.Stream = Stdout
	}
	if l.Level == "" {
		l.Level = levelName(sniffLevelString(l.Raw))
	} else {
		l.Level = levelName(levelCode(l.Level))
	}
	return l
}

// recOf is the stored form of a normalised line.
func recOf(l *Line) rec {
	m := levelCode(l.Level)
	if l.Stream == Stderr {
		m |= metaStderr
	}
	if l.Truncated {
		m |= metaTruncated
	}
	return rec{t: l.Time.UnixNano(), meta: m, raw: []byte(l.Raw)}
}
