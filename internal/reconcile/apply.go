package reconcile

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/berth-dev/berth/internal/engine"
	"github.com/berth-dev/berth/internal/spec"
	"github.com/berth-dev/berth/internal/store"
)

// apply carries out a plan: removals first, then everything else, each
// wave with the stack's bounded parallelism. It returns the first error
// after letting the other actions finish.
func (w *worker) apply(ctx context.Context, d Desired, actions []Action) error {
	if err := w.prepare(ctx, d, actions); err != nil {
		return err
	}
	var removals, rest []Action
	for _, a := range actions {
		if a.Kind == Remove {
			removals = append(removals, a)
		} else {
			rest = append(rest, a)
		}
	}
	parallel := 8
	if d.Stack != nil && d.Stack.Berth.Parallelism > 0 {
		parallel = d.Stack.Berth.Parallelism
	}
	if err := w.wave(ctx, d, removals, parallel); err != nil {
		return err
	}
	return w.wave(ctx, d, rest, parallel)
}

func (w *worker) wave(ctx context.Context, d Desired, actions []Action, parallel int) error {
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for _, a := range actions {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := w.do(ctx, d, a); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("%s %s/%d: %w", a.Kind, a.Service, a.Slot, err))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// prepare makes sure networks, volumes and images exist before containers
// are created.
func (w *worker) prepare(ctx context.Context, d Desired, actions []Action) error {
	if d.Stack == nil {
		return nil
	}
	needs := map[string]bool{}
	for _, a := range actions {
		if a.Kind != Remove {
			needs[a.Service] = a.Kind == Create || a.Kind == Replace
		}
	}
	if len(needs) == 0 {
		return nil
	}
	if err := w.r.eng.EnsureNetworks(ctx, d.Stack); err != nil {
		return err
	}
	if err := w.r.eng.EnsureVolumes(ctx, d.Stack); err != nil {
		return err
	}
	for i := range d.Stack.Services {
		svc := &d.Stack.Services[i]
		key := svc.Image + "@" + svc.Hash
		if !needs[svc.Name] || w.images[key] { // only new containers need the image
			continue
		}
		if err := w.ensureImage(ctx, d.Stack, svc); err != nil {
			return err
		}
		w.images[key] = true
	}
	return nil
}

func (w *worker) ensureImage(ctx context.Context, st *spec.Stack, svc *spec.Service) error {
	start := time.Now()
	var lines int
	err := w.r.eng.EnsureImage(ctx, st, svc, func(line string) {
		if lines == 0 {
			// The first line means work (a build or a pull) has begun:
			// show it while it runs, not only when it is done.
			verb := "pulling"
			if svc.Config.Build != nil {
				verb = "building"
			}
			w.record(store.Event{Service: svc.Name, Kind: "image", Message: fmt.Sprintf("%s image %s", verb, svc.Image)})
		}
		lines++
		w.log.Debug("image", "service", svc.Name, "line", line)
	})
	if err != nil {
		return fmt.Errorf("preparing image %s for service %s: %w", svc.Image, svc.Name, err)
	}
	if lines > 0 {
		w.record(store.Event{Service: svc.Name, Kind: "image", Message: fmt.Sprintf("image %s ready in %s", svc.Image, time.Since(start).Round(time.Millisecond))})
	}
	return nil
}

// do applies one action.
func (w *worker) do(ctx context.Context, d Desired, a Action) error {
	svc := (*spec.Service)(nil)
	if d.Stack != nil {
		svc = findService(d.Stack, a.Service)
	}
	var err error
	switch a.Kind {
	case Remove:
		err = w.stopAndRemove(ctx, svc, a.Container)
		if err == nil && (svc == nil || a.Slot > d.replicas(svc)) {
			w.forget(a.Service, a.Slot)
		}
	case Create:
		err = w.createAndStart(ctx, d, svc, a.Slot)
	case Start, Restart:
		err = w.r.eng.Start(ctx, a.Container.ID)
		if errors.Is(err, engine.ErrUnstartable) {
			// Something the container refers to (its network, say, after
			// the engine lost its network store) is gone for good, or the
			// engine kept a stale task for it: replace the container
			// instead of failing forever.
			w.record(store.Event{Service: a.Service, Container: a.Container.Name, Kind: "replace", Message: "cannot start: " + err.Error()})
			return w.stopAndRemove(ctx, svc, a.Container)
		}
		if err == nil && a.Kind == Restart {
			w.noteRestart(svc, a.Slot)
		}
	case Replace:
		err = w.stopAndRemove(ctx, svc, a.Container)
		if err == nil {
			err = w.createAndStart(ctx, d, svc, a.Slot)
		}
		if err == nil && a.Event == "unhealthy" {
			w.noteRestart(svc, a.Slot)
		}
	}
	if err != nil {
		return err
	}
	w.record(store.Event{Service: a.Service, Container: containerName(w.name, a), Kind: a.Event, Message: a.Reason})
	return nil
}

func containerName(stack string, a Action) string {
	if a.Container.Name != "" {
		return a.Container.Name
	}
	return fmt.Sprintf("%s-%s-%d", stack, a.Service, a.Slot)
}

func (w *worker) noteRestart(svc *spec.Service, slot int) {
	w.mu.Lock()
	loop := w.mem.Record(svc, slot, time.Now())
	w.mu.Unlock()
	if loop {
		w.record(store.Event{Service: svc.Name, Container: fmt.Sprintf("%s-%s-%d", w.name, svc.Name, slot), Kind: "crashloop",
			Message: fmt.Sprintf("restarted %d times within %s; backing off up to %s", svc.Berth.CrashLoop.Restarts, svc.Berth.CrashLoop.Window.D(), svc.Berth.Backoff.Max.D())})
	}
}

func (w *worker) forget(service string, slot int) {
	w.mu.Lock()
	w.mem.Forget(service, slot)
	w.mu.Unlock()
}

// createAndStart creates a slot's container and starts it.
func (w *worker) createAndStart(ctx context.Context, d Desired, svc *spec.Service, slot int) error {
	id, err := w.r.eng.Create(ctx, d.Stack, svc, slot, d.Revision)
	if err != nil {
		return err
	}
	return w.r.eng.Start(ctx, id)
}

// stopAndRemove stops gracefully (the service's stop signal and grace
// period) and removes the container.
func (w *worker) stopAndRemove(ctx context.Context, svc *spec.Service, c engine.Container) error {
	w.mu.Lock()
	w.own[c.ID] = true
	if h := w.mem.Slots[slotKey{c.Service, c.Slot}]; h != nil && h.LastID == c.ID {
		h.LastID = ""
	}
	w.mu.Unlock()
	if c.Running() {
		// Without the spec (a stack taken down, a service dropped from the
		// file) the container's own stop signal and timeout apply.
		signal, grace := "", time.Duration(-1)
		if svc != nil {
			grace = 10 * time.Second
			signal = svc.Config.StopSignal
			if svc.Config.StopGracePeriod != nil {
				grace = time.Duration(*svc.Config.StopGracePeriod)
			}
		}
		if err := w.r.eng.Stop(ctx, c.ID, signal, grace); err != nil {
			return err
		}
	}
	return w.r.eng.Remove(ctx, c.ID)
}

// restart restarts the running containers of the named services (all when
// none) one at a time, so a service with replicas keeps serving.
func (w *worker) restart(ctx context.Context, services []string) (int, error) {
	actual, err := w.r.eng.List(ctx, w.name)
	if err != nil {
		return 0, err
	}
	want := map[string]bool{}
	for _, s := range services {
		want[s] = true
	}
	n := 0
	for _, c := range actual {
		if len(want) > 0 && !want[c.Service] {
			continue
		}
		w.mu.Lock()
		w.own[c.ID] = true
		w.mu.Unlock()
		if c.Running() {
			if err := w.r.eng.Stop(ctx, c.ID, "", -1); err != nil { // its own stop settings
				return n, err
			}
		}
		if err := w.r.eng.Start(ctx, c.ID); err != nil {
			return n, err
		}
		n++
		w.record(store.Event{Service: c.Service, Container: c.Name, Kind: "restart", Message: "restarted on request"})
	}
	w.wake()
	return n, nil
}
