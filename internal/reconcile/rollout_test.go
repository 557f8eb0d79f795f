package reconcile

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/engine"
	"github.com/berth-dev/berth/internal/spec"
)

func ptr[T any](v T) *T { return &v }

func routed(strategy string, surge, unavailable int) func(*spec.Service) {
	return func(s *spec.Service) {
		s.Berth.Routes = []spec.Route{{Listen: "127.0.0.1:8080", Port: 8080}}
		s.Berth.Deploy = spec.Deploy{Strategy: strategy, MaxSurge: ptr(surge), MaxUnavailable: ptr(unavailable),
			Keep: spec.Duration(time.Minute), Steps: []spec.CanaryStep{{Weight: 20, Hold: spec.Duration(10 * time.Second)}}}
	}
}

// world simulates the engine and the load balancer under the planner: a
// created replica serves on the pass after its creation.
type world struct {
	t      *testing.T
	cs     []engine.Container
	mem    *Memory
	now    time.Time
	seq    int
	fresh  map[string]bool // created this pass: not serving yet
	broken bool            // new replicas never pass the health check
}

func (w *world) pass(d Desired) Result {
	w.t.Helper()
	w.fresh = map[string]bool{}
	for _, c := range w.cs {
		w.mem.Serving[c.ID] = !(w.broken && c.Hash == d.Stack.Services[0].Hash)
	}
	w.mem.Observe(d.Stack, w.cs, w.now)
	w.mem.observeRollouts(d.Stack, d.replicas, w.cs, w.now)
	res := Plan(d, w.cs, w.mem, w.now)
	for _, a := range res.Actions {
		switch a.Kind {
		case Remove:
			w.remove(a.Container.ID)
		case Replace:
			w.remove(a.Container.ID)
			w.create(d, a.Service, a.Slot)
		case Create:
			w.create(d, a.Service, a.Slot)
		}
	}
	w.now = w.now.Add(time.Second)
	return res
}

func (w *world) remove(id string) {
	for i, c := range w.cs {
		if c.ID == id {
			w.cs = append(w.cs[:i], w.cs[i+1:]...)
			return
		}
	}
	w.t.Fatalf("removing %s twice", id)
}

func (w *world) create(d Desired, service string, slot int) {
	w.seq++
	svc := findService(d.Stack, service)
	c := engine.Container{ID: fmt.Sprintf("c%d", w.seq), Name: fmt.Sprintf("%s-%d-%d", service, slot, w.seq), Service: service, Slot: slot, State: engine.StateRunning, Hash: svc.Hash}
	w.cs = append(w.cs, c)
	w.fresh[c.ID] = true
}

// count returns the replicas that serve and all replicas, and how many run
// the given hash.
func (w *world) count(hash string) (serving, total, current int) {
	for _, c := range w.cs {
		total++
		if w.mem.Serving[c.ID] && !w.fresh[c.ID] {
			serving++
		}
		if c.Hash == hash {
			current++
		}
	}
	return
}

func TestRollingKeepsCapacityAndSurgeBounds(t *testing.T) {
	tests := []struct{ surge, unavailable int }{{1, 0}, {2, 0}, {0, 1}, {1, 1}}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("surge%d-unavailable%d", tt.surge, tt.unavailable), func(t *testing.T) {
			const want = 4
			old := svc("web", want, routed(spec.StrategyRolling, tt.surge, tt.unavailable))
			w := &world{t: t, mem: NewMemory(), now: t0, fresh: map[string]bool{}}
			w.pass(Desired{Stack: stack(old)})
			w.pass(Desired{Stack: stack(old)})
			next := old
			next.Hash = "web-h2"
			d := Desired{Stack: stack(next)}
			for i := 0; ; i++ {
				if i > 40 {
					t.Fatalf("rollout did not finish: %v", w.cs)
				}
				res := w.pass(d)
				serving, total, current := w.count("web-h2")
				if total > want+tt.surge {
					t.Fatalf("pass %d: %d replicas, more than %d + surge %d", i, total, want, tt.surge)
				}
				if serving < want-tt.unavailable {
					t.Fatalf("pass %d: only %d replicas serving, want at least %d", i, serving, want-tt.unavailable)
				}
				if res.Rollback != nil {
					t.Fatalf("healthy rollout rolled back: %s", res.Rollback.Reason)
				}
				if ro := w.mem.Rollouts["web"]; current == want && total == want && (ro == nil || ro.Done) {
					break
				}
			}
		})
	}
}

func TestRollingDrainsRoutedReplicas(t *testing.T) {
	old := svc("web", 1, routed(spec.StrategyRolling, 1, 0))
	w := &world{t: t, mem: NewMemory(), now: t0, fresh: map[string]bool{}}
	w.pass(Desired{Stack: stack(old)})
	next := old
	next.Hash = "web-h2"
	d := Desired{Stack: stack(next)}
	w.pass(d) // surge
	res := w.pass(d)
	if len(res.Actions) != 1 || res.Actions[0].Kind != Remove || !res.Actions[0].Drain {
		t.Fatalf("want one draining removal of the old replica, got %+v", res.Actions)
	}
}

