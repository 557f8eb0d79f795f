package metrics

// ring is a bounded FIFO that grows on demand up to max entries, then
// overwrites its oldest: a container that lives a minute costs a minute.
type ring[T any] struct {
	buf  []T
	head int // index of the oldest entry once full
	max  int
}

func (r *ring[T]) push(v T) {
	if len(r.buf) < r.max {
		if len(r.buf) == cap(r.buf) {
			grown := make([]T, len(r.buf), min(r.max, max(16, 2*cap(r.buf))))
			copy(grown, r.buf)
			r.buf = grown
		}
		r.buf = append(r.buf, v)
		return
	}
	r.buf[r.head] = v
	r.head = (r.head + 1) % r.max
}

// each calls fn from oldest to newest until fn returns false.
func (r *ring[T]) each(fn func(T) bool) {
	for i := range r.buf {
		if !fn(r.buf[(r.head+i)%len(r.buf)]) {
			return
		}
	}
}

func (r *ring[T]) len() int { return len(r.buf) }
