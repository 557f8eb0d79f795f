package reconcile

import (
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/internal/engine"
	"github.com/berth-dev/berth/internal/spec"
)

// dependencyBlock returns why svc must wait for its depends_on conditions,
// or "" when they hold.
func dependencyBlock(d Desired, svc *spec.Service, byService map[string][]engine.Container) string {
	for dep, cond := range svc.Config.DependsOn {
		depSvc := findService(d.Stack, dep)
		if depSvc == nil {
			continue // a disabled profile or `required: false`
		}
		want := d.replicas(depSvc)
		if want == 0 {
			continue
		}
		if why := unmet(cond.Condition, dep, want, depSvc.Hash, byService[dep]); why != "" {
			return why
		}
	}
	return ""
}

// unmet checks one depends_on condition against the dependency's
// containers of the current spec.
func unmet(condition, dep string, want int, hash string, cs []engine.Container) string {
	var ready int
	for _, c := range cs {
		if c.Hash != hash {
			continue
		}
		switch condition {
		case types.ServiceConditionHealthy:
			if c.State == engine.StateRunning && (c.Health == engine.HealthHealthy || c.Health == engine.HealthNone) {
				ready++
			}
		case types.ServiceConditionCompletedSuccessfully:
			if c.State == engine.StateExited && c.ExitCode == 0 {
				ready++
			}
		default:
			if c.Running() || c.State == engine.StateExited {
				ready++
			}
		}
	}
	if ready >= want {
		return ""
	}
	switch condition {
	case types.ServiceConditionHealthy:
		return fmt.Sprintf("waiting for %s to be healthy (%d/%d)", dep, ready, want)
	case types.ServiceConditionCompletedSuccessfully:
		return fmt.Sprintf("waiting for %s to complete successfully", dep)
	}
	return fmt.Sprintf("waiting for %s to start (%d/%d)", dep, ready, want)
}

func findService(st *spec.Stack, name string) *spec.Service {
	for i := range st.Services {
		if st.Services[i].Name == name {
			return &st.Services[i]
		}
	}
	return nil
}
