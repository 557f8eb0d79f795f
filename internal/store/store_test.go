package store

import (
	"errors"
	"testing"
)

func TestApplyIsIdempotentAndDurable(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	r1, changed, err := s.Apply("demo", "h1", []byte("a"), []string{"compose.yaml"})
	if err != nil || !changed || r1.Number != 1 {
		t.Fatalf("first apply = %+v, %v, %v; want revision 1 changed", r1, changed, err)
	}
	r, changed, err := s.Apply("demo", "h1", []byte("a"), nil)
	if err != nil || changed || r.Number != 1 {
		t.Fatalf("same hash = %+v, %v, %v; want revision 1 unchanged", r, changed, err)
	}
	if err := s.SetScale("demo", "web", 5); err != nil {
		t.Fatal(err)
	}
	if _, changed, _ = s.Apply("demo", "h2", []byte("b"), nil); !changed {
		t.Fatal("new hash did not make a revision")
	}
	s.Close()

	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, err := s.Stack("demo")
	if err != nil {
		t.Fatal(err)
	}
	if st.Revision != 2 || st.Scale != nil {
		t.Errorf("after reopen: %+v; want revision 2 and scale overrides reset", st)
	}
	rev, err := s.Revision("demo", 1)
	if err != nil || string(rev.Spec) != "a" {
		t.Errorf("revision 1 = %+v, %v", rev, err)
	}
	revs, _ := s.Revisions("demo")
	if len(revs) != 2 {
		t.Errorf("got %d revisions, want 2", len(revs))
	}
	if _, err := s.Stack("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing stack error = %v, want ErrNotFound", err)
	}
}

func TestDownThenSameFileMakesNewRevision(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Apply("demo", "h1", nil, nil)
	if err := s.SetDown("demo", true); err != nil {
		t.Fatal(err)
	}
	r, changed, _ := s.Apply("demo", "h1", nil, nil)
	if !changed || r.Number != 2 {
		t.Errorf("up after down = %+v, %v; want a new revision", r, changed)
	}
	st, _ := s.Stack("demo")
	if st.Down {
		t.Error("stack still down after up")
	}
}

func TestEventsFollow(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	changed := s.Changed()
	if _, err := s.Append(Event{Stack: "a", Kind: "create", Message: "one"}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	default:
		t.Fatal("append did not wake followers")
	}
	s.Append(Event{Stack: "b", Kind: "create", Message: "two"})
	s.Append(Event{Stack: "a", Kind: "remove", Message: "three"})
	got, _ := s.Events("a", 0, 0)
	if len(got) != 2 || got[1].Message != "three" {
		t.Errorf("events for a = %+v", got)
	}
	got, _ = s.Events("", 1, 1)
	if len(got) != 1 || got[0].Message != "two" {
		t.Errorf("events after 1 = %+v", got)
	}
	tail, _ := s.Tail("", 2)
	if len(tail) != 2 || tail[0].Message != "two" || tail[1].Message != "three" {
		t.Errorf("tail = %+v", tail)
	}
}

func TestRollbackAndUndo(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	apply := func(hash string) int64 {
		t.Helper()
		rev, _, err := s.Apply("shop", hash, []byte("spec "+hash), nil)
		if err != nil {
			t.Fatal(err)
		}
		return rev.Number
	}
	r1, r2, r3 := apply("a"), apply("b"), apply("c")
	if _, err := s.Rollback("shop", r2, "too late"); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Stack("shop"); st.Revision != r3 {
		t.Fatalf("a verdict on a superseded revision moved the stack to %d", st.Revision)
	}
	to, err := s.Rollback("shop", r3, "health gate failed")
	if err != nil || to != r2 {
		t.Fatalf("rollback from %d = %d, %v; want %d", r3, to, err, r2)
	}
	revs, _ := s.Revisions("shop")
	if revs[2].Failed != "health gate failed" {
		t.Fatalf("revision %d not marked failed: %+v", r3, revs[2])
	}
	// A failed revision is skipped when going back further.
	if _, err := s.Undo("shop", r3); err != nil {
		t.Fatal(err)
	}
	if to, err := s.Undo("shop", 0); err != nil || to != r2 {
		t.Fatalf("undo from failed %d = %d, %v; want %d", r3, to, err, r2)
	}
	if to, err := s.Undo("shop", 0); err != nil || to != r1 {
		t.Fatalf("undo from %d = %d, %v; want %d", r2, to, err, r1)
	}
	if _, err := s.Undo("shop", 0); !errors.Is(err, ErrNoPrevious) {
		t.Fatalf("undo past the first revision: %v, want ErrNoPrevious", err)
	}
	if _, err := s.Undo("shop", 99); !errors.Is(err, ErrNotFound) {
		t.Fatalf("undo to a missing revision: %v, want ErrNotFound", err)
	}
}
