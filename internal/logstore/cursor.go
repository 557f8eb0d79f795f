package logstore

import "encoding/binary"

// streamCursor marks how far one stream of a container is stored: the
// time of its newest stored line and how many stored lines carry exactly
// that time (the engine's nanosecond stamps can repeat).
type streamCursor struct {
	t int64
	n uint32
}

// cursor is a container's resume point, indexed by streamIndex.
type cursor [2]streamCursor

func streamIndex(stream string) int {
	if stream == Stderr {
		return 1
	}
	return 0
}

// advance records one more stored line of stream at t. Within a stream
// the engine's stamps do not go back; a line that does is already
// covered by the cursor and leaves it alone.
func (c *cursor) advance(stream int, t int64) {
	switch sc := &c[stream]; {
	case t > sc.t:
		*sc = streamCursor{t: t, n: 1}
	case t == sc.t:
		sc.n++
	}
}

// take reports whether a line of stream at t is new, and if so counts
// it. dup is the pass's count of lines met at exactly the cursor's time
// of each stream, starting at zero when a read resumes: the first n of
// them were stored before.
func (c *cursor) take(stream int, t int64, dup *[2]uint32) bool {
	sc := &c[stream]
	switch {
	case sc.t != 0 && t < sc.t:
		return false
	case sc.t != 0 && t == sc.t:
		if dup[stream]++; dup[stream] <= sc.n {
			return false
		}
	}
	c.advance(stream, t)
	dup[stream] = c[stream].n
	return true
}

// since is where a resumed read must start: the oldest of the stream
// cursors, less slack for a stream with nothing stored yet, whose next
// line may carry a stamp slightly older than the other stream's last
// one. Zero means from the beginning.
func (c *cursor) since(slack int64) int64 {
	var s int64
	for _, sc := range c {
		if sc.t != 0 && (s == 0 || sc.t < s) {
			s = sc.t
		}
	}
	if s == 0 {
		return 0
	}
	return max(s-slack, 1)
}

func (c *cursor) marshal() []byte {
	b := make([]byte, 0, 24)
	for _, sc := range c {
		b = binary.BigEndian.AppendUint64(b, uint64(sc.t))
		b = binary.BigEndian.AppendUint32(b, sc.n)
	}
	return b
}

func unmarshalCursor(b []byte) cursor {
	var c cursor
	for i := range c {
		if len(b) >= 12*(i+1) {
			c[i] = streamCursor{t: int64(binary.BigEndian.Uint64(b[12*i:])), n: binary.BigEndian.Uint32(b[12*i+8:])}
		}
	}
	return c
}

// later is, per stream, the further of two cursors.
func later(a, b cursor) cursor {
	for i := range a {
		if b[i].t > a[i].t || b[i].t == a[i].t && b[i].n > a[i].n {
			a[i] = b[i]
		}
	}
	return a
}
