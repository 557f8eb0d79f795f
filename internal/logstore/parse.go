package logstore

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// sanitize makes a raw line safe to store: valid UTF-8 (invalid bytes
// become U+FFFD), no trailing '\r', at most limit bytes cut on a rune
// boundary. It reports whether the line was cut.
func sanitize(raw []byte, limit int, cut bool) ([]byte, bool) {
	raw = bytes.TrimSuffix(raw, []byte("\r"))
	if !utf8.Valid(raw) {
		raw = bytes.ToValidUTF8(raw, []byte("\uFFFD"))
	}
	if limit > 0 && len(raw) > limit {
		end := limit
		for end > 0 && !utf8.RuneStart(raw[end]) {
			end--
		}
		raw, cut = raw[:end], true
	}
	return raw, cut
}

// decorate fills Message and Fields (and Level, when the ingest sniffing
// found none) from Raw. It runs at query time and only for returned
// lines, so ingest never pays for a full JSON parse.
func decorate(l *Line) {
	l.Message = l.Raw
	if len(l.Raw) < 2 || l.Raw[0] != '{' {
		return
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(l.Raw), &obj); err != nil {
		return
	}
	l.Fields = make(map[string]string, len(obj))
	for k, v := range obj {
		s := jsonString(v)
		switch k {
		case "msg", "message":
			l.Message = s
			continue
		case "level", "lvl", "severity":
			if l.Level == "" {
				l.Level = levelName(max(levelCode(s), numericLevel(s)))
			}
			continue
		}
		l.Fields[k] = s
	}
}

// jsonString is a JSON string's value, or any other value's JSON text.
func jsonString(v json.RawMessage) string {
	var s string
	if len(v) > 0 && v[0] == '"' && json.Unmarshal(v, &s) == nil {
		return s
	}
	return string(v)
}
