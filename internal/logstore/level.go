package logstore

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// Levels are the normalised severities, least severe first.
var Levels = []string{"trace", "debug", "info", "warn", "error", "fatal"}

// levelNone is the stored code of a line without a level; codes 1..6 are
// Levels[code-1], so a larger code is more severe.
const levelNone = 0

// levelCode normalises a level name (any case, common aliases) to a code.
// It does not allocate: at ingest it runs on every line.
func levelCode(s string) uint8 {
	s = strings.TrimSpace(s)
	if len(s) < 3 || len(s) > len("information") {
		return levelNone
	}
	var low [len("information")]byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			// Non-ASCII: strings.ToLower knows the Unicode cases (the
			// Kelvin sign lowers to 'k', say).
			return levelCodeLower(strings.ToLower(s))
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		low[i] = c
	}
	return levelCodeLower(string(low[:len(s)]))
}

// levelCodeLower is levelCode of a lower-case name.
func levelCodeLower(s string) uint8 {
	switch s {
	case "trace", "trc":
		return 1
	case "debug", "dbg":
		return 2
	case "info", "inf", "information", "notice":
		return 3
	case "warn", "warning", "wrn":
		return 4
	case "error", "err", "eror":
		return 5
	case "fatal", "ftl", "crit", "critical", "panic", "emerg", "alert":
		return 6
	}
	return levelNone
}

// levelName is the inverse of levelCode.
func levelName(c uint8) string {
	if c == levelNone || int(c) > len(Levels) {
		return ""
	}
	return Levels[c-1]
}

// numericLevel maps the numeric levels of bunyan and pino (10..60).
func numericLevel(s string) uint8 {
	n, err := strconv.Atoi(s)
	if err != nil || n < 10 || n > 69 {
		return levelNone
	}
	return uint8(n / 10)
}

// sniffLevel finds the level of a raw line cheaply, at ingest: a JSON
// object's level/lvl/severity key, a logfmt level=/lvl= pair, or a level
// word as the first token (possibly after a timestamp), like "ERROR",
// "[warn]" or "INFO:".
func sniffLevel(raw []byte) uint8 {
	if len(raw) > 1 && raw[0] == '{' {
		for _, key := range [][]byte{[]byte(`"level"`), []byte(`"lvl"`), []byte(`"severity"`)} {
			if c := jsonLevel(raw, key); c != levelNone {
				return c
			}
		}
		return levelNone
	}
	for _, key := range [][]byte{[]byte("level="), []byte("lvl=")} {
		if i := bytes.Index(raw, key); i >= 0 && (i == 0 || raw[i-1] == ' ') {
			v := raw[i+len(key):]
			v = bytes.TrimPrefix(v, []byte(`"`))
			if j := bytes.IndexAny(v, "\" "); j >= 0 {
				v = v[:j]
			}
			return levelCode(string(v))
		}
	}
	return wordLevel(raw)
}

// sniffLevelString is sniffLevel of a string, without copying it: the
// bytes are only read, never kept or changed.
func sniffLevelString(raw string) uint8 {
	return sniffLevel(unsafe.Slice(unsafe.StringData(raw), len(raw)))
}

// jsonLevel reads the string or number after key and a colon.
func jsonLevel(raw, key []byte) uint8 {
	i := bytes.Index(raw, key)
	if i < 0 {
		return levelNone
	}
	v := bytes.TrimLeft(raw[i+len(key):], " \t")
	if len(v) == 0 || v[0] != ':' {
		return levelNone
	}
	v = bytes.TrimLeft(v[1:], " \t")
	if len(v) > 0 && v[0] == '"' {
		end := bytes.IndexByte(v[1:], '"')
		if end < 0 {
			return levelNone
		}
		return levelCode(string(v[1 : 1+end]))
	}
	end := bytes.IndexAny(v, ",} ")
	if end < 0 {
		end = len(v)
	}
	return numericLevel(string(v[:end]))
}

// wordLevel checks the first token, or the second when the first looks
// like a timestamp (it has a digit and a '-' or ':').
func wordLevel(raw []byte) uint8 {
	head := raw[:min(len(raw), 64)]
	for i, f := range firstFields(head) {
		if f == nil {
			break
		}
		if i > 1 {
			break
		}
		w := bytes.Trim(f, "[]:|<>")
		if len(w) >= 3 && len(w) <= 8 {
			if c := levelCode(string(w)); c != levelNone {
				return c
			}
		}
		if !looksLikeTime(f) {
			break
		}
	}
	return levelNone
}

// firstFields is the first two of bytes.Fields(b) (nil when missing),
// without allocating when b is ASCII.
func firstFields(b []byte) [2][]byte {
	var out [2][]byte
	for i := range b {
		if b[i] >= utf8.RuneSelf {
			copy(out[:], bytes.Fields(b))
			return out
		}
	}
	n := 0
	for i := 0; i < len(b) && n < len(out); {
		for i < len(b) && asciiSpace[b[i]] {
			i++
		}
		j := i
		for j < len(b) && !asciiSpace[b[j]] {
			j++
		}
		if j > i {
			out[n] = b[i:j]
			n++
		}
		i = j
	}
	return out
}

// asciiSpace is bytes.Fields' set of ASCII white space.
var asciiSpace = [256]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

func looksLikeTime(f []byte) bool {
	return bytes.ContainsAny(f, "0123456789") && bytes.ContainsAny(f, "-:")
}
