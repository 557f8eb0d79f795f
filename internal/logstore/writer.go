package logstore

import (
	"time"
)

// run is the single writer: it batches queued lines into transactions
// and enforces retention between them, so no two goroutines ever change
// the catalog.
func (s *Store) run() {
	defer close(s.done)
	prune := time.NewTicker(s.opts.PruneInterval)
	defer prune.Stop()
	flush := time.NewTimer(time.Hour)
	flush.Stop()
	var pending []Line
	for {
		select {
		case piece, ok := <-s.in:
			if !ok {
				s.commitRetrying(pending)
				return
			}
			if len(pending) == 0 {
				flush.Reset(s.opts.BatchDelay)
			}
			pending = append(pending, piece...)
			if len(pending) < s.opts.BatchLines {
				continue
			}
		case <-flush.C:
		case <-prune.C:
			s.prune()
			continue
		}
		flush.Stop()
		s.commitRetrying(pending)
		pending = pending[:0:0]
	}
}

// commitRetrying commits lines, retrying a failed transaction (a full
// disk, say) with backoff: meanwhile the queue fills and Append blocks,
// which is the backpressure, rather than lines being dropped. It gives
// up only when the store is closing.
func (s *Store) commitRetrying(lines []Line) {
	if len(lines) == 0 {
		return
	}
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, 10*time.Second) {
		err := s.commit(lines)
		if err == nil {
			s.followers.publish(lines)
			return
		}
		s.log.Error("storing log lines", "lines", len(lines), "err", err)
		select {
		case <-s.closing:
			s.log.Error("log store closing: dropped lines that could not be stored", "lines", len(lines))
			return
		case <-time.After(wait):
		}
	}
}
