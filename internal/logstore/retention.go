package logstore

import (
	"cmp"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// victim is a block chosen for deletion.
type victim struct {
	src *source
	blockInfo
}

// prune enforces MaxAge and MaxBytes, whole blocks at a time: first
// every block whose newest line is too old, then the blocks with the
// oldest newest line until the total fits. It also forgets containers
// with no line left whose cursor is older than MaxAge.
func (s *Store) prune() {
	s.mu.Lock()
	defer s.mu.Unlock()
	victims := s.victims()
	if len(victims) == 0 && !s.staleSources() {
		return
	}
	err := s.db.Update(func(tx *bolt.Tx) error { return s.deleteVictims(tx, victims) })
	if err != nil {
		s.log.Error("enforcing log retention", "err", err)
		if rerr := s.db.View(func(tx *bolt.Tx) (err error) { s.cat, err = loadCatalog(tx); return err }); rerr != nil {
			s.log.Error("reloading the log catalog", "err", rerr)
		}
	}
}

// victims picks the blocks to delete, oldest first.
func (s *Store) victims() []victim {
	var all []victim
	for _, src := range s.cat.bySerial {
		for _, b := range src.blocks {
			all = append(all, victim{src, b})
		}
	}
	slices.SortFunc(all, func(a, b victim) int { return cmp.Compare(a.maxT, b.maxT) })
	cutoff := int64(-1 << 63)
	if s.opts.MaxAge > 0 {
		cutoff = s.opts.Now().Add(-s.opts.MaxAge).UnixNano()
	}
	total, n := s.cat.bytes, 0
	for ; n < len(all); n++ {
		tooOld := all[n].maxT < cutoff
		tooBig := s.opts.MaxBytes > 0 && total > s.opts.MaxBytes
		if !tooOld && !tooBig {
			break
		}
		total -= int64(all[n].size)
	}
	return all[:n]
}

// staleSources reports whether some container is empty and old.
func (s *Store) staleSources() bool {
	for _, src := range s.cat.bySerial {
		if s.stale(src) {
			return true
		}
	}
	return false
}

func (s *Store) stale(src *source) bool {
	newest := max(src.cur[0].t, src.cur[1].t)
	return len(src.blocks) == 0 && s.opts.MaxAge > 0 && newest < s.opts.Now().Add(-s.opts.MaxAge).UnixNano()
}

// deleteVictims removes the blocks and the stale containers. Deleted
// open chunks end the open run: later lines start a new one.
func (s *Store) deleteVictims(tx *bolt.Tx, victims []victim) error {
	w := txWriter{tx: tx, cat: s.cat, opts: s.opts, blocks: tx.Bucket(bucketBlocks)}
	gone := map[*source]map[uint64]bool{}
	for _, v := range victims {
		if err := w.delete(v.src, v.blockInfo); err != nil {
			return err
		}
		if gone[v.src] == nil {
			gone[v.src] = map[uint64]bool{}
		}
		gone[v.src][v.seq] = true
	}
	for src, seqs := range gone {
		src.blocks = slices.DeleteFunc(src.blocks, func(b blockInfo) bool { return seqs[b.seq] })
		src.open = len(src.blocks)
	}
	for serial, src := range s.cat.bySerial {
		if !s.stale(src) {
			continue
		}
		for _, b := range [][]byte{bucketSources, bucketCursors} {
			if err := tx.Bucket(b).Delete(serialKey(serial)); err != nil {
				return fmt.Errorf("forgetting log source %s: %w", src.meta.ID, err)
			}
		}
		delete(s.cat.bySerial, serial)
		delete(s.cat.byID, src.meta.ID)
	}
	return nil
}
