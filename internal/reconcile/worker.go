package reconcile

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/berth-dev/berth/internal/engine"
	"github.com/berth-dev/berth/internal/proxy"
	"github.com/berth-dev/berth/internal/spec"
	"github.com/berth-dev/berth/internal/store"
)

// worker reconciles one stack. Only its own goroutine plans and applies;
// the mutex guards what the API reads (status) and the event marks.
type worker struct {
	r    *Reconciler
	name string
	log  *slog.Logger
	kick chan struct{}
	evs  chan engine.Event
	done chan struct{}

	// Owned by the worker goroutine.
	mem      *Memory
	rev      int64
	stack    *spec.Stack
	images   map[string]bool // image+hash known to be present
	lastErr  string
	failures int
	// dying holds containers a die event named, until the engine's list
	// stops calling them running (it can lag the event by seconds under
	// load) or a deadline passes: until then passes run every
	// dyingPoll, so a restart never waits for the resync.
	dying       map[string]time.Time
	dyingRounds int
	// again asks for another pass at once (after a rollback).
	again bool

	// Load balancer state: the config last pushed, and the containers
	// taken out of rotation before they stop.
	pushed   *proxy.StackConfig
	pushedAt time.Time
	cleared  bool
	draining map[string]bool
	rollback *RollbackInfo

	mu      sync.Mutex
	own     map[string]bool // containers berth itself is stopping
	status  Status
	changed chan struct{}
}

func newWorker(r *Reconciler, name string) *worker {
	return &worker{
		r: r, name: name, log: r.log.With("stack", name),
		kick: make(chan struct{}, 1), evs: make(chan engine.Event, 1024), done: make(chan struct{}),
		mem: NewMemory(), images: map[string]bool{}, own: map[string]bool{}, draining: map[string]bool{}, dying: map[string]time.Time{},
		changed: make(chan struct{}),
	}
}

func (w *worker) wake() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

func (w *worker) event(ev engine.Event) {
	select {
	case w.evs <- ev:
	default:
		w.wake() // level-triggered: a dropped event only costs its detail
	}
}

func (w *worker) run(ctx context.Context) {
	defer close(w.done)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-w.evs:
			w.handle(ev)
			w.drainEvents()
		case <-w.kick:
		case <-timer.C:
		}
		next := w.pass(ctx)
		if len(w.dying) > 0 {
			// Quickly at first, then less often: a whole engine shutting
			// down also raises die events and must not be hammered.
			next = min(next, dyingPoll<<min(w.dyingRounds, 4))
			w.dyingRounds++
		} else {
			w.dyingRounds = 0
		}
		if w.again {
			next, w.again = time.Millisecond, false
		}
		timer.Reset(next)
	}
}

// drainEvents handles the events already queued so that a burst costs one
// pass.
func (w *worker) drainEvents() {
	for {
		select {
		case ev := <-w.evs:
			w.handle(ev)
		default:
			return
		}
	}
}

// handle notes what an event says that the engine's list will not: a stop
// or kill berth did not ask for, and OOM kills.
func (w *worker) handle(ev engine.Event) {
	switch ev.Action {
	case "die":
		w.dying[ev.ContainerID] = time.Now().Add(dyingWatch)
	case "stop", "kill":
		w.mu.Lock()
		ours := w.own[ev.ContainerID]
		w.mu.Unlock()
		if !ours {
			w.mem.MarkHandStopped(ev.ContainerID)
		}
	case "oom":
		w.record(store.Event{Service: ev.Service, Container: nameOr(ev), Kind: "oom", Message: "container was killed by the kernel's OOM killer"})
	case "health_status":
		w.record(store.Event{Service: ev.Service, Container: nameOr(ev), Kind: "health", Message: "health check: " + ev.Detail})
	}
}

// record appends an event to the journal, logging a failure to.
func (w *worker) record(e store.Event) {
	e.Stack = w.name
	if _, err := w.r.store.Append(e); err != nil {
		w.log.Error("recording event", "err", err)
	}
	if w.r.Observer != nil {
		w.r.Observer.Recorded(w.name, e.Kind)
	}
}

// pass runs one observe-plan-apply round and returns when to run again.
func (w *worker) pass(ctx context.Context) time.Duration {
	start := time.Now()
	d, err := w.desired(ctx)
	if errors.Is(err, errUnknownStack) {
		return w.r.resync
	}
	if err == nil {
		var res Result
		var actual []engine.Container
		res, actual, err = w.converge(ctx, d)
		if err == nil {
			w.succeeded()
			w.publish(d, actual, res, "")
			if o := w.r.Observer; o != nil {
				st, _ := w.snapshot()
				o.Passed(w.name, time.Since(start), st.Converged)
			}
			next := w.nextWake(d, res)
			if w.awaitingTraffic(d, actual) {
				next = min(next, rolloutPoll) // the load balancer's probes raise no engine event
			}
			return next
		}
	}
	if ctx.Err() != nil {
		return time.Hour
	}
	return w.failed(d, err)
}

