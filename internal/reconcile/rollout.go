package reconcile

import (
	"fmt"
	"time"

	"github.com/berth-dev/berth/internal/engine"
	"github.com/berth-dev/berth/internal/spec"
)

// rollout is what the loop remembers about one service moving to a new
// spec hash under a strategy other than recreate. It lives in Memory: a
// daemon restart forgets it and the next pass starts the rollout again
// from what the engine shows, which is safe because every step is decided
// from the containers' labels and the load balancer's view.
type rollout struct {
	Hash    string
	Started time.Time
	// Seen is when each new container was first seen: the health gate's
	// deadline runs from there.
	Seen map[string]time.Time
	// Switched is when blue-green moved traffic to the new set, or when a
	// canary was promoted to 100%.
	Switched time.Time
	// Step is the canary step being held (-1 before the new set is ready,
	// len(steps) once promoted); StepStarted when it began.
	Step        int
	StepStarted time.Time
	// Base holds the load balancer's counters by version group when the
	// canary step's weights took effect.
	Base map[string]groupTotals
	// Done is set once the new version serves all traffic.
	Done bool
	// Failed says why the rollout must be rolled back.
	Failed string
}

// phase describes the rollout for `berth rollout status`.
func (ro *rollout) phase(svc *spec.Service) string {
	switch {
	case ro.Failed != "":
		return "failed: " + ro.Failed
	case ro.Done:
		return "complete"
	}
	switch svc.Berth.Strategy() {
	case spec.StrategyCanary:
		steps := svc.Berth.Deploy.CanarySteps()
		if ro.Step >= 0 && ro.Step < len(steps) {
			return fmt.Sprintf("canary step %d/%d at %d%%", ro.Step+1, len(steps), steps[ro.Step].Weight)
		}
		return "starting the canary set"
	case spec.StrategyBlueGreen:
		return "starting the green set"
	}
	return "rolling"
}

// traffic reports whether a service's replicas are behind the load
// balancer.
func traffic(svc *spec.Service) bool { return len(svc.Berth.Routes) > 0 }

// managed reports whether a service's new versions roll out under a
// strategy (rather than being recreated slot by slot).
func managed(svc *spec.Service) bool { return svc.Berth.Strategy() != spec.StrategyRecreate }

// ready reports whether a container serves: running, healthy where it has
// a health check, up for min_ready, and, behind the load balancer, passing
// the load balancer's own health check.
func (m *Memory) ready(svc *spec.Service, c engine.Container, now time.Time) bool {
	if c.State != engine.StateRunning || (c.Health != engine.HealthNone && c.Health != engine.HealthHealthy) {
		return false
	}
	if c.Hash == svc.Hash && m.peek(svc, c.Slot).readyAt(svc, c.ID).After(now) {
		return false
	}
	return !traffic(svc) || m.Serving[c.ID]
}

// observeRollouts starts, advances and finishes the rollouts of managed
// services from what the engine shows.
func (m *Memory) observeRollouts(st *spec.Stack, want func(*spec.Service) int, actual []engine.Container, now time.Time) {
	if st == nil {
		return
	}
	for i := range st.Services {
		svc := &st.Services[i]
		if !managed(svc) {
			delete(m.Rollouts, svc.Name)
			continue
		}
		m.observeRollout(svc, want(svc), actual, now)
	}
}

func (m *Memory) observeRollout(svc *spec.Service, want int, actual []engine.Container, now time.Time) {
	var cur, old []engine.Container
	for _, c := range actual {
		if c.Service != svc.Name {
			continue
		}
		if c.Hash == svc.Hash {
			cur = append(cur, c)
		} else {
			old = append(old, c)
		}
	}
	ro := m.Rollouts[svc.Name]
	if ro != nil && ro.Hash != svc.Hash {
		ro = nil // the target moved (a new up, a rollback): start over
	}
	if ro == nil {
		if len(old) == 0 {
			delete(m.Rollouts, svc.Name)
			return
		}
		ro = &rollout{Hash: svc.Hash, Started: now, Seen: map[string]time.Time{}, Step: -1}
		m.Rollouts[svc.Name] = ro
	}
	if ro.Done && len(old) == 0 {
		delete(m.Rollouts, svc.Name) // finished, and nothing of the old version is left
		return
	}
	if ro.Done || ro.Failed != "" {
		return
	}
	readyCur := 0
	for _, c := range cur {
		if _, ok := ro.Seen[c.ID]; !ok {
			ro.Seen[c.ID] = now
		}
		if why := failedReplica(svc, c, ro, now, m); why != "" {
			ro.Failed = why
			return
		}
		if c.Slot >= 1 && c.Slot <= want && m.ready(svc, c, now) {
			readyCur++
		}
	}
	allReady := readyCur >= want
	switch svc.Berth.Strategy() {
	case spec.StrategyBlueGreen:
		if allReady && ro.Switched.IsZero() {
			ro.Switched, ro.Done = now, true
		}
	case spec.StrategyCanary:
		if allReady && ro.Step < 0 {
			ro.Step, ro.StepStarted = 0, now
		}
		if ro.Step >= len(svc.Berth.Deploy.CanarySteps()) && ro.Switched.IsZero() {
			ro.Switched, ro.Done = now, true
		}
	default:
		if allReady && !hasOld(old, want) {
			ro.Done = true
		}
	}
}

// hasOld reports whether old replicas still hold wanted slots.
func hasOld(old []engine.Container, want int) bool {
	for _, c := range old {
		if c.Slot >= 1 && c.Slot <= want {
			return true
		}
	}
	return false
}

// failedReplica says why a new replica fails the rollout's health gate, or
// "" when it does not (yet).
func failedReplica(svc *spec.Service, c engine.Container, ro *rollout, now time.Time, m *Memory) string {
	switch {
	case c.State == engine.StateExited || c.State == engine.StateDead:
		return fmt.Sprintf("new replica %s exited with code %d", c.Name, c.ExitCode)
	case c.Health == engine.HealthUnhealthy:
		return fmt.Sprintf("new replica %s is unhealthy", c.Name)
	case !m.ready(svc, c, now) && now.Sub(ro.Seen[c.ID]) > svc.Berth.Deploy.GateTimeout():
		why := "its health check"
		if traffic(svc) && c.State == engine.StateRunning {
			why = "the load balancer's health check"
		}
		return fmt.Sprintf("new replica %s did not pass %s within %s", c.Name, why, svc.Berth.Deploy.GateTimeout())
	}
	return ""
}
