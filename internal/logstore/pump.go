package logstore

import (
	"bytes"
	"context"
	"time"
)

// maxStampLen bounds the engine's "RFC 3339 nano timestamp + space" prefix.
const maxStampLen = 40

// pumpBatch is how many lines a follower hands to the store at once.
const pumpBatch = 512

// pump turns one read of a container's log into stored lines: it drops
// lines the cursor has seen, applies the rate limit and batches the rest.
type pump struct {
	ctx     context.Context
	c       *Collector
	t       *tail
	bucket  *tokenBucket
	cur     *cursor // the tail's: it also covers lines dropped
	dup     [2]uint32
	pending []Line
	taken   int
	err     error
}

// line handles one complete line "TIMESTAMP TEXT" (cut: it was too long).
func (p *pump) line(stream int, buf []byte, cut bool) {
	stamp, text, _ := bytes.Cut(buf, []byte(" "))
	tm, err := time.Parse(time.RFC3339Nano, string(stamp))
	if err != nil {
		// Not the engine's format (cannot happen with Timestamps set):
		// keep the line rather than lose it.
		tm, text = time.Now(), buf
	}
	t := tm.UnixNano()
	if !p.cur.take(stream, t, &p.dup) {
		return
	}
	p.taken++
	if !p.bucket.allow(t) {
		p.t.dropped.Add(1)
		return
	}
	raw, cut := sanitize(text, p.c.opts.MaxLineBytes, cut)
	name := Stdout
	if stream == 1 {
		name = Stderr
	}
	tg := &p.t.target
	p.pending = append(p.pending, Line{
		Time: tm, Stack: tg.Stack, Service: tg.Service, Container: tg.Name, ContainerID: tg.ID,
		Stream: name, Raw: string(raw), Truncated: cut,
	})
	if len(p.pending) >= pumpBatch {
		p.flush()
	}
}

// flush hands the pending lines to the store (blocking while its queue
// is full: backpressure reaches the engine through the unread stream).
func (p *pump) flush() {
	if len(p.pending) == 0 || p.err != nil {
		return
	}
	p.err = p.c.store.Append(p.ctx, p.pending...)
	p.pending = p.pending[:0]
}
