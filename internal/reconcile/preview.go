package reconcile

import (
	"context"
	"errors"
	"time"

	"github.com/berth-dev/berth/internal/spec"
	"github.com/berth-dev/berth/internal/store"
)

// Preview plans st against what the engine runs now, without applying
// anything: what `berth up` would change.
func (r *Reconciler) Preview(ctx context.Context, st *spec.Stack) (Result, error) {
	d := Desired{Stack: st}
	if rec, err := r.store.Stack(st.Name); err == nil && !rec.Down {
		if rev, err := r.store.Revision(st.Name, rec.Revision); err == nil && rev.Hash == st.Hash {
			d.Replicas = rec.Scale // an unchanged file keeps `berth scale` overrides
		}
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Result{}, err
	}
	actual, err := r.eng.List(ctx, st.Name)
	if err != nil {
		return Result{}, err
	}
	mem := NewMemory()
	mem.Observe(st, actual, time.Now())
	return Plan(d, actual, mem, time.Now()), nil
}
