package reconcile

import (
	"fmt"

	"github.com/berth-dev/berth/internal/spec"
	"github.com/berth-dev/berth/internal/store"
)

// RollbackInfo tells what the stack's latest automatic rollback did.
type RollbackInfo struct {
	From    int64  `json:"from"`
	To      int64  `json:"to"`
	Service string `json:"service"`
	Reason  string `json:"reason"`
}

// rollBack points the stack back at its previous good revision after a
// failed rollout; the next pass converges on it.
func (w *worker) rollBack(d Desired, rb *Rollback) {
	reason := fmt.Sprintf("service %s: %s", rb.Service, rb.Reason)
	to, err := w.r.store.Rollback(w.name, d.Revision, reason)
	if err != nil {
		w.log.Error("rolling back", "err", err)
		w.record(store.Event{Service: rb.Service, Kind: "error", Message: fmt.Sprintf("rollout of revision %d failed (%s) and rolling back failed: %v", d.Revision, rb.Reason, err)})
		return
	}
	if svc := findService(d.Stack, rb.Service); svc != nil {
		w.mem.Discard[svc.Hash] = true
	}
	delete(w.mem.Rollouts, rb.Service)
	w.again = true
	if to == 0 {
		return // the stack moved on meanwhile
	}
	w.mu.Lock()
	w.rollback = &RollbackInfo{From: d.Revision, To: to, Service: rb.Service, Reason: rb.Reason}
	w.mu.Unlock()
	w.record(store.Event{Service: rb.Service, Kind: "rollback", Message: fmt.Sprintf("revision %d rolled back to %d: %s", d.Revision, to, rb.Reason)})
}

// rolloutPhases snapshots the phase of every managed service's rollout.
func (w *worker) rolloutPhases(d Desired) map[string]string {
	out := map[string]string{}
	if d.Stack == nil {
		return out
	}
	for i := range d.Stack.Services {
		svc := &d.Stack.Services[i]
		if ro := w.mem.Rollouts[svc.Name]; ro != nil && ro.Hash == svc.Hash {
			out[svc.Name] = ro.phase(svc)
		}
	}
	return out
}

// recordRollouts journals rollouts that started or changed phase.
func (w *worker) recordRollouts(d Desired, before map[string]string) {
	for name, phase := range w.rolloutPhases(d) {
		if before[name] == phase {
			continue
		}
		svc := findService(d.Stack, name)
		msg := phase
		if _, ok := before[name]; !ok {
			msg = fmt.Sprintf("%s rollout to revision %d started", svc.Berth.Strategy(), d.Revision)
			delete(w.mem.Discard, svc.Hash)
		} else if svc.Berth.Strategy() == spec.StrategyBlueGreen && phase == "complete" {
			msg = fmt.Sprintf("traffic switched to the new set; the old set stays %s for an undo", svc.Berth.Deploy.KeepFor())
		}
		w.record(storeEvent(name, "rollout", msg))
	}
}

func storeEvent(service, kind, msg string) store.Event {
	return store.Event{Service: service, Kind: kind, Message: msg}
}
