package logstore

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// commit stores lines in one transaction: per container a new chunk (or
// sealed blocks when the batch is big), merging small chunks into a
// sealed block once they add up to one, and the container's cursor, in
// the same transaction as its lines so a restart never sees one without
// the other. On failure the catalog is reloaded from the database.
func (s *Store) commit(lines []Line) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.db.Update(func(tx *bolt.Tx) error {
		w := txWriter{tx: tx, cat: s.cat, opts: s.opts, blocks: tx.Bucket(bucketBlocks)}
		for _, group := range groupByContainer(lines) {
			if err := w.write(group); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		return nil
	}
	if rerr := s.db.View(func(tx *bolt.Tx) error {
		cat, err := loadCatalog(tx)
		s.cat = cat
		return err
	}); rerr != nil {
		return fmt.Errorf("%w (and reloading the catalog: %v)", err, rerr)
	}
	return err
}

// groupByContainer splits lines by ContainerID, keeping their order.
func groupByContainer(lines []Line) [][]Line {
	idx := map[string]int{}
	var groups [][]Line
	for _, l := range lines {
		i, ok := idx[l.ContainerID]
		if !ok {
			i = len(groups)
			idx[l.ContainerID] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], l)
	}
	return groups
}

// txWriter writes one transaction's lines.
type txWriter struct {
	tx     *bolt.Tx
	blocks *bolt.Bucket
	cat    *catalog
	opts   Options
}

// write stores one container's lines and advances its cursor.
func (w *txWriter) write(lines []Line) error {
	src, err := w.source(&lines[0])
	if err != nil {
		return err
	}
	recs := make([]rec, len(lines))
	for i := range lines {
		recs[i] = recOf(&lines[i])
		src.cur.advance(streamIndex(lines[i].Stream), recs[i].t)
	}
	for len(recs) > 0 {
		n, full := w.piece(recs)
		if err := w.add(src, recs[:n], full); err != nil {
			return err
		}
		recs = recs[n:]
	}
	if err := w.tx.Bucket(bucketCursors).Put(serialKey(src.serial), src.cur.marshal()); err != nil {
		return fmt.Errorf("storing the log cursor of %s: %w", src.meta.ID, err)
	}
	return nil
}

// piece is how many leading recs fit in one block and whether they fill it.
func (w *txWriter) piece(recs []rec) (int, bool) {
	size := 0
	for i, r := range recs {
		size += len(r.raw) + 1
		if i+1 >= w.opts.BlockLines || size >= w.opts.BlockBytes {
			return i + 1, true
		}
	}
	return len(recs), false
}

// add writes recs as a sealed block when full, otherwise as a chunk,
// first merging the open chunks when recs would not fit beside them.
func (w *txWriter) add(src *source, recs []rec, full bool) error {
	lines, size := len(recs), 0
	for _, r := range recs {
		size += len(r.raw) + 1
	}
	for _, b := range src.blocks[src.open:] {
		lines, size = lines+b.count, size+b.textLen
	}
	if full || lines > w.opts.BlockLines || size > w.opts.BlockBytes {
		if err := w.seal(src); err != nil {
			return err
		}
	}
	if err := w.put(src, src.nextSeq, recs); err != nil {
		return err
	}
	src.nextSeq++
	if full {
		src.open = len(src.blocks)
	}
	return nil
}

// seal merges the open chunks of src into one block under the first
// chunk's key, which keeps the keys in time order.
func (w *txWriter) seal(src *source) error {
	open := src.blocks[src.open:]
	if len(open) > 1 {
		var recs []rec
		for _, b := range open {
			key := blockKey(src.serial, b.seq)
			v, err := decodeBlock(w.blocks.Get(key))
			if err != nil {
				return fmt.Errorf("merging log block %x: %w", key, err)
			}
			recs = append(recs, v.recs()...)
			if err := w.delete(src, b); err != nil {
				return err
			}
		}
		src.blocks = src.blocks[:src.open]
		if err := w.put(src, open[0].seq, recs); err != nil {
			return err
		}
	}
	src.open = len(src.blocks)
	return nil
}

// put stores one encoded block and appends it to the catalog.
func (w *txWriter) put(src *source, seq uint64, recs []rec) error {
	v := encodeBlock(recs)
	if err := w.blocks.Put(blockKey(src.serial, seq), v); err != nil {
		return fmt.Errorf("storing a log block of %s: %w", src.meta.ID, err)
	}
	h, _, _ := readHeader(v)
	src.blocks = append(src.blocks, blockInfo{seq: seq, size: len(v), blockHeader: h})
	w.cat.bytes += int64(len(v))
	return nil
}

func (w *txWriter) delete(src *source, b blockInfo) error {
	if err := w.blocks.Delete(blockKey(src.serial, b.seq)); err != nil {
		return fmt.Errorf("deleting log block %d of %s: %w", b.seq, src.meta.ID, err)
	}
	w.cat.bytes -= int64(b.size)
	return nil
}

// source finds or registers the container of l, updating its names.
func (w *txWriter) source(l *Line) (*source, error) {
	meta := &sourceMeta{ID: l.ContainerID, Name: l.Container, Stack: l.Stack, Service: l.Service}
	src := w.cat.byID[l.ContainerID]
	if src != nil && *src.meta == *meta {
		return src, nil
	}
	if src == nil {
		src = &source{serial: w.cat.nextSerial}
		w.cat.nextSerial++
		w.cat.byID[meta.ID], w.cat.bySerial[src.serial] = src, src
	}
	src.meta = meta
	v, err := json.Marshal(meta)
	if err == nil {
		err = w.tx.Bucket(bucketSources).Put(serialKey(src.serial), v)
	}
	if err != nil {
		return nil, fmt.Errorf("registering log source %s: %w", meta.ID, err)
	}
	return src, nil
}
