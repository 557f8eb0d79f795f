package logstore

import "time"

// Options configure a Store. Zero fields take the defaults noted.
type Options struct {
	// MaxAge drops lines older than this (default 7 days; negative: keep).
	MaxAge time.Duration
	// MaxBytes bounds the stored line data, oldest blocks dropped first
	// (default 1 GiB; negative: unbounded). The bbolt file itself does
	// not shrink: freed pages are reused for new lines.
	MaxBytes int64
	// PruneInterval is how often retention is enforced (default 1 min).
	PruneInterval time.Duration
	// BatchLines and BatchDelay bound a write transaction: it commits
	// when this many lines are pending or the oldest pending line has
	// waited this long (defaults 4096 lines, 100 ms).
	BatchLines int
	BatchDelay time.Duration
	// BlockLines and BlockBytes bound a sealed block (defaults 4096
	// lines, 256 KiB of text).
	BlockLines int
	BlockBytes int
	// QueueLines bounds the lines accepted but not yet committed; Append
	// blocks beyond it (default 16384).
	QueueLines int
	// FollowBuffer is how many lines a Follow channel holds before the
	// follower counts as too slow and is cut off (default 10000).
	FollowBuffer int
	// Now is the clock for retention (default time.Now); tests set it.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.BatchLines, 4096)
	def(&o.BlockLines, 4096)
	def(&o.BlockBytes, 256<<10)
	def(&o.QueueLines, 16384)
	def(&o.FollowBuffer, 10000)
	if o.MaxAge == 0 {
		o.MaxAge = 7 * 24 * time.Hour
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = 1 << 30
	}
	if o.PruneInterval <= 0 {
		o.PruneInterval = time.Minute
	}
	if o.BatchDelay <= 0 {
		o.BatchDelay = 100 * time.Millisecond
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
