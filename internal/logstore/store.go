package logstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrClosed is returned by calls on a closed Store.
var ErrClosed = errors.New("log store is closed")

var (
	bucketBlocks  = []byte("blocks")  // serial(4) seq(8) -> encoded block
	bucketSources = []byte("sources") // serial(4) -> sourceMeta JSON
	bucketCursors = []byte("cursors") // serial(4) -> cursor
)

// queuePiece is the most lines one queue slot carries, so that the
// queue's capacity bounds memory in lines whatever the callers' batches.
const queuePiece = 256

// Store is the embedded log store. Its methods are safe for concurrent use.
type Store struct {
	db   *bolt.DB
	opts Options
	log  *slog.Logger

	mu  sync.RWMutex // guards cat; held by the writer across a commit
	cat *catalog

	appendMu sync.RWMutex // Close waits on it for in-flight Appends
	in       chan []Line
	closing  chan struct{}
	done     chan struct{}
	once     sync.Once

	followers followers
	acc       accepted
}

// Open opens (creating if needed) the log database logs.db under dir and
// starts its writer and pruner.
func Open(dir string, opts Options, log *slog.Logger) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating log directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, "logs.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:      2 * time.Second,
		FreelistType: bolt.FreelistMapType,
	})
	if err != nil {
		return nil, fmt.Errorf("opening log database %s: %w", path, err)
	}
	var cat *catalog
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketBlocks, bucketSources, bucketCursors} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		cat, err = loadCatalog(tx)
		return err
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("loading log database %s: %w", path, err)
	}
	opts = opts.withDefaults()
	s := &Store{
		db: db, opts: opts, cat: cat,
		log:     log.With("component", "logstore"),
		in:      make(chan []Line, max(opts.QueueLines/queuePiece, 1)),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
	}
	s.followers.init()
	go s.run()
	return s, nil
}

// Append queues lines for storage, normalising each (valid UTF-8, no
// newline, level sniffed when empty). It blocks while the queue is full:
// that is the collector's backpressure. Lines are durable once the
// writer's next transaction commits (within BatchDelay).
func (s *Store) Append(ctx context.Context, lines ...Line) error {
	s.appendMu.RLock()
	defer s.appendMu.RUnlock()
	for len(lines) > 0 {
		n := min(len(lines), queuePiece)
		piece := make([]Line, n)
		for i := range piece {
			piece[i] = normalize(lines[i])
		}
		select {
		case s.in <- piece:
			s.accept(piece)
		case <-ctx.Done():
			return fmt.Errorf("queueing log lines: %w", ctx.Err())
		case <-s.closing:
			return ErrClosed
		}
		lines = lines[n:]
	}
	return nil
}

// Close stores every line already queued, stops the writer and closes
// the database and every Follow channel.
func (s *Store) Close() error {
	s.once.Do(func() {
		close(s.closing)
		s.appendMu.Lock() // no Append is sending any more
		close(s.in)
		s.appendMu.Unlock()
		<-s.done
		s.followers.closeAll()
	})
	if err := s.db.Close(); err != nil && !errors.Is(err, bolt.ErrDatabaseNotOpen) {
		return fmt.Errorf("closing log database: %w", err)
	}
	return nil
}
