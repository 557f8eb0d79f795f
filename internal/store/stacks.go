package store

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Stack is the desired state of one stack.
type Stack struct {
	Name string `json:"name"`
	// Revision is the number of the revision that should run.
	Revision int64 `json:"revision"`
	// Scale holds replica counts set by `berth scale`, by service. They hold
	// until an `up` with a changed file.
	Scale map[string]int `json:"scale,omitempty"`
	// Down is true once the stack was taken down; its history is kept.
	Down    bool      `json:"down,omitempty"`
	Updated time.Time `json:"updated"`
}

// Revision is one applied version of a stack's file.
type Revision struct {
	Number int64     `json:"number"`
	Hash   string    `json:"hash"`
	Time   time.Time `json:"time"`
	// Spec is the canonical, fully resolved Compose YAML.
	Spec []byte `json:"spec,omitempty"`
	// Sources names the files it was loaded from, for people.
	Sources []string `json:"sources,omitempty"`
	// Failed says why the revision's rollout failed and was rolled back
	// (empty when it did not).
	Failed   string    `json:"failed,omitempty"`
	FailedAt time.Time `json:"failed_at,omitzero"`
}

// Apply records spec as the stack's desired revision. When the latest
// revision has the same hash and the stack is up, nothing changes and
// changed is false.
func (s *Store) Apply(name, hash string, specYAML []byte, sources []string) (rev Revision, changed bool, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		stacks := tx.Bucket(bucketStacks)
		var st Stack
		if err := getJSON(stacks, []byte(name), &st); err != nil && err != ErrNotFound {
			return err
		}
		revs, err := tx.Bucket(bucketRevisions).CreateBucketIfNotExists([]byte(name))
		if err != nil {
			return err
		}
		if st.Revision > 0 {
			if err := getJSON(revs, u64(uint64(st.Revision)), &rev); err != nil {
				return fmt.Errorf("reading revision %d: %w", st.Revision, err)
			}
			if rev.Hash == hash && !st.Down {
				return nil
			}
		}
		seq, err := revs.NextSequence()
		if err != nil {
			return err
		}
		rev = Revision{Number: int64(seq), Hash: hash, Time: time.Now().UTC(), Spec: specYAML, Sources: sources}
		if err := putJSON(revs, u64(seq), rev); err != nil {
			return err
		}
		st = Stack{Name: name, Revision: rev.Number, Updated: rev.Time}
		changed = true
		return putJSON(stacks, []byte(name), st)
	})
	if err != nil {
		return Revision{}, false, fmt.Errorf("storing revision of stack %s: %w", name, err)
	}
	return rev, changed, nil
}

// Stack returns the desired state of one stack.
func (s *Store) Stack(name string) (Stack, error) {
	var st Stack
	err := s.db.View(func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketStacks), []byte(name), &st)
	})
	if err != nil {
		return Stack{}, fmt.Errorf("reading stack %s: %w", name, err)
	}
	return st, nil
}

// Stacks lists every known stack, including those taken down.
func (s *Store) Stacks() ([]Stack, error) {
	var out []Stack
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketStacks).ForEach(func(_, v []byte) error {
			var st Stack
			if err := json.Unmarshal(v, &st); err != nil {
				return err
			}
			out = append(out, st)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("listing stacks: %w", err)
	}
	return out, nil
}

// Revision returns one revision of a stack, with its spec.
func (s *Store) Revision(name string, n int64) (Revision, error) {
	var rev Revision
	err := s.db.View(func(tx *bolt.Tx) error {
		revs := tx.Bucket(bucketRevisions).Bucket([]byte(name))
		if revs == nil {
			return ErrNotFound
		}
		return getJSON(revs, u64(uint64(n)), &rev)
	})
	if err != nil {
		return Revision{}, fmt.Errorf("reading revision %d of stack %s: %w", n, name, err)
	}
	return rev, nil
}

// Revisions lists a stack's revisions, oldest first, without their specs.
func (s *Store) Revisions(name string) ([]Revision, error) {
	var out []Revision
	err := s.db.View(func(tx *bolt.Tx) error {
		revs := tx.Bucket(bucketRevisions).Bucket([]byte(name))
		if revs == nil {
			return ErrNotFound
		}
		return revs.ForEach(func(_, v []byte) error {
			var r Revision
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			r.Spec = nil
			out = append(out, r)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("listing revisions of stack %s: %w", name, err)
	}
	return out, nil
}

// SetScale records a replica override for one service of a stack.
func (s *Store) SetScale(name, service string, replicas int) error {
	return s.updateStack(name, func(st *Stack) {
		if st.Scale == nil {
			st.Scale = map[string]int{}
		}
		st.Scale[service] = replicas
	})
}

// SetDown marks a stack as taken down (or up again).
func (s *Store) SetDown(name string, down bool) error {
	return s.updateStack(name, func(st *Stack) { st.Down = down })
}

func (s *Store) updateStack(name string, change func(*Stack)) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketStacks)
		var st Stack
		if err := getJSON(b, []byte(name), &st); err != nil {
			return err
		}
		change(&st)
		st.Updated = time.Now().UTC()
		return putJSON(b, []byte(name), st)
	})
	if err != nil {
		return fmt.Errorf("updating stack %s: %w", name, err)
	}
	return nil
}
