package reconcile

import (
	"time"

	"github.com/berth-dev/berth/internal/engine"
	"github.com/berth-dev/berth/internal/spec"
)

// slotKey names a slot across container replacements.
type slotKey struct {
	Service string
	Slot    int
}

// slotHistory is what the loop remembers about one slot between passes:
// the engine cannot tell it (berth restarts containers itself).
type slotHistory struct {
	Hash string
	// Restarts are the times of recent restarts and unhealthy
	// replacements, pruned to the crash-loop window.
	Restarts []time.Time
	// CrashLoop is set once the slot restarted too often in the window.
	CrashLoop bool
	// UnhealthySince is when the current container was first seen
	// unhealthy (zero when it is not).
	UnhealthySince time.Time
	UnhealthyID    string
	// HandStopped marks a container stopped from outside berth.
	HandStopped string
	// LastID is the container last seen in the slot.
	LastID string
	// RunningID has been seen running continuously since RunningSince.
	RunningID    string
	RunningSince time.Time
}

// readyAt is when the slot's running container counts as ready under the
// service's min_ready (zero when it is not running).
func (h slotHistory) readyAt(svc *spec.Service, id string) time.Time {
	if h.RunningID != id {
		return time.Time{}
	}
	return h.RunningSince.Add(svc.Berth.MinReady.D())
}

// Memory is the loop's per-stack memory. Plan reads it; the loop updates it
// (Observe before planning, Record after applying).
type Memory struct {
	Slots map[slotKey]*slotHistory
	// Rollouts are the services moving to a new version, by name.
	Rollouts map[string]*rollout
	// Serving holds the containers the load balancer's health check passes.
	Serving map[string]bool
	// Discard holds spec hashes of rolled-back versions: their replicas go
	// at once instead of being kept for an undo.
	Discard map[string]bool
}

// NewMemory returns an empty memory.
func NewMemory() *Memory {
	return &Memory{Slots: map[slotKey]*slotHistory{}, Rollouts: map[string]*rollout{}, Serving: map[string]bool{}, Discard: map[string]bool{}}
}

func (m *Memory) slot(svc *spec.Service, slot int) *slotHistory {
	k := slotKey{svc.Name, slot}
	h := m.Slots[k]
	if h == nil || h.Hash != svc.Hash {
		h = &slotHistory{Hash: svc.Hash}
		m.Slots[k] = h
	}
	return h
}

// peek returns the slot's history without creating one.
func (m *Memory) peek(svc *spec.Service, slot int) slotHistory {
	if h := m.Slots[slotKey{svc.Name, slot}]; h != nil && h.Hash == svc.Hash {
		return *h
	}
	return slotHistory{Hash: svc.Hash}
}

// Observe updates the memory from the engine's current view: when each
// container was first seen unhealthy, and the pruning of old restarts.
func (m *Memory) Observe(st *spec.Stack, actual []engine.Container, now time.Time) {
	if st == nil {
		return
	}
	for i := range st.Services {
		svc := &st.Services[i]
		window := svc.Berth.CrashLoop.Window.D()
		for _, c := range actual {
			if c.Service != svc.Name || c.Hash != svc.Hash {
				continue
			}
			h := m.slot(svc, c.Slot)
			switch {
			case c.State != engine.StateRunning:
				if h.RunningID == c.ID {
					h.RunningID = ""
				}
			case h.RunningID != c.ID:
				h.RunningID, h.RunningSince = c.ID, now
			}
			if c.Health == engine.HealthUnhealthy && c.State == engine.StateRunning {
				if h.UnhealthyID != c.ID {
					h.UnhealthyID, h.UnhealthySince = c.ID, now
				}
			} else if h.UnhealthyID == c.ID {
				h.UnhealthyID, h.UnhealthySince = "", time.Time{}
			}
			h.Restarts = prune(h.Restarts, now.Add(-window))
			if len(h.Restarts) == 0 {
				h.CrashLoop = false
			}
		}
	}
}

// MarkHandStopped records that a container was stopped or killed from
// outside berth, so that starting it again is drift correction, not a
// crash restart.
func (m *Memory) MarkHandStopped(id string) {
	for _, h := range m.Slots {
		if h.LastID == id {
			h.HandStopped = id
		}
	}
}

// Record notes an applied restart or replacement, reporting whether it
// tipped the slot into a crash loop.
func (m *Memory) Record(svc *spec.Service, slot int, now time.Time) (crashLoop bool) {
	h := m.slot(svc, slot)
	h.HandStopped, h.RunningID = "", ""
	h.Restarts = append(prune(h.Restarts, now.Add(-svc.Berth.CrashLoop.Window.D())), now)
	if !h.CrashLoop && len(h.Restarts) >= svc.Berth.CrashLoop.Restarts {
		h.CrashLoop = true
		return true
	}
	return false
}

// Forget drops the memory of slots the stack no longer has.
func (m *Memory) Forget(service string, slot int) { delete(m.Slots, slotKey{service, slot}) }

func prune(ts []time.Time, before time.Time) []time.Time {
	out := ts[:0]
	for _, t := range ts {
		if t.After(before) {
			out = append(out, t)
		}
	}
	return out
}

// backoff is the delay before the next restart of a slot that restarted
// n times within the crash-loop window: none for the first, then initial
// doubling up to max.
func backoff(b spec.Backoff, n int) time.Duration {
	if n == 0 {
		return 0
	}
	d := b.Initial.D()
	for i := 1; i < n && d < b.Max.D(); i++ {
		d *= 2
	}
	return min(d, b.Max.D())
}
