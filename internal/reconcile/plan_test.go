package reconcile

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/internal/engine"
	"github.com/berth-dev/berth/internal/spec"
)

var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func svc(name string, replicas int, mods ...func(*spec.Service)) spec.Service {
	s := spec.Service{
		Name: name, Replicas: replicas, Restart: "always", Hash: name + "-h1",
		Config: types.ServiceConfig{Name: name},
		Berth: spec.ServiceOptions{
			Backoff:   spec.Backoff{Initial: spec.Duration(time.Second), Max: spec.Duration(8 * time.Second)},
			CrashLoop: spec.CrashLoop{Restarts: 3, Window: spec.Duration(time.Minute)},
		},
	}
	for _, m := range mods {
		m(&s)
	}
	return s
}

func dependsOn(dep, cond string) func(*spec.Service) {
	return func(s *spec.Service) {
		s.Config.DependsOn = types.DependsOnConfig{dep: {Condition: cond}}
	}
}

func ctr(service string, slot int, state engine.State, mods ...func(*engine.Container)) engine.Container {
	c := engine.Container{ID: fmt.Sprintf("%s-%d-id", service, slot), Service: service, Slot: slot, State: state, Hash: service + "-h1"}
	for _, m := range mods {
		m(&c)
	}
	return c
}

func health(h engine.Health) func(*engine.Container) {
	return func(c *engine.Container) { c.Health = h }
}
func exit(code int) func(*engine.Container) { return func(c *engine.Container) { c.ExitCode = code } }
func hash(h string) func(*engine.Container) { return func(c *engine.Container) { c.Hash = h } }

func stack(services ...spec.Service) *spec.Stack {
	return &spec.Stack{Name: "s", Services: services}
}

// summary renders actions as "kind service/slot event" for comparison.
func summary(actions []Action) []string {
	var out []string
	for _, a := range actions {
		out = append(out, fmt.Sprintf("%s %s/%d %s", a.Kind, a.Service, a.Slot, a.Event))
	}
	return out
}