// converge plans and applies until nothing more can be done now.
func (w *worker) converge(ctx context.Context, d Desired) (Result, []engine.Container, error) {
	for round := 0; ; round++ {
		actual, err := w.r.eng.List(ctx, w.name)
		if err != nil {
			return Result{}, nil, err
		}
		stats, err := w.readTraffic(ctx, d, actual)
		if err != nil {
			return Result{}, actual, err
		}
		now := time.Now()
		w.mem.Observe(d.Stack, actual, now)
		before := w.rolloutPhases(d)
		w.mem.observeRollouts(d.Stack, d.replicas, actual, now)
		w.analyse(d, stats, now)
		w.recordRollouts(d, before)
		if err := w.pushTraffic(ctx, d, actual); err != nil {
			return Result{}, actual, err
		}
		w.markSeen(actual)
		w.settleDying(actual, now)
		res := Plan(d, actual, w.mem, now)
		if res.Rollback != nil {
			w.rollBack(d, res.Rollback)
			return res, actual, nil
		}
		if len(res.Actions) == 0 || round >= 20 {
			if d.Stack == nil && len(actual) == 0 {
				if err := w.r.eng.RemoveNetworks(ctx, w.name); err != nil {
					return res, actual, err
				}
			}
			return res, actual, nil
		}
		w.publish(d, actual, res, "")
		w.drain(ctx, d, res.Actions, actual)
		if err := w.apply(ctx, d, res.Actions); err != nil {
			return res, actual, err
		}
	}
}

// How often and how long a pass looks again after a die event.
const (
	dyingPoll  = 100 * time.Millisecond
	dyingWatch = 10 * time.Second
)

// settleDying forgets the dying containers the engine's list no longer
// shows running, or that were watched long enough.
func (w *worker) settleDying(actual []engine.Container, now time.Time) {
	running := map[string]bool{}
	for _, c := range actual {
		if c.State == engine.StateRunning {
			running[c.ID] = true
		}
	}
	for id, until := range w.dying {
		if !running[id] || now.After(until) {
			delete(w.dying, id)
		}
	}
}

// markSeen remembers which container held each slot, so that a slot that
// loses its container without berth removing it is known as drift.
func (w *worker) markSeen(actual []engine.Container) {
	w.mu.Lock()
	defer w.mu.Unlock()
	live := map[string]bool{}
	for _, c := range actual {
		live[c.ID] = true
		if h := w.mem.Slots[slotKey{c.Service, c.Slot}]; h != nil && c.Hash == h.Hash {
			h.LastID = c.ID
		}
	}
	for id := range w.own {
		if !live[id] {
			delete(w.own, id)
		}
	}
	for id := range w.draining {
		if !live[id] {
			delete(w.draining, id)
		}
	}
}

// desired reads the stack's desired state from the store.
func (w *worker) desired(ctx context.Context) (Desired, error) {
	rec, err := w.r.store.Stack(w.name)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			// Not a stack of this daemon's store (another daemon's, or
			// labels set by hand): never touch what we do not own.
			return Desired{}, errUnknownStack
		}
		return Desired{}, err
	}
	if rec.Down {
		return Desired{Revision: rec.Revision}, nil
	}
	if w.stack == nil || w.rev != rec.Revision {
		rev, err := w.r.store.Revision(w.name, rec.Revision)
		if err != nil {
			return Desired{}, err
		}
		st, err := w.r.load(ctx, w.name, rev.Spec)
		if err != nil {
			return Desired{}, fmt.Errorf("loading revision %d: %w", rec.Revision, err)
		}
		w.stack, w.rev = st, rec.Revision
	}
	return Desired{Stack: w.stack, Revision: rec.Revision, Replicas: rec.Scale}, nil
}

// nextWake is when the worker must look again even without events.
func (w *worker) nextWake(d Desired, res Result) time.Duration {
	next := w.r.resync
	if d.Stack != nil && d.Stack.Berth.Resync > 0 {
		next = min(next, d.Stack.Berth.Resync.D()) // the stack's x-berth resync, capped by the daemon's
	}
	if !res.Wake.IsZero() {
		next = min(next, max(time.Until(res.Wake), time.Millisecond))
	}
	return next
}

func (w *worker) succeeded() {
	if w.lastErr != "" {
		w.log.Info("reconcile recovered")
		w.record(store.Event{Kind: "recovered", Message: "reconcile succeeded again after: " + w.lastErr})
	}
	w.lastErr, w.failures = "", 0
}

// failed records a failed pass once per distinct error and backs off.
func (w *worker) failed(d Desired, err error) time.Duration {
	msg := err.Error()
	if msg != w.lastErr {
		w.log.Error("reconcile failed", "err", err)
		w.record(store.Event{Kind: "error", Message: msg})
		w.lastErr = msg
	}
	w.failures++
	w.publish(d, nil, Result{}, msg)
	return min(time.Duration(1<<min(w.failures, 5))*250*time.Millisecond, 10*time.Second)
}

func nameOr(ev engine.Event) string {
	if ev.Name != "" {
		return ev.Name
	}
	return short(ev.ContainerID)
}

// errUnknownStack marks a stack the store does not know.
var errUnknownStack = errors.New("stack not managed by this daemon")

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
