package logstore

import (
	"maps"
	"strings"
	"testing"
)

func TestDecorateAndSniff(t *testing.T) {
	tests := []struct {
		name, raw  string
		level, msg string
		fields     map[string]string
		sniffLevel string
	}{
		{"plain", "hello world", "", "hello world", nil, ""},
		{"plain error prefix", "ERROR something broke", "", "ERROR something broke", nil, "error"},
		{"bracketed warn", "[warn] disk almost full", "", "[warn] disk almost full", nil, "warn"},
		{"timestamp then level", "2026-01-02T03:04:05Z INFO: started", "", "2026-01-02T03:04:05Z INFO: started", nil, "info"},
		{"logfmt", `ts=1 level=warn msg="slow query"`, "", `ts=1 level=warn msg="slow query"`, nil, "warn"},
		{"logfmt quoted", `lvl="error" msg=x`, "", `lvl="error" msg=x`, nil, "error"},
		{"level word later is not a level", "user info updated", "", "user info updated", nil, ""},
		{"json", `{"level":"error","msg":"boom","user":"ann","n":3}`, "error", "boom",
			map[string]string{"user": "ann", "n": "3"}, "error"},
		{"json message severity", `{"severity":"WARNING","message":"hot","nested":{"a":1}}`, "warn", "hot",
			map[string]string{"nested": `{"a":1}`}, "warn"},
		{"json numeric pino", `{"level":50,"msg":"bad"}`, "error", "bad", map[string]string{}, "error"},
		{"json lvl", `{"lvl":"dbg","msg":"d"}`, "debug", "d", map[string]string{}, "debug"},
		{"broken json stays plain", `{"level":"error", oops`, "", `{"level":"error", oops`, nil, "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := levelName(sniffLevel([]byte(tt.raw))); got != tt.sniffLevel {
				t.Errorf("sniffLevel = %q, want %q", got, tt.sniffLevel)
			}
			l := Line{Raw: tt.raw}
			decorate(&l)
			if l.Level != tt.level || l.Message != tt.msg || !maps.Equal(l.Fields, tt.fields) {
				t.Errorf("decorate = level %q msg %q fields %v, want %q %q %v", l.Level, l.Message, l.Fields, tt.level, tt.msg, tt.fields)
			}
		})
	}
}

func TestSanitize(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		limit int
		want  string
		cut   bool
	}{
		{"kept", "abc", 10, "abc", false},
		{"cr stripped", "abc\r", 10, "abc", false},
		{"cut", "abcdef", 4, "abcd", true},
		{"cut on rune boundary", "ab\u00e9\u00e9", 4, "ab\u00e9", true},
		{"binary junk", "a\xff\xfeb\x00", 0, "a\uFFFDb\x00", false},
		{"junk collapses below the cap", strings.Repeat("\xff", 10), 4, "\uFFFD", false},
		{"junk then cut", "abc\xffdef", 5, "abc", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, cut := sanitize([]byte(tt.in), tt.limit, false)
			if string(got) != tt.want || cut != tt.cut {
				t.Errorf("sanitize(%q, %d) = %q, %v; want %q, %v", tt.in, tt.limit, got, cut, tt.want, tt.cut)
			}
		})
	}
}
