package logstore

import "bytes"

// lineWriter splits one demultiplexed stream into lines. It never holds
// more than max bytes of a line: the rest, up to the newline, is
// discarded and the line marked cut. stdcopy writes one engine frame per
// call, and every frame starts with its timestamp; a frame continuing a
// line (the engine splits lines over 16 KiB) has that stamp removed.
type lineWriter struct {
	p       *pump
	stream  int
	max     int
	buf     []byte
	partial bool // buf holds the start of an unfinished line
	cut     bool
}

func (w *lineWriter) Write(b []byte) (int, error) {
	n := len(b)
	if w.partial {
		if i := bytes.IndexByte(b[:min(len(b), maxStampLen)], ' '); i >= 0 {
			b = b[i+1:]
		}
	}
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		part := b
		if i >= 0 {
			part = b[:i]
		}
		if room := w.max - len(w.buf); len(part) > room {
			part, w.cut = part[:max(room, 0)], true
		}
		w.buf = append(w.buf, part...)
		if i < 0 {
			w.partial = true
			break
		}
		w.p.line(w.stream, w.buf, w.cut)
		w.buf, w.partial, w.cut = w.buf[:0], false, false
		b = b[i+1:]
	}
	return n, nil
}

// finish emits an unfinished line at the end of the stream.
func (w *lineWriter) finish() {
	if w.partial {
		w.p.line(w.stream, w.buf, w.cut)
		w.buf, w.partial, w.cut = w.buf[:0], false, false
	}
}
