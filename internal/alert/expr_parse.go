package alert

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ErrSyntax is wrapped by every error ParseExpr returns.
var ErrSyntax = errors.New("syntax error")

// ParseExpr parses fn(metric{label="v",...}[window]) OP number; see the
// package documentation for the accepted functions and operators.
func ParseExpr(s string) (Expr, error) {
	p := &exprParser{s: s}
	e, err := p.parse()
	if err != nil {
		return Expr{}, fmt.Errorf("parsing expression %q: %w", s, err)
	}
	return e, nil
}

// exprParser is a hand-written scanner over one expression.
type exprParser struct {
	s   string
	pos int
}

func (p *exprParser) parse() (Expr, error) {
	var e Expr
	fn, err := p.ident("function name", false)
	if err != nil {
		return e, err
	}
	canon, ok := funcAliases[fn]
	if !ok {
		return e, p.errorf("unknown function %q (want avg_over_time, max_over_time, min_over_time, last_over_time or rate)", fn)
	}
	e.Func = canon
	if err := p.expect("("); err != nil {
		return e, err
	}
	if e.Metric, err = p.ident("metric name", true); err != nil {
		return e, err
	}
	if e.Matchers, err = p.matchers(); err != nil {
		return e, err
	}
	if e.Window, err = p.window(); err != nil {
		return e, err
	}
	if err := p.expect(")"); err != nil {
		return e, err
	}
	if e.Op, err = p.op(); err != nil {
		return e, err
	}
	e.Threshold, err = p.number()
	return e, err
}

func (p *exprParser) errorf(format string, args ...any) error {
	return fmt.Errorf("%w at column %d: %s", ErrSyntax, p.pos+1, fmt.Sprintf(format, args...))
}

func (p *exprParser) skipSpace() {
	for p.pos < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.pos]) >= 0 {
		p.pos++
	}
}

// found describes what is at the current position, for error messages.
func (p *exprParser) found() string {
	if p.pos >= len(p.s) {
		return "end of expression"
	}
	return strconv.Quote(p.s[p.pos : p.pos+1])
}

func (p *exprParser) peek(tok string) bool {
	p.skipSpace()
	return strings.HasPrefix(p.s[p.pos:], tok)
}

func (p *exprParser) expect(tok string) error {
	if !p.peek(tok) {
		return p.errorf("expected %q, found %s", tok, p.found())
	}
	p.pos += len(tok)
	return nil
}

// ident scans a label name ([a-zA-Z_][a-zA-Z0-9_]*), or a metric name,
// which may also contain colons.
func (p *exprParser) ident(what string, colons bool) (string, error) {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.s) && isNameByte(p.s[p.pos], p.pos > start, colons) {
		p.pos++
	}
	if p.pos == start {
		return "", p.errorf("expected %s, found %s", what, p.found())
	}
	return p.s[start:p.pos], nil
}

func isNameByte(c byte, notFirst, colons bool) bool {
	switch {
	case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		return true
	case c >= '0' && c <= '9':
		return notFirst
	case c == ':':
		return colons
	}
	return false
}

// number scans the threshold, which must end the expression.
func (p *exprParser) number() (float64, error) {
	p.skipSpace()
	rest := strings.TrimSpace(p.s[p.pos:])
	if rest == "" {
		return 0, p.errorf("expected a number after the comparison, found end of expression")
	}
	v, err := strconv.ParseFloat(rest, 64)
	if err != nil || math.IsNaN(v) {
		return 0, p.errorf("expected a number, found %q (an expression ends with its threshold)", rest)
	}
	p.pos = len(p.s)
	return v, nil
}

// op scans a comparison operator; two-character ones are tried first.
func (p *exprParser) op() (string, error) {
	for _, op := range []string{">=", "<=", "==", "!=", ">", "<"} {
		if p.peek(op) {
			p.pos += len(op)
			return op, nil
		}
	}
	return "", p.errorf("expected a comparison (> >= < <= == !=), found %s", p.found())
}
