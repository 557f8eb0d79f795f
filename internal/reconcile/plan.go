package reconcile

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/berth-dev/berth/internal/engine"
	"github.com/berth-dev/berth/internal/spec"
)

// Desired is what should run for one stack.
type Desired struct {
	// Stack is the stack to run; nil means the stack is down and every
	// container of it goes.
	Stack    *spec.Stack
	Revision int64
	// Replicas overrides a service's replica count (berth scale).
	Replicas map[string]int
}

// replicas is the effective replica count of a service.
func (d Desired) replicas(svc *spec.Service) int {
	if n, ok := d.Replicas[svc.Name]; ok {
		return n
	}
	return svc.Replicas
}

// Result is the output of Plan.
type Result struct {
	Actions []Action
	// Wake is the earliest time a deferred restart becomes due (zero when
	// nothing is deferred).
	Wake time.Time
	// Waiting says, per service, why its containers are held back.
	Waiting map[string]string
	// CrashLoop lists services with a slot in a crash loop.
	CrashLoop []string
	// Rollback is set when a rollout failed and must be rolled back.
	Rollback *Rollback
}

// Plan compares desired and actual state and returns the actions that
// converge them. It is a pure function of its inputs.
func Plan(d Desired, actual []engine.Container, mem *Memory, now time.Time) Result {
	r := Result{Waiting: map[string]string{}}
	byService := map[string][]engine.Container{}
	for _, c := range actual {
		byService[c.Service] = append(byService[c.Service], c)
	}
	known := map[string]bool{}
	if d.Stack != nil {
		for i := range d.Stack.Services {
			svc := &d.Stack.Services[i]
			known[svc.Name] = true
			planService(&r, d, svc, byService, mem, now)
		}
	}
	for name, cs := range byService {
		if known[name] {
			continue
		}
		for _, c := range cs {
			reason := "service no longer in the stack"
			if d.Stack == nil {
				reason = "stack is down"
			}
			r.Actions = append(r.Actions, Action{Kind: Remove, Service: name, Slot: c.Slot, Container: c, Event: "remove", Reason: reason})
		}
	}
	slices.SortStableFunc(r.Actions, func(a, b Action) int {
		// Removals first, highest slots first (a scale-down removes the
		// highest slots); the rest keep dependency order.
		if (a.Kind == Remove) != (b.Kind == Remove) {
			if a.Kind == Remove {
				return -1
			}
			return 1
		}
		if a.Kind == Remove {
			return cmp.Compare(b.Slot, a.Slot)
		}
		return 0
	})
	return r
}

// planService plans one service's slots.
func planService(r *Result, d Desired, svc *spec.Service, byService map[string][]engine.Container, mem *Memory, now time.Time) {
	if managed(svc) && rollingOut(svc, byService[svc.Name], mem) {
		blocked := dependencyBlock(d, svc, byService)
		if blocked != "" {
			r.Waiting[svc.Name] = blocked
		}
		planManaged(r, d, svc, byService[svc.Name], mem, now, blocked != "")
		return
	}
	want := d.replicas(svc)
	slots := map[int]engine.Container{}
	for _, c := range byService[svc.Name] {
		if c.Slot < 1 || c.Slot > want {
			r.Actions = append(r.Actions, Action{Kind: Remove, Service: svc.Name, Slot: c.Slot, Container: c, Event: "scale", Reason: fmt.Sprintf("scale down to %d", want)})
			continue
		}
		if prev, dup := slots[c.Slot]; dup {
			// Two containers claim one slot (made outside berth): keep one.
			r.Actions = append(r.Actions, Action{Kind: Remove, Service: svc.Name, Slot: c.Slot, Container: older(prev, c), Event: "drift", Reason: "duplicate container for the slot"})
			c = newer(prev, c)
		}
		slots[c.Slot] = c
	}
	blocked := dependencyBlock(d, svc, byService)
	if blocked != "" {
		r.Waiting[svc.Name] = blocked
	}
	for slot := 1; slot <= want; slot++ {
		c, ok := slots[slot]
		if !ok {
			if blocked == "" {
				r.Actions = append(r.Actions, createAction(svc, slot, mem.peek(svc, slot)))
			}
			continue
		}
		planSlot(r, svc, slot, c, blocked != "", mem.peek(svc, slot), now)
	}
}

