package reconcile

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/berth-dev/berth/internal/engine"
	"github.com/berth-dev/berth/internal/spec"
)

// Service states reported in Status.
const (
	StateReady     = "ready"     // every replica runs the current spec (healthy where checked)
	StateStarting  = "starting"  // converging
	StateWaiting   = "waiting"   // held back by depends_on
	StateCompleted = "completed" // a one-shot service that exited 0
	StateCrashLoop = "crashloop" // restarting too often
	StateFailed    = "failed"    // exited non-zero and will not restart
)

// ServiceStatus is one service's convergence.
type ServiceStatus struct {
	Name    string `json:"name"`
	Desired int    `json:"desired"`
	Running int    `json:"running"`
	Ready   int    `json:"ready"`
	State   string `json:"state"`
	Reason  string `json:"reason,omitempty"`
}

// Status is a stack's reconcile status after the latest pass.
type Status struct {
	Stack     string          `json:"stack"`
	Revision  int64           `json:"revision"`
	Down      bool            `json:"down,omitempty"`
	Converged bool            `json:"converged"`
	Failed    string          `json:"failed,omitempty"`
	Error     string          `json:"error,omitempty"`
	Services  []ServiceStatus `json:"services"`
	// Rollouts lists the services moving to a new version.
	Rollouts []RolloutStatus `json:"rollouts,omitempty"`
	// Rollback is the stack's latest automatic rollback, if any.
	Rollback *RollbackInfo `json:"rollback,omitempty"`
	Updated  time.Time     `json:"updated"`
}

// RolloutStatus is one service's rollout in progress.
type RolloutStatus struct {
	Service  string    `json:"service"`
	Strategy string    `json:"strategy"`
	Phase    string    `json:"phase"`
	New      int       `json:"new"`
	Old      int       `json:"old"`
	Started  time.Time `json:"started"`
}

// publish computes and stores the status, waking API watchers.
func (w *worker) publish(d Desired, actual []engine.Container, res Result, errMsg string) {
	s := computeStatus(w.name, d, actual, res, errMsg, w.mem, time.Now())
	w.mu.Lock()
	s.Rollback = w.rollback
	w.status = s
	close(w.changed)
	w.changed = make(chan struct{})
	w.mu.Unlock()
}

func (w *worker) snapshot() (Status, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.status, !w.status.Updated.IsZero()
}

func (w *worker) changedCh() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.changed
}

// computeStatus summarises a pass for people and for `up --wait`.
func computeStatus(name string, d Desired, actual []engine.Container, res Result, errMsg string, mem *Memory, now time.Time) Status {
	s := Status{Stack: name, Revision: d.Revision, Down: d.Stack == nil, Error: errMsg, Updated: time.Now()}
	if errMsg != "" {
		s.Failed = errMsg
		return s
	}
	s.Converged = len(res.Actions) == 0
	if d.Stack == nil {
		s.Converged = s.Converged && len(actual) == 0
		return s
	}
	var failed []string
	for i := range d.Stack.Services {
		svc := &d.Stack.Services[i]
		ss := serviceStatus(d, svc, actual, res, mem, now)
		if ro := mem.Rollouts[svc.Name]; ro != nil && ro.Hash == svc.Hash {
			rs := RolloutStatus{Service: svc.Name, Strategy: svc.Berth.Strategy(), Phase: ro.phase(svc), Started: ro.Started}
			for _, c := range actual {
				if c.Service == svc.Name && c.Hash == svc.Hash {
					rs.New++
				} else if c.Service == svc.Name {
					rs.Old++
				}
			}
			s.Rollouts = append(s.Rollouts, rs)
			if !ro.Done && ss.State == StateReady {
				ss.State, ss.Reason = StateStarting, rs.Phase
			}
		}
		if ss.State != StateReady && ss.State != StateCompleted {
			s.Converged = false
		}
		if ss.State == StateCrashLoop || ss.State == StateFailed {
			failed = append(failed, fmt.Sprintf("%s: %s", svc.Name, ss.Reason))
		}
		s.Services = append(s.Services, ss)
	}
	s.Failed = strings.Join(failed, "; ")
	return s
}

func serviceStatus(d Desired, svc *spec.Service, actual []engine.Container, res Result, mem *Memory, now time.Time) ServiceStatus {
	ss := ServiceStatus{Name: svc.Name, Desired: d.replicas(svc)}
	var completed, failedExit int
	exitCode := 0
	for _, c := range actual {
		if c.Service != svc.Name || c.Hash != svc.Hash || c.Slot > ss.Desired {
			continue
		}
		if c.State == engine.StateRunning {
			ss.Running++
			if mem.ready(svc, c, now) { // behind the load balancer: once it serves
				ss.Ready++
			}
		}
		if c.State == engine.StateExited {
			if c.ExitCode == 0 {
				completed++
			} else {
				failedExit++
				exitCode = c.ExitCode
			}
		}
	}
	switch {
	case slices.Contains(res.CrashLoop, svc.Name):
		ss.State, ss.Reason = StateCrashLoop, fmt.Sprintf("crash looping (last exit code %d)", exitCode)
	case res.Waiting[svc.Name] != "" && ss.Running < ss.Desired:
		ss.State, ss.Reason = StateWaiting, res.Waiting[svc.Name]
	case ss.Ready == ss.Desired && !hasActions(res, svc.Name):
		ss.State = StateReady
	case svc.Restart != "always" && svc.Restart != "unless-stopped" && completed+ss.Ready == ss.Desired && completed > 0:
		ss.State = StateCompleted
	case failedExit > 0 && (svc.Restart == "no" || svc.Restart == "on-failure" && svc.MaxRetries > 0 && !hasActions(res, svc.Name)):
		ss.State, ss.Reason = StateFailed, fmt.Sprintf("exited with code %d", exitCode)
	default:
		ss.State = StateStarting
		if ss.Running > ss.Ready {
			ss.Reason = "waiting for health checks"
		}
	}
	return ss
}

func hasActions(res Result, service string) bool {
	for _, a := range res.Actions {
		if a.Service == service {
			return true
		}
	}
	return false
}