func TestBrokenVersionRollsBack(t *testing.T) {
	for _, strategy := range []string{spec.StrategyRolling, spec.StrategyBlueGreen, spec.StrategyCanary} {
		t.Run(strategy, func(t *testing.T) {
			old := svc("web", 2, routed(strategy, 1, 0))
			w := &world{t: t, mem: NewMemory(), now: t0, fresh: map[string]bool{}}
			w.pass(Desired{Stack: stack(old)})
			next := old
			next.Hash = "web-h2"
			next.Berth.Deploy.Timeout = spec.Duration(5 * time.Second)
			d := Desired{Stack: stack(next)}
			w.broken = true
			for i := 0; i < 20; i++ {
				res := w.pass(d)
				if serving, _, _ := w.count(""); serving < 2 {
					t.Fatalf("pass %d: the broken version cost capacity: %d serving", i, serving)
				}
				if res.Rollback != nil {
					if !strings.Contains(res.Rollback.Reason, "did not pass the load balancer's health check within 5s") {
						t.Fatalf("rollback reason %q", res.Rollback.Reason)
					}
					return
				}
			}
			t.Fatal("a version that never passes its health check was not rolled back")
		})
	}
}

func TestBlueGreenSwitchesInOneStepAndKeepsOldSet(t *testing.T) {
	old := svc("web", 2, routed(spec.StrategyBlueGreen, 1, 0))
	w := &world{t: t, mem: NewMemory(), now: t0, fresh: map[string]bool{}}
	w.pass(Desired{Stack: stack(old)})
	next := old
	next.Hash = "web-h2"
	d := Desired{Stack: stack(next)}
	res := w.pass(d)
	if got := summary(res.Actions); len(got) != 2 || !strings.HasPrefix(got[0], "create") || !strings.HasPrefix(got[1], "create") {
		t.Fatalf("blue-green should start the whole new set at once, got %v", got)
	}
	ro := w.mem.Rollouts["web"]
	if weight(&next, ro, true, 2, 2) != 0 || weight(&next, ro, false, 2, 2) != 1 {
		t.Fatal("before the switch the new set must get no traffic")
	}
	w.pass(d) // new set serves: switch
	if !ro.Done || weight(&next, ro, true, 2, 2) != 1 || weight(&next, ro, false, 2, 2) != 0 {
		t.Fatalf("after the new set serves, all traffic goes to it (done=%v)", ro.Done)
	}
	if _, total, _ := w.count(""); total != 4 {
		t.Fatalf("the old set must be kept after the switch, have %d replicas", total)
	}
	w.now = w.now.Add(2 * time.Minute) // past keep
	w.pass(d)
	if _, total, current := w.count("web-h2"); total != 2 || current != 2 {
		t.Fatalf("after keep only the new set remains: total %d new %d", total, current)
	}
}

func TestCanaryWeights(t *testing.T) {
	s := svc("web", 3, routed(spec.StrategyCanary, 1, 0))
	ro := &rollout{Hash: s.Hash, Step: 0}
	nNew, nOld := 3, 3
	newW, oldW := weight(&s, ro, true, nNew, nOld), weight(&s, ro, false, nNew, nOld)
	share := float64(newW*nNew) / float64(newW*nNew+oldW*nOld)
	if share < 0.199 || share > 0.201 {
		t.Fatalf("canary step at 20%% gives the new set %.3f of traffic", share)
	}
}

func TestJudge(t *testing.T) {
	s := svc("web", 3, routed(spec.StrategyCanary, 1, 0))
	step := spec.CanaryStep{Weight: 20, Hold: spec.Duration(10 * time.Second)}
	tests := []struct {
		name           string
		canary, stable groupTotals
		held           time.Duration
		want           verdict
	}{
		{"too early", groupTotals{Requests: 100}, groupTotals{Requests: 400}, 5 * time.Second, holdOn},
		{"healthy", groupTotals{Requests: 100, Failed: 1}, groupTotals{Requests: 400}, 10 * time.Second, pass},
		{"too few requests", groupTotals{Requests: 5}, groupTotals{Requests: 20}, 10 * time.Second, holdOn},
		{"few requests but held long enough", groupTotals{Requests: 5}, groupTotals{Requests: 20}, 30 * time.Second, pass},
		{"errors", groupTotals{Requests: 100, Failed: 25}, groupTotals{Requests: 400, Failed: 2}, 10 * time.Second, fail},
		{"stable fails as much", groupTotals{Requests: 100, Failed: 25}, groupTotals{Requests: 400, Failed: 100}, 10 * time.Second, pass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, why := judge(&s, tt.canary, tt.stable, tt.held, step); got != tt.want {
				t.Fatalf("verdict %d (%s), want %d", got, why, tt.want)
			}
		})
	}
}
