package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Event is one entry of the journal.
type Event struct {
	Seq       uint64    `json:"seq"`
	Time      time.Time `json:"time"`
	Stack     string    `json:"stack,omitempty"`
	Service   string    `json:"service,omitempty"`
	Container string    `json:"container,omitempty"`
	// Kind is a stable, machine-readable name: deploy, create, replace,
	// remove, restart, crashloop, drift, unhealthy, oom, scale, down, error.
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// Append adds an event to the journal and wakes followers.
func (s *Store) Append(e Event) (Event, error) {
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketEvents)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		e.Seq = seq
		return putJSON(b, u64(seq), e)
	})
	if err != nil {
		return Event{}, fmt.Errorf("appending %s event: %w", e.Kind, err)
	}
	s.mu.Lock()
	close(s.notify)
	s.notify = make(chan struct{})
	s.mu.Unlock()
	return e, nil
}

// Events returns up to limit events with Seq > after for stack (all stacks
// when empty), oldest first. limit <= 0 means no limit.
func (s *Store) Events(stack string, after uint64, limit int) ([]Event, error) {
	var out []Event
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketEvents).Cursor()
		for k, v := c.Seek(u64(after + 1)); k != nil; k, v = c.Next() {
			var e Event
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("decoding event %d: %w", binary.BigEndian.Uint64(k), err)
			}
			if stack != "" && e.Stack != stack {
				continue
			}
			out = append(out, e)
			if limit > 0 && len(out) >= limit {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading events: %w", err)
	}
	return out, nil
}

// Tail returns the last n events for stack, oldest first.
func (s *Store) Tail(stack string, n int) ([]Event, error) {
	var out []Event
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketEvents).Cursor()
		for k, v := c.Last(); k != nil && len(out) < n; k, v = c.Prev() {
			var e Event
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			if stack == "" || e.Stack == stack {
				out = append(out, e)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading events: %w", err)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// Changed returns a channel that is closed when the next event is appended.
// Followers take it before reading, so nothing appended in between is missed.
func (s *Store) Changed() <-chan struct{} {
	s.mu.Lock()
	ch := s.notify
	s.mu.Unlock()
	return ch
}
