package store

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrNoPrevious means a stack has no earlier revision to go back to.
var ErrNoPrevious = errors.New("no earlier revision that did not fail")

// Rollback marks revision from as failed with reason and points the stack
// back at the newest earlier revision that did not fail. It does nothing
// (to == 0) when the stack has since moved on from revision from, so a
// late verdict never undoes a newer deploy.
func (s *Store) Rollback(name string, from int64, reason string) (to int64, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		stacks := tx.Bucket(bucketStacks)
		var st Stack
		if err := getJSON(stacks, []byte(name), &st); err != nil {
			return err
		}
		if st.Revision != from || st.Down {
			return nil
		}
		revs := tx.Bucket(bucketRevisions).Bucket([]byte(name))
		if revs == nil {
			return ErrNotFound
		}
		var rev Revision
		if err := getJSON(revs, u64(uint64(from)), &rev); err != nil {
			return err
		}
		prev, err := previousGood(revs, from)
		if err != nil {
			return err
		}
		rev.Failed, rev.FailedAt = reason, time.Now().UTC()
		if err := putJSON(revs, u64(uint64(from)), rev); err != nil {
			return err
		}
		st.Revision, st.Updated, to = prev, time.Now().UTC(), prev
		return putJSON(stacks, []byte(name), st)
	})
	if err != nil {
		return 0, fmt.Errorf("rolling back stack %s from revision %d: %w", name, from, err)
	}
	return to, nil
}

// Undo points the stack at revision to, or, when to is 0, at the newest
// revision before the current one that did not fail. It returns the
// revision now current.
func (s *Store) Undo(name string, to int64) (int64, error) {
	err := s.db.Update(func(tx *bolt.Tx) error {
		stacks := tx.Bucket(bucketStacks)
		var st Stack
		if err := getJSON(stacks, []byte(name), &st); err != nil {
			return err
		}
		if st.Down {
			return fmt.Errorf("stack is down; `berth up` it first")
		}
		revs := tx.Bucket(bucketRevisions).Bucket([]byte(name))
		if revs == nil {
			return ErrNotFound
		}
		if to == 0 {
			prev, err := previousGood(revs, st.Revision)
			if err != nil {
				return err
			}
			to = prev
		}
		if revs.Get(u64(uint64(to))) == nil {
			return fmt.Errorf("revision %d: %w", to, ErrNotFound)
		}
		st.Revision, st.Updated = to, time.Now().UTC()
		return putJSON(stacks, []byte(name), st)
	})
	if err != nil {
		return 0, fmt.Errorf("undoing the deploy of stack %s: %w", name, err)
	}
	return to, nil
}

// previousGood is the newest revision before n that did not fail.
func previousGood(revs *bolt.Bucket, n int64) (int64, error) {
	c := revs.Cursor()
	k, _ := c.Seek(u64(uint64(n)))
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	for ; k != nil; k, _ = c.Prev() {
		var r Revision
		if err := getJSON(revs, k, &r); err != nil {
			return 0, err
		}
		if r.Number < n && r.Failed == "" {
			return r.Number, nil
		}
	}
	return 0, ErrNoPrevious
}