func TestPlan(t *testing.T) {
	tests := []struct {
		name    string
		desired Desired
		actual  []engine.Container
		mem     func(*Memory)
		want    []string
		waiting map[string]string
		wake    time.Duration
	}{
		{
			name:    "empty host creates every slot",
			desired: Desired{Stack: stack(svc("web", 3))},
			want:    []string{"create web/1 create", "create web/2 create", "create web/3 create"},
		},
		{
			name:    "converged stack plans nothing",
			desired: Desired{Stack: stack(svc("web", 2))},
			actual:  []engine.Container{ctr("web", 1, engine.StateRunning), ctr("web", 2, engine.StateRunning)},
		},
		{
			name:    "scale down removes the highest slots first",
			desired: Desired{Stack: stack(svc("web", 3)), Replicas: map[string]int{"web": 1}},
			actual:  []engine.Container{ctr("web", 1, engine.StateRunning), ctr("web", 2, engine.StateRunning), ctr("web", 3, engine.StateRunning)},
			want:    []string{"remove web/3 scale", "remove web/2 scale"},
		},
		{
			name:    "scale up fills the missing slots",
			desired: Desired{Stack: stack(svc("web", 1)), Replicas: map[string]int{"web": 3}},
			actual:  []engine.Container{ctr("web", 1, engine.StateRunning)},
			want:    []string{"create web/2 create", "create web/3 create"},
		},
		{
			name:    "changed spec replaces",
			desired: Desired{Stack: stack(svc("web", 1))},
			actual:  []engine.Container{ctr("web", 1, engine.StateRunning, hash("old"))},
			want:    []string{"replace web/1 replace"},
		},
		{
			name:    "created container is started",
			desired: Desired{Stack: stack(svc("web", 1))},
			actual:  []engine.Container{ctr("web", 1, engine.StateCreated)},
			want:    []string{"start web/1 start"},
		},
		{
			name:    "stack down removes everything",
			desired: Desired{},
			actual:  []engine.Container{ctr("web", 1, engine.StateRunning), ctr("db", 1, engine.StateExited)},
			want:    []string{"remove db/1 remove", "remove web/1 remove"},
		},
		{
			name:    "service dropped from the file is removed",
			desired: Desired{Stack: stack(svc("web", 1))},
			actual:  []engine.Container{ctr("web", 1, engine.StateRunning), ctr("old", 1, engine.StateRunning)},
			want:    []string{"remove old/1 remove"},
		},
		{
			name:    "first crash restarts at once",
			desired: Desired{Stack: stack(svc("web", 1))},
			actual:  []engine.Container{ctr("web", 1, engine.StateExited, exit(2))},
			want:    []string{"restart web/1 restart"},
		},
		{
			name:    "repeated crash waits for the backoff",
			desired: Desired{Stack: stack(svc("web", 1))},
			actual:  []engine.Container{ctr("web", 1, engine.StateExited, exit(2))},
			mem: func(m *Memory) {
				s := svc("web", 1)
				m.Record(&s, 1, t0.Add(-1500*time.Millisecond))
				m.Record(&s, 1, t0.Add(-500*time.Millisecond))
			},
			wake: 1500 * time.Millisecond, // second restart: 2 s after the last one
		},
		{
			name:    "restart no leaves an exited container",
			desired: Desired{Stack: stack(svc("job", 1, func(s *spec.Service) { s.Restart = "no" }))},
			actual:  []engine.Container{ctr("job", 1, engine.StateExited, exit(1))},
		},
		{
			name:    "on-failure leaves a clean exit",
			desired: Desired{Stack: stack(svc("job", 1, func(s *spec.Service) { s.Restart = "on-failure" }))},
			actual:  []engine.Container{ctr("job", 1, engine.StateExited, exit(0))},
		},
		{
			name:    "on-failure restarts a failure",
			desired: Desired{Stack: stack(svc("job", 1, func(s *spec.Service) { s.Restart = "on-failure" }))},
			actual:  []engine.Container{ctr("job", 1, engine.StateExited, exit(4))},
			want:    []string{"restart job/1 restart"},
		},
		{
			name:    "stopped by hand is drift, restarted at once",
			desired: Desired{Stack: stack(svc("web", 1))},
			actual:  []engine.Container{ctr("web", 1, engine.StateExited, exit(0))},
			mem: func(m *Memory) {
				s := svc("web", 1)
				m.Record(&s, 1, t0.Add(-100*time.Millisecond))
				m.slot(&s, 1).LastID = "web-1-id"
				m.MarkHandStopped("web-1-id")
			},
			want: []string{"restart web/1 drift"},
		},
		{
			name:    "removed by hand is drift",
			desired: Desired{Stack: stack(svc("web", 1))},
			mem: func(m *Memory) {
				s := svc("web", 1)
				m.slot(&s, 1).LastID = "gone"
			},
			want: []string{"create web/1 drift"},
		},
		{
			name:    "unhealthy past its grace is replaced",
			desired: Desired{Stack: stack(svc("web", 1))},
			actual:  []engine.Container{ctr("web", 1, engine.StateRunning, health(engine.HealthUnhealthy))},
			mem: func(m *Memory) {
				m.Observe(stack(svc("web", 1)), []engine.Container{ctr("web", 1, engine.StateRunning, health(engine.HealthUnhealthy))}, t0)
			},
			want: []string{"replace web/1 unhealthy"},
		},
		{
			name: "dependency not healthy holds the dependant back",
			desired: Desired{Stack: stack(
				svc("db", 1),
				svc("web", 2, dependsOn("db", types.ServiceConditionHealthy)),
			)},
			actual:  []engine.Container{ctr("db", 1, engine.StateRunning, health(engine.HealthStarting))},
			waiting: map[string]string{"web": "waiting for db to be healthy (0/1)"},
		},
		{
			name: "healthy dependency lets the dependant start",
			desired: Desired{Stack: stack(
				svc("db", 1),
				svc("web", 1, dependsOn("db", types.ServiceConditionHealthy)),
			)},
			actual: []engine.Container{ctr("db", 1, engine.StateRunning, health(engine.HealthHealthy))},
			want:   []string{"create web/1 create"},
		},
		{
			name: "completed job releases its dependant",
			desired: Desired{Stack: stack(
				svc("migrate", 1, func(s *spec.Service) { s.Restart = "on-failure" }),
				svc("web", 1, dependsOn("migrate", types.ServiceConditionCompletedSuccessfully)),
			)},
			actual: []engine.Container{ctr("migrate", 1, engine.StateExited, exit(0))},
			want:   []string{"create web/1 create"},
		},
		{
			name: "failed job holds its dependant",
			desired: Desired{Stack: stack(
				svc("migrate", 1, func(s *spec.Service) { s.Restart = "no" }),
				svc("web", 1, dependsOn("migrate", types.ServiceConditionCompletedSuccessfully)),
			)},
			actual:  []engine.Container{ctr("migrate", 1, engine.StateExited, exit(1))},
			waiting: map[string]string{"web": "waiting for migrate to complete successfully"},
		},
		{
			name: "started dependency and empty host create in dependency order",
			desired: Desired{Stack: stack(
				svc("db", 1),
				svc("web", 1, dependsOn("db", types.ServiceConditionStarted)),
			)},
			want:    []string{"create db/1 create"},
			waiting: map[string]string{"web": "waiting for db to start (0/1)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := NewMemory()
			if tt.mem != nil {
				tt.mem(mem)
			}
			res := Plan(tt.desired, tt.actual, mem, t0)
			got := summary(res.Actions)
			if tt.name == "stack down removes everything" || tt.name == "scale down removes the highest slots first" {
				// Removal order among equal slots follows map order; only
				// the slot order is part of the contract.
				if !slices.IsSortedFunc(res.Actions, func(a, b Action) int { return b.Slot - a.Slot }) {
					t.Errorf("removals not highest slot first: %v", got)
				}
				slices.Sort(got)
				slices.Sort(tt.want)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("actions = %q\nwant      %q", got, tt.want)
			}
			for s, why := range tt.waiting {
				if res.Waiting[s] != why {
					t.Errorf("waiting[%s] = %q, want %q", s, res.Waiting[s], why)
				}
			}
			var wake time.Duration
			if !res.Wake.IsZero() {
				wake = res.Wake.Sub(t0)
			}
			if wake != tt.wake {
				t.Errorf("wake = %v, want %v", wake, tt.wake)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	b := spec.Backoff{Initial: spec.Duration(time.Second), Max: spec.Duration(5 * time.Second)}
	want := []time.Duration{0, time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	for n, w := range want {
		if got := backoff(b, n); got != w {
			t.Errorf("backoff(%d) = %v, want %v", n, got, w)
		}
	}
}

func TestCrashLoopIsReported(t *testing.T) {
	s := svc("web", 1)
	m := NewMemory()
	var tipped []bool
	for i := range 4 {
		tipped = append(tipped, m.Record(&s, 1, t0.Add(time.Duration(i)*time.Second)))
	}
	if !slices.Equal(tipped, []bool{false, false, true, false}) {
		t.Errorf("crash loop tipped = %v; want only on the third restart", tipped)
	}
	res := Plan(Desired{Stack: stack(s)}, []engine.Container{ctr("web", 1, engine.StateExited, exit(1))}, m, t0.Add(4*time.Second))
	if !slices.Contains(res.CrashLoop, "web") {
		t.Errorf("plan does not report web as crash looping: %+v", res)
	}
	st := computeStatus("s", Desired{Stack: stack(s)}, []engine.Container{ctr("web", 1, engine.StateExited, exit(1))}, res, "", m, t0.Add(4*time.Second))
	if st.Failed == "" || st.Converged {
		t.Errorf("status = %+v; want failed crash loop", st)
	}
}
