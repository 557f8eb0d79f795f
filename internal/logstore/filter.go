package logstore

import (
	"math"
	"strings"
)

// compiled is a Filter ready to test sources, blocks and lines.
type compiled struct {
	Filter
	since, until int64
	minLevel     uint8
	m            *matcher
}

func compileFilter(f Filter) (*compiled, error) {
	c := &compiled{Filter: f, until: math.MaxInt64}
	if !f.Since.IsZero() {
		c.since = f.Since.UnixNano()
	}
	if !f.Until.IsZero() {
		c.until = f.Until.UnixNano()
	}
	c.minLevel = levelCode(f.Level)
	var err error
	c.m, err = newMatcher(f.Grep, f.Regexp)
	return c, err
}

// matchSource tests the container-level fields.
func (c *compiled) matchSource(m *sourceMeta) bool {
	switch {
	case c.Stack != "" && m.Stack != c.Stack:
		return false
	case c.Service != "" && m.Service != c.Service:
		return false
	}
	if c.Container == "" || m.Name == c.Container || m.ID == c.Container {
		return true
	}
	return len(c.Container) >= 12 && strings.HasPrefix(m.ID, c.Container)
}

// matchBlock tests a block's time span and level set.
func (c *compiled) matchBlock(h *blockHeader) bool {
	if h.maxT < c.since || h.minT >= c.until {
		return false
	}
	return c.minLevel == levelNone || h.levels>>c.minLevel != 0
}

// matchMeta tests one line's time and level.
func (c *compiled) matchMeta(t int64, meta byte) bool {
	if t < c.since || t >= c.until {
		return false
	}
	return c.minLevel == levelNone || meta&metaLevelMask >= c.minLevel
}

// matchLine tests a whole line (Follow's path; Query scans blocks).
func (c *compiled) matchLine(l *Line) bool {
	m := &sourceMeta{ID: l.ContainerID, Name: l.Container, Stack: l.Stack, Service: l.Service}
	if !c.matchSource(m) || !c.matchMeta(l.Time.UnixNano(), levelCode(l.Level)) {
		return false
	}
	if c.m == nil {
		return true
	}
	raw := []byte(l.Raw)
	if len(c.m.lit) > 0 && c.m.index(raw, 0) < 0 {
		return false
	}
	return c.m.re == nil || c.m.re.Match(raw)
}
