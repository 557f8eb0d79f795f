package logstore

import (
	"fmt"
	"sort"
)

// scanBlock adds the matching lines of one encoded block to out. A grep
// scans the text section first and decodes the columns only on a hit.
func (q *compiled) scanBlock(ref *blockRef, val []byte, out *topN) error {
	var v *blockView
	var err error
	decode := func() bool {
		if v == nil && err == nil {
			v, err = decodeBlock(val)
		}
		return err == nil
	}
	consider := func(i int) {
		t, meta := v.times[i], v.meta[i]
		if q.matchMeta(t, meta) && out.wants(t) {
			out.add(hit{ref: ref, idx: i, t: t, meta: meta, raw: string(v.raw(i))})
		}
	}
	if q.m == nil {
		if decode() {
			for i := range v.count {
				consider(i)
			}
		}
	} else {
		text, _, terr := blockText(val)
		if terr != nil {
			return fmt.Errorf("scanning log block %d of %s: %w", ref.info.seq, ref.meta.ID, terr)
		}
		q.m.scan(text, func(off int) (int, int, int) {
			if !decode() {
				return len(text), len(text), -1
			}
			i := sort.SearchInts(v.starts, off+1) - 1
			return v.starts[i], v.starts[i+1] - 1, i
		}, func(i int) {
			if i >= 0 {
				consider(i)
			}
		})
	}
	if err != nil {
		return fmt.Errorf("scanning log block %d of %s: %w", ref.info.seq, ref.meta.ID, err)
	}
	return nil
}
