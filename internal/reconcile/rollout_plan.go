package reconcile

import (
	"fmt"
	"slices"
	"time"

	"github.com/berth-dev/berth/internal/engine"
	"github.com/berth-dev/berth/internal/spec"
)

// rolloutPoll is how often a pass runs while a rollout waits on the load
// balancer's health checks, which raise no engine event.
const rolloutPoll = 250 * time.Millisecond

// slotPair is a slot's new container (zero when none) and its containers
// of other versions.
type slotPair struct {
	cur engine.Container
	old []engine.Container
}

// planManaged plans a service that is moving to a new version under the
// rolling, blue-green or canary strategy. Old replicas leave only once new
// ones serve; removals of replicas behind the load balancer drain first.
func planManaged(r *Result, d Desired, svc *spec.Service, cs []engine.Container, mem *Memory, now time.Time, blocked bool) {
	want := d.replicas(svc)
	ro := mem.Rollouts[svc.Name]
	if ro != nil && ro.Failed != "" {
		if r.Rollback == nil {
			r.Rollback = &Rollback{Service: svc.Name, Reason: ro.Failed}
		}
		return
	}
	slots := map[int]*slotPair{}
	for _, c := range cs {
		if c.Slot < 1 || c.Slot > want {
			r.Actions = append(r.Actions, retire(svc, c, "scale", fmt.Sprintf("scale down to %d", want)))
			continue
		}
		p := slots[c.Slot]
		if p == nil {
			p = &slotPair{}
			slots[c.Slot] = p
		}
		switch {
		case c.Hash != svc.Hash:
			p.old = append(p.old, c)
		case p.cur.ID != "":
			r.Actions = append(r.Actions, Action{Kind: Remove, Service: svc.Name, Slot: c.Slot, Container: older(p.cur, c), Event: "drift", Reason: "duplicate container for the slot"})
			p.cur = newer(p.cur, c)
		default:
			p.cur = c
		}
	}
	r.Wake = earliest(r.Wake, now.Add(rolloutPoll))
	switch svc.Berth.Strategy() {
	case spec.StrategyBlueGreen, spec.StrategyCanary:
		planSideBySide(r, svc, want, slots, ro, mem, now, blocked)
	default:
		planRolling(r, svc, want, slots, mem, now, blocked)
	}
}

// planRolling replaces old replicas a few at a time: at most max_surge
// above the wanted count, at most max_unavailable below it ready.
func planRolling(r *Result, svc *spec.Service, want int, slots map[int]*slotPair, mem *Memory, now time.Time, blocked bool) {
	total, available := 0, 0
	var candidates []int
	for slot := 1; slot <= want; slot++ {
		p := slots[slot]
		if p == nil {
			if !blocked {
				r.Actions = append(r.Actions, Action{Kind: Create, Service: svc.Name, Slot: slot, Event: "create", Reason: "missing"})
			}
			continue
		}
		curReady := p.cur.ID != "" && mem.ready(svc, p.cur, now)
		if p.cur.ID != "" {
			total++
		}
		if !curReady {
			total += len(p.old) // a ready slot's old replicas go in this pass
		}
		if curReady || anyReady(mem, svc, p.old, now) {
			available++
		}
		switch {
		case p.cur.ID != "" && p.cur.State == engine.StateCreated:
			r.Actions = append(r.Actions, Action{Kind: Start, Service: svc.Name, Slot: slot, Container: p.cur, Event: "start", Reason: "created but not started"})
		case curReady:
			for _, o := range p.old {
				r.Actions = append(r.Actions, retire(svc, o, "rollout", "replaced by "+p.cur.Name))
			}
		case p.cur.ID == "" && !anyRunning(p.old):
			// Nothing serves in this slot: replacing costs no capacity.
			for _, o := range p.old {
				r.Actions = append(r.Actions, retire(svc, o, "rollout", "old version not running"))
			}
			if !blocked {
				r.Actions = append(r.Actions, Action{Kind: Create, Service: svc.Name, Slot: slot, Event: "rollout", Reason: "new version"})
			}
		case p.cur.ID == "":
			candidates = append(candidates, slot)
		}
	}
	if blocked {
		return
	}
	room := want + svc.Berth.Deploy.Surge() - total
	spare := available - (want - svc.Berth.Deploy.Unavailable())
	for _, slot := range candidates {
		p := slots[slot]
		switch {
		case room > 0:
			room--
			r.Actions = append(r.Actions, Action{Kind: Create, Service: svc.Name, Slot: slot, Event: "rollout", Reason: "new version beside " + p.old[0].Name})
		case spare > 0:
			spare--
			for _, o := range p.old {
				r.Actions = append(r.Actions, retire(svc, o, "rollout", "making room for the new version"))
			}
			r.Actions = append(r.Actions, Action{Kind: Create, Service: svc.Name, Slot: slot, Event: "rollout", Reason: "new version"})
		}
	}
}

// planSideBySide starts the whole new set beside the old one (blue-green
// and canary); the load balancer's weights move the traffic, and the old
// set goes once the new one serves everything (after keep, for
// blue-green).
func planSideBySide(r *Result, svc *spec.Service, want int, slots map[int]*slotPair, ro *rollout, mem *Memory, now time.Time, blocked bool) {
	for slot := 1; slot <= want; slot++ {
		p := slots[slot]
		switch {
		case p == nil || p.cur.ID == "":
			if !blocked {
				r.Actions = append(r.Actions, Action{Kind: Create, Service: svc.Name, Slot: slot, Event: "rollout", Reason: "new set"})
			}
		case p.cur.State == engine.StateCreated:
			r.Actions = append(r.Actions, Action{Kind: Start, Service: svc.Name, Slot: slot, Container: p.cur, Event: "start", Reason: "created but not started"})
		}
		if p == nil {
			continue
		}
		for _, o := range p.old {
			switch {
			case !o.Running() || mem.Discard[o.Hash]:
				r.Actions = append(r.Actions, retire(svc, o, "rollout", "old version not serving"))
			case ro != nil && ro.Done && svc.Berth.Strategy() == spec.StrategyCanary:
				r.Actions = append(r.Actions, retire(svc, o, "rollout", "canary promoted"))
			case ro != nil && ro.Done:
				keepUntil := ro.Switched.Add(svc.Berth.Deploy.KeepFor())
				if !keepUntil.After(now) {
					r.Actions = append(r.Actions, retire(svc, o, "rollout", fmt.Sprintf("kept %s after the switch", svc.Berth.Deploy.KeepFor())))
				} else {
					r.Wake = earliest(r.Wake, keepUntil)
				}
			}
		}
	}
}

// retire removes a container; behind the load balancer it drains first.
func retire(svc *spec.Service, c engine.Container, event, reason string) Action {
	return Action{Kind: Remove, Service: svc.Name, Slot: c.Slot, Container: c, Event: event, Reason: reason, Drain: traffic(svc)}
}

func anyReady(mem *Memory, svc *spec.Service, cs []engine.Container, now time.Time) bool {
	return slices.ContainsFunc(cs, func(c engine.Container) bool { return mem.ready(svc, c, now) })
}

func anyRunning(cs []engine.Container) bool {
	return slices.ContainsFunc(cs, engine.Container.Running)
}

// earliest is the earlier of two wake times, zero meaning none.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}

// Rollback asks the worker to roll a failed rollout back.
type Rollback struct {
	Service string
	Reason  string
}
