package logstore

import (
	"cmp"
	"container/heap"
	"slices"
	"sync/atomic"
)

// topN collects one worker's hits: all of them, or with a limit only the
// newest limit, in a min-heap on time.
type topN struct {
	limit int
	hits  []hit
	floor *sharedFloor
}

func newTopN(limit int, floor *sharedFloor) *topN { return &topN{limit: limit, floor: floor} }

// wants reports whether a hit at t could be kept, before its text is copied.
func (h *topN) wants(t int64) bool {
	return h.limit <= 0 || len(h.hits) < h.limit || t > h.hits[0].t
}

func (h *topN) add(x hit) {
	if h.limit <= 0 {
		h.hits = append(h.hits, x)
		return
	}
	if len(h.hits) < h.limit {
		heap.Push(h, x)
	} else {
		h.hits[0] = x
		heap.Fix(h, 0)
	}
	if len(h.hits) == h.limit {
		h.floor.raise(h.hits[0].t)
	}
}

// heap.Interface, for the limited case.
func (h *topN) Len() int           { return len(h.hits) }
func (h *topN) Less(i, j int) bool { return h.hits[i].t < h.hits[j].t }
func (h *topN) Swap(i, j int)      { h.hits[i], h.hits[j] = h.hits[j], h.hits[i] }
func (h *topN) Push(x any)         { h.hits = append(h.hits, x.(hit)) }
func (h *topN) Pop() any {
	x := h.hits[len(h.hits)-1]
	h.hits = h.hits[:len(h.hits)-1]
	return x
}

// mergeTopN joins the workers' hits, sorted, keeping the newest limit.
func mergeTopN(parts []*topN, limit int) []hit {
	var all []hit
	for _, p := range parts {
		all = append(all, p.hits...)
	}
	slices.SortFunc(all, cmpHit)
	if limit > 0 && len(all) > limit {
		all = all[len(all)-limit:]
	}
	return all
}

// cmpHit orders hits by time, then by container and position.
func cmpHit(a, b hit) int {
	return cmp.Or(cmp.Compare(a.t, b.t), cmp.Compare(a.ref.serial, b.ref.serial),
		cmp.Compare(a.ref.info.seq, b.ref.info.seq), cmp.Compare(a.idx, b.idx))
}

// sharedFloor is the time below which no line can make a limited
// query's result any more: some worker already holds limit newer hits.
// Zero means no floor yet (no log line is stamped 1970-01-01T00:00:00Z).
type sharedFloor struct{ v atomic.Int64 }

func (f *sharedFloor) raise(t int64) {
	for {
		cur := f.v.Load()
		if cur != 0 && t <= cur || f.v.CompareAndSwap(cur, t) {
			return
		}
	}
}

// skip reports whether a block whose newest line is at maxT can be left unread.
func (f *sharedFloor) skip(maxT int64) bool {
	cur := f.v.Load()
	return cur != 0 && maxT < cur
}
