package reconcile

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/berth-dev/berth/internal/engine"
	"github.com/berth-dev/berth/internal/spec"
	"github.com/berth-dev/berth/internal/store"
)

// Engine is what the reconciler needs from a container engine.
type Engine interface {
	List(ctx context.Context, stack string) ([]engine.Container, error)
	Create(ctx context.Context, st *spec.Stack, svc *spec.Service, slot int, revision int64) (string, error)
	Start(ctx context.Context, id string) error
	Stop(ctx context.Context, id, signal string, grace time.Duration) error
	Remove(ctx context.Context, id string) error
	EnsureImage(ctx context.Context, st *spec.Stack, svc *spec.Service, progress func(string)) error
	EnsureNetworks(ctx context.Context, st *spec.Stack) error
	EnsureVolumes(ctx context.Context, st *spec.Stack) error
	RemoveNetworks(ctx context.Context, stack string) error
	Events(ctx context.Context) <-chan engine.Event
}

// Store is what the reconciler reads and writes in the store.
type Store interface {
	Stack(name string) (store.Stack, error)
	Stacks() ([]store.Stack, error)
	Revision(name string, n int64) (store.Revision, error)
	Append(e store.Event) (store.Event, error)
	Rollback(name string, from int64, reason string) (int64, error)
}

// Observer is told about reconcile activity (for metrics). Optional.
type Observer interface {
	// Recorded counts one journal event of a kind (create, restart, drift...).
	Recorded(stack, kind string)
	// Passed reports one observe-plan-apply pass and how long it took.
	Passed(stack string, d time.Duration, converged bool)
}

// Loader turns a stored canonical spec back into a stack.
type Loader func(ctx context.Context, name string, canonical []byte) (*spec.Stack, error)

// Reconciler runs one worker per stack.
type Reconciler struct {
	eng    Engine
	store  Store
	load   Loader
	log    *slog.Logger
	resync time.Duration
	// Observer, when set before Run, is told about events and passes.
	Observer Observer
	// Traffic, when set before Run, is the load balancer that serves the
	// stacks' routes.
	Traffic Traffic

	mu      sync.Mutex
	ctx     context.Context
	workers map[string]*worker
}

// New returns a reconciler; call Run to start it.
func New(eng Engine, st Store, load Loader, log *slog.Logger, resync time.Duration) *Reconciler {
	if resync <= 0 {
		resync = 10 * time.Second
	}
	return &Reconciler{eng: eng, store: st, load: load, log: log, resync: resync, workers: map[string]*worker{}}
}

// Run starts a worker for every stored stack and feeds them engine events
// and the periodic resync until ctx ends.
func (r *Reconciler) Run(ctx context.Context) error {
	r.mu.Lock()
	r.ctx = ctx
	r.mu.Unlock()
	stacks, err := r.store.Stacks()
	if err != nil {
		return err
	}
	for _, st := range stacks {
		r.Kick(st.Name)
	}
	events := r.eng.Events(ctx)
	tick := time.NewTicker(r.resync)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			r.wait()
			return nil
		case ev, ok := <-events:
			if !ok {
				r.wait()
				return nil
			}
			r.route(ev)
		case <-tick.C:
			r.kickAll()
		}
	}
}

// route hands an engine event to its stack's worker (all of them after a
// reconnect, when events may have been missed).
func (r *Reconciler) route(ev engine.Event) {
	if ev.Stack == "" {
		r.kickAll()
		return
	}
	if _, err := r.store.Stack(ev.Stack); err != nil {
		return // not ours: see worker.desired
	}
	if w := r.worker(ev.Stack); w != nil {
		w.event(ev)
	}
}

// Kick wakes the stack's worker, starting one if needed.
func (r *Reconciler) Kick(stack string) {
	if w := r.worker(stack); w != nil {
		w.wake()
	}
}

func (r *Reconciler) kickAll() {
	r.mu.Lock()
	ws := make([]*worker, 0, len(r.workers))
	for _, w := range r.workers {
		ws = append(ws, w)
	}
	r.mu.Unlock()
	for _, w := range ws {
		w.wake()
	}
}

// worker returns the stack's worker, starting it when the reconciler runs.
func (r *Reconciler) worker(stack string) *worker {
	r.mu.Lock()
	defer r.mu.Unlock()
	if w := r.workers[stack]; w != nil {
		return w
	}
	if r.ctx == nil || r.ctx.Err() != nil {
		return nil
	}
	w := newWorker(r, stack)
	r.workers[stack] = w
	go w.run(r.ctx)
	return w
}

// wait returns when every worker has stopped.
func (r *Reconciler) wait() {
	r.mu.Lock()
	ws := r.workers
	r.mu.Unlock()
	for _, w := range ws {
		<-w.done
	}
}

// Status returns the stack's latest reconcile status.
func (r *Reconciler) Status(stack string) (Status, bool) {
	r.mu.Lock()
	w := r.workers[stack]
	r.mu.Unlock()
	if w == nil {
		return Status{}, false
	}
	return w.snapshot()
}

// Changed returns a channel closed at the stack's next status change.
func (r *Reconciler) Changed(stack string) <-chan struct{} {
	w := r.worker(stack)
	if w == nil {
		ch := make(chan struct{})
		close(ch)
		return ch
	}
	return w.changedCh()
}

// Restart restarts the running containers of a stack's services one by
// one (all services when none are named).
func (r *Reconciler) Restart(ctx context.Context, stack string, services []string) (int, error) {
	w := r.worker(stack)
	if w == nil {
		return 0, context.Canceled
	}
	return w.restart(ctx, services)
}