// rollingOut reports whether a managed service is moving between versions:
// it has containers of another version, or a rollout that has not finished.
func rollingOut(svc *spec.Service, cs []engine.Container, mem *Memory) bool {
	if ro := mem.Rollouts[svc.Name]; ro != nil && ro.Hash == svc.Hash && (!ro.Done || ro.Failed != "") {
		return true
	}
	return slices.ContainsFunc(cs, func(c engine.Container) bool { return c.Hash != svc.Hash })
}

// createAction creates a missing slot; when the slot had a container that
// berth did not remove, that is drift and is recorded as such.
func createAction(svc *spec.Service, slot int, h slotHistory) Action {
	a := Action{Kind: Create, Service: svc.Name, Slot: slot, Event: "create", Reason: "missing"}
	if h.LastID != "" {
		a.Event, a.Reason = "drift", "container "+short(h.LastID)+" was removed outside berth"
	}
	return a
}

// planSlot plans one existing container of a wanted slot.
func planSlot(r *Result, svc *spec.Service, slot int, c engine.Container, blocked bool, h slotHistory, now time.Time) {
	act := func(k Kind, event, reason string) {
		r.Actions = append(r.Actions, Action{Kind: k, Service: svc.Name, Slot: slot, Container: c, Event: event, Reason: reason})
	}
	if h.CrashLoop && !slices.Contains(r.CrashLoop, svc.Name) {
		r.CrashLoop = append(r.CrashLoop, svc.Name)
	}
	switch {
	case c.Hash != svc.Hash:
		if !blocked {
			act(Replace, "replace", "spec changed")
		}
	case c.State == engine.StateCreated:
		if !blocked {
			act(Start, "start", "created but not started")
		}
	case c.State == engine.StateExited || c.State == engine.StateDead:
		planExited(r, svc, c, h, now, act)
	case c.State == engine.StateRunning && h.UnhealthyID != c.ID:
		// Look again when the replica has run for min_ready.
		if at := h.readyAt(svc, c.ID); at.After(now) && (r.Wake.IsZero() || at.Before(r.Wake)) {
			r.Wake = at
		}
	case c.State == engine.StateRunning && h.UnhealthyID == c.ID:
		grace := svc.Berth.UnhealthyGrace.D()
		if due := deferUntil(r, h.UnhealthySince.Add(grace), svc, h, now); due {
			act(Replace, "unhealthy", fmt.Sprintf("unhealthy since %s", h.UnhealthySince.Format(time.TimeOnly)))
		}
	}
}

// planExited decides whether an exited container starts again.
func planExited(r *Result, svc *spec.Service, c engine.Container, h slotHistory, now time.Time, act func(Kind, string, string)) {
	if h.HandStopped == c.ID && svc.Restart != "no" {
		act(Restart, "drift", "stopped outside berth")
		return
	}
	switch svc.Restart {
	case "no":
		return
	case "on-failure":
		if c.ExitCode == 0 {
			return
		}
		if svc.MaxRetries > 0 && len(h.Restarts) >= svc.MaxRetries {
			return
		}
	}
	if deferUntil(r, now, svc, h, now) {
		act(Restart, "restart", fmt.Sprintf("exited with code %d", c.ExitCode))
	}
}

// deferUntil reports whether an action due at t (plus the slot's restart
// backoff) may run now; if not, it moves the plan's wake time.
func deferUntil(r *Result, t time.Time, svc *spec.Service, h slotHistory, now time.Time) bool {
	if n := len(h.Restarts); n > 0 {
		t = later(t, h.Restarts[n-1].Add(backoff(svc.Berth.Backoff, n)))
	}
	if !t.After(now) {
		return true
	}
	if r.Wake.IsZero() || t.Before(r.Wake) {
		r.Wake = t
	}
	return false
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func older(a, b engine.Container) engine.Container {
	if a.ID < b.ID {
		return a
	}
	return b
}

func newer(a, b engine.Container) engine.Container {
	if a.ID < b.ID {
		return b
	}
	return a
}
