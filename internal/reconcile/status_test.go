package reconcile

import (
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/engine"
	"github.com/berth-dev/berth/internal/spec"
)

func TestMinReadyHoldsReadiness(t *testing.T) {
	s := svc("web", 1, func(s *spec.Service) { s.Berth.MinReady = spec.Duration(3 * time.Second) })
	d := Desired{Stack: stack(s)}
	actual := []engine.Container{ctr("web", 1, engine.StateRunning)}
	m := NewMemory()
	m.Observe(d.Stack, actual, t0.Add(-time.Second)) // first seen running 1s ago

	res := Plan(d, actual, m, t0)
	if want := t0.Add(2 * time.Second); !res.Wake.Equal(want) {
		t.Errorf("wake = %v, want %v (when min_ready is reached)", res.Wake, want)
	}
	if st := computeStatus("s", d, actual, res, "", m, t0); st.Converged || st.Services[0].Ready != 0 {
		t.Errorf("status before min_ready = %+v; want not ready", st)
	}
	later := t0.Add(2 * time.Second)
	if st := computeStatus("s", d, actual, Plan(d, actual, m, later), "", m, later); !st.Converged || st.Services[0].State != StateReady {
		t.Errorf("status after min_ready = %+v; want ready", st)
	}
}

func TestStatusStates(t *testing.T) {
	job := svc("job", 1, func(s *spec.Service) { s.Restart = "no" })
	tests := []struct {
		name   string
		svc    spec.Service
		actual []engine.Container
		state  string
	}{
		{"running without health check is ready", svc("web", 1), []engine.Container{ctr("web", 1, engine.StateRunning)}, StateReady},
		{"health starting is not ready", svc("web", 1), []engine.Container{ctr("web", 1, engine.StateRunning, health(engine.HealthStarting))}, StateStarting},
		{"job that exited 0 completed", job, []engine.Container{ctr("job", 1, engine.StateExited, exit(0))}, StateCompleted},
		{"job that failed failed", job, []engine.Container{ctr("job", 1, engine.StateExited, exit(2))}, StateFailed},
		{"missing replica is starting", svc("web", 2), []engine.Container{ctr("web", 1, engine.StateRunning)}, StateStarting},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Desired{Stack: stack(tt.svc)}
			m := NewMemory()
			m.Observe(d.Stack, tt.actual, t0)
			st := computeStatus("s", d, tt.actual, Plan(d, tt.actual, m, t0), "", m, t0)
			if got := st.Services[0].State; got != tt.state {
				t.Errorf("state = %q, want %q (%+v)", got, tt.state, st.Services[0])
			}
			if (tt.state == StateFailed) != (st.Failed != "") {
				t.Errorf("Failed = %q for state %q", st.Failed, tt.state)
			}
		})
	}
}
