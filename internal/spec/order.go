package spec

import (
	"fmt"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// dependencyOrder returns the names of p's services so that each comes
// after everything it depends on; among services whose dependencies are all
// placed, names sort alphabetically, so the order is deterministic.
// Dependencies on services not in p (disabled by a profile, optional) are
// ignored.
func dependencyOrder(p *types.Project) ([]string, error) {
	waiting := map[string]int{}         // service -> unplaced dependencies
	dependents := map[string][]string{} // dependency -> services waiting on it
	for name, svc := range p.Services {
		waiting[name] += 0
		for dep := range svc.DependsOn {
			if _, ok := p.Services[dep]; !ok {
				continue
			}
			waiting[name]++
			dependents[dep] = append(dependents[dep], name)
		}
	}
	var ready, order []string
	for name, n := range waiting {
		if n == 0 {
			ready = append(ready, name)
		}
	}
	for len(ready) > 0 {
		sort.Strings(ready)
		name := ready[0]
		ready = ready[1:]
		order = append(order, name)
		for _, d := range dependents[name] {
			if waiting[d]--; waiting[d] == 0 {
				ready = append(ready, d)
			}
		}
	}
	if len(order) < len(waiting) {
		return nil, cycleError(waiting)
	}
	return order, nil
}

// cycleError names the services left waiting: they are on or behind a cycle.
func cycleError(waiting map[string]int) *LoadError {
	var stuck []string
	for name, n := range waiting {
		if n > 0 {
			stuck = append(stuck, name)
		}
	}
	sort.Strings(stuck)
	return &LoadError{Service: stuck[0], Field: "depends_on",
		Msg:  fmt.Sprintf("dependency cycle among services %s", strings.Join(stuck, ", ")),
		Hint: "services cannot wait on each other; remove one depends_on edge of the cycle"}
}
