package logstore

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// blockRef is one block a query will read.
type blockRef struct {
	meta   *sourceMeta
	serial uint32
	info   blockInfo
}

// hit is one matching line, copied out of the read transaction.
type hit struct {
	ref  *blockRef
	idx  int
	t    int64
	meta byte
	raw  string
}

// Query returns the lines matching f, oldest first, merged across
// containers by time (ties keep each container's order). With a Limit it
// returns the newest Limit lines and reads blocks newest first, stopping
// as soon as no unread block can hold a newer match.
func (s *Store) Query(ctx context.Context, f Filter) ([]Line, error) {
	q, err := compileFilter(f)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	tx, err := s.db.Begin(false)
	if err != nil {
		s.mu.RUnlock()
		return nil, fmt.Errorf("reading logs: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	refs := s.plan(q)
	s.mu.RUnlock()

	hits, err := q.scan(ctx, tx.Bucket(bucketBlocks), refs)
	if err != nil {
		return nil, err
	}
	return linesOf(hits), nil
}

// plan lists the blocks that may hold matches; newest first for a Limit.
// The caller holds s.mu, so the refs agree with the read transaction.
func (s *Store) plan(q *compiled) []blockRef {
	var refs []blockRef
	for _, src := range s.cat.bySerial {
		if !q.matchSource(src.meta) {
			continue
		}
		for _, b := range src.blocks {
			if q.matchBlock(&b.blockHeader) {
				refs = append(refs, blockRef{meta: src.meta, serial: src.serial, info: b})
			}
		}
	}
	if q.Limit > 0 {
		slices.SortFunc(refs, func(a, b blockRef) int { return cmp.Compare(b.info.maxT, a.info.maxT) })
	}
	return refs
}

// linesOf turns sorted hits into Lines.
func linesOf(hits []hit) []Line {
	out := make([]Line, len(hits))
	for i, h := range hits {
		l := &out[i]
		*l = Line{
			Time: time.Unix(0, h.t).UTC(), Stack: h.ref.meta.Stack, Service: h.ref.meta.Service,
			Container: h.ref.meta.Name, ContainerID: h.ref.meta.ID, Stream: Stdout,
			Level: levelName(h.meta & metaLevelMask), Raw: h.raw, Truncated: h.meta&metaTruncated != 0,
		}
		if h.meta&metaStderr != 0 {
			l.Stream = Stderr
		}
		decorate(l)
	}
	return out
}

// scan reads the refs' blocks in order on one goroutine (bbolt lookups)
// and scans them on GOMAXPROCS workers.
func (q *compiled) scan(ctx context.Context, bucket *bolt.Bucket, refs []blockRef) ([]hit, error) {
	type job struct {
		ref *blockRef
		val []byte
	}
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan job, 2*workers)
	results := make([]*topN, workers)
	var floor sharedFloor
	var wg sync.WaitGroup
	var errOnce sync.Once
	var scanErr error
	for w := range workers {
		results[w] = newTopN(q.Limit, &floor)
		wg.Go(func() {
			for j := range jobs {
				if floor.skip(j.ref.info.maxT) {
					continue
				}
				if err := q.scanBlock(j.ref, j.val, results[w]); err != nil {
					errOnce.Do(func() { scanErr = err })
				}
			}
		})
	}
	if len(refs) > 0 {
		q.tune(bucket, &refs[0])
	}
	err := feed(ctx, bucket, refs, &floor, func(r *blockRef, v []byte) { jobs <- job{r, v} })
	close(jobs)
	wg.Wait()
	if err == nil {
		err = scanErr
	}
	return mergeTopN(results, q.Limit), err
}

// feed looks up each block and hands it on, stopping early when ctx ends
// or a Limit is already met by newer lines than any block left.
func feed(ctx context.Context, bucket *bolt.Bucket, refs []blockRef, floor *sharedFloor, fn func(*blockRef, []byte)) error {
	for i := range refs {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("querying logs: %w", err)
		}
		r := &refs[i]
		if floor.skip(r.info.maxT) {
			continue
		}
		if v := bucket.Get(blockKey(r.serial, r.info.seq)); v != nil {
			fn(r, v)
		}
	}
	return nil
}

// tune lets the matcher sample the first block's text for byte frequencies.
func (q *compiled) tune(bucket *bolt.Bucket, r *blockRef) {
	if q.m == nil {
		return
	}
	if text, _, err := blockText(bucket.Get(blockKey(r.serial, r.info.seq))); err == nil {
		q.m.tune(text[:min(len(text), 64<<10)])
	}
}
