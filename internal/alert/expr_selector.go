package alert

import (
	"strconv"
	"strings"
	"time"
)

// matchers scans an optional {name="v", name!="v", ...} block.
func (p *exprParser) matchers() ([]Matcher, error) {
	if !p.peek("{") {
		return nil, nil
	}
	p.pos++
	var ms []Matcher
	seen := map[string]bool{}
	for !p.peek("}") {
		m, err := p.matcher()
		if err != nil {
			return nil, err
		}
		if seen[m.Name] {
			return nil, p.errorf("label %q matched twice", m.Name)
		}
		seen[m.Name] = true
		ms = append(ms, m)
		if p.peek(",") {
			p.pos++
			continue
		}
		if !p.peek("}") {
			return nil, p.errorf("expected \",\" or \"}\" after a label matcher, found %s", p.found())
		}
	}
	p.pos++
	return ms, nil
}

func (p *exprParser) matcher() (Matcher, error) {
	var m Matcher
	name, err := p.ident("label name", false)
	if err != nil {
		return m, err
	}
	m.Name = name
	switch {
	case p.peek("!="):
		m.Negate = true
		p.pos += 2
	case p.peek("=~"), p.peek("!~"):
		return m, p.errorf("regular-expression matchers are not supported; use = or !=")
	case p.peek("="):
		p.pos++
	default:
		return m, p.errorf("expected = or != after label %q, found %s", name, p.found())
	}
	m.Value, err = p.quoted()
	return m, err
}

// quoted scans a double-quoted Go/PromQL string literal.
func (p *exprParser) quoted() (string, error) {
	p.skipSpace()
	if p.pos >= len(p.s) || p.s[p.pos] != '"' {
		return "", p.errorf("expected a double-quoted label value, found %s", p.found())
	}
	end := p.pos + 1
	for end < len(p.s) && p.s[end] != '"' {
		if p.s[end] == '\\' {
			end++
		}
		end++
	}
	if end >= len(p.s) {
		return "", p.errorf("unterminated label value")
	}
	v, err := strconv.Unquote(p.s[p.pos : end+1])
	if err != nil {
		return "", p.errorf("invalid label value %s", p.s[p.pos:end+1])
	}
	p.pos = end + 1
	return v, nil
}

// window scans [duration]; the window must be positive.
func (p *exprParser) window() (d time.Duration, err error) {
	if err := p.expect("["); err != nil {
		return 0, err
	}
	end := strings.IndexByte(p.s[p.pos:], ']')
	if end < 0 {
		return 0, p.errorf("expected \"]\" closing the window")
	}
	text := strings.TrimSpace(p.s[p.pos : p.pos+end])
	if d, err = ParseDuration(text); err != nil {
		return 0, p.errorf("invalid window %q: %v", text, err)
	}
	if d <= 0 {
		return 0, p.errorf("window must be positive, got %q", text)
	}
	p.pos += end + 1
	return d, nil
}
