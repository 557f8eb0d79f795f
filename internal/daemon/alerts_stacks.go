package daemon

import (
	"context"
	"log/slog"

	"github.com/berth-dev/berth/internal/alert"
	"github.com/berth-dev/berth/internal/spec"
	"github.com/berth-dev/berth/internal/store"
)

// stackRules keeps one alert rule group per stack that is up, made of the
// x-berth.alerts of its current revision. It runs before each evaluation:
// the store is the truth, so a restart, an up, a rollback and a down all
// show by the next evaluation without the API having to tell anyone.
type stackRules struct {
	store interface {
		Stacks() ([]store.Stack, error)
		Revision(name string, n int64) (store.Revision, error)
	}
	load func(ctx context.Context, name string, data []byte) (*spec.Stack, error)
	set  func(group string, rules []alert.Rule) error
	log  *slog.Logger

	// applied is the revision hash each stack's group was last made from;
	// only the evaluating goroutine touches it.
	applied map[string]string
}

func stackGroup(name string) string { return "stack/" + name }

// refresh sets the groups of stacks whose revision changed and removes
// those of stacks taken down or gone. A failure keeps a stack's rules as
// they were: a revision that cannot be read never removes working rules.
func (s *stackRules) refresh(ctx context.Context) {
	recs, err := s.store.Stacks()
	if err != nil {
		s.log.Warn("reading stacks for their alert rules", "err", err)
		return
	}
	up := map[string]bool{}
	for _, rec := range recs {
		if !rec.Down {
			up[rec.Name] = true
			s.update(ctx, rec)
		}
	}
	for name := range s.applied {
		if !up[name] {
			s.apply(name, nil)
			delete(s.applied, name)
		}
	}
}

// update loads the stack's rules when its revision hash changed; an
// unchanged hash costs one store read, not a Compose load.
func (s *stackRules) update(ctx context.Context, rec store.Stack) {
	rev, err := s.store.Revision(rec.Name, rec.Revision)
	if err != nil {
		s.log.Warn("reading a stack's revision for its alert rules", "stack", rec.Name, "err", err)
		return
	}
	if hash, ok := s.applied[rec.Name]; ok && hash == rev.Hash {
		return
	}
	// Recorded before loading, so a revision that fails is reported once
	// rather than at every evaluation.
	s.applied[rec.Name] = rev.Hash
	st, err := s.load(ctx, rec.Name, rev.Spec)
	if err != nil {
		s.log.Warn("loading a stack's alert rules; keeping its previous ones", "stack", rec.Name, "revision", rec.Revision, "err", err)
		return
	}
	rules, err := st.AlertRules()
	if err != nil {
		s.log.Warn("a stack's alert rules are invalid; keeping its previous ones", "stack", rec.Name, "revision", rec.Revision, "err", err)
		return
	}
	s.apply(rec.Name, rules)
}

func (s *stackRules) apply(name string, rules []alert.Rule) {
	if err := s.set(stackGroup(name), rules); err != nil {
		s.log.Warn("setting a stack's alert rules; keeping its previous ones", "stack", name, "err", err)
	}
}
