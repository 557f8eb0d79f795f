package spec

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// Restart policies, as the engine names them.
const (
	RestartAlways        = "always"
	RestartOnFailure     = "on-failure"
	RestartUnlessStopped = "unless-stopped"
	RestartNo            = "no"
)

// restartPolicy derives the effective restart policy of svc. awaited says
// another service waits for svc with service_completed_successfully: such a
// one-shot job must not be restarted once it succeeded.
func restartPolicy(svc types.ServiceConfig, awaited bool) (policy string, maxRetries int, err *LoadError) {
	if svc.Restart != "" {
		return parseRestart(svc.Restart)
	}
	if d := svc.Deploy; d != nil && d.RestartPolicy != nil && d.RestartPolicy.Condition != "" {
		return deployRestart(d.RestartPolicy)
	}
	if awaited {
		return RestartOnFailure, 0, nil
	}
	return RestartAlways, 0, nil
}

// parseRestart parses `restart:` (always, unless-stopped, on-failure[:N], no).
func parseRestart(s string) (string, int, *LoadError) {
	name, count, hasCount := strings.Cut(s, ":")
	switch {
	case name == RestartOnFailure && hasCount:
		n, err := strconv.Atoi(count)
		if err != nil || n < 0 {
			return "", 0, restartError(s, "the retry count must be a non-negative integer")
		}
		return name, n, nil
	case hasCount:
		return "", 0, restartError(s, "only on-failure takes a retry count")
	case name == RestartAlways, name == RestartOnFailure, name == RestartUnlessStopped, name == RestartNo:
		return name, 0, nil
	}
	return "", 0, restartError(s, "")
}

func restartError(s, why string) *LoadError {
	msg := fmt.Sprintf("invalid restart policy %q", s)
	if why != "" {
		msg += ": " + why
	}
	return &LoadError{Field: "restart", Msg: msg,
		Hint: "use one of: no, always, on-failure, on-failure:N, unless-stopped"}
}

// deployRestart maps deploy.restart_policy (Swarm's vocabulary) onto the
// engine's.
func deployRestart(p *types.RestartPolicy) (string, int, *LoadError) {
	retries := 0
	if p.MaxAttempts != nil {
		retries = int(min(*p.MaxAttempts, 1<<31-1))
	}
	switch p.Condition {
	case "none":
		return RestartNo, 0, nil
	case "on-failure":
		return RestartOnFailure, retries, nil
	case "any":
		return RestartAlways, 0, nil
	}
	return "", 0, &LoadError{Field: "deploy.restart_policy.condition",
		Msg:  fmt.Sprintf("invalid restart condition %q", p.Condition),
		Hint: "use one of: none, on-failure, any"}
}

// awaitedServices returns the services some other service waits on with
// condition service_completed_successfully.
func awaitedServices(p *types.Project) map[string]bool {
	out := map[string]bool{}
	for _, svc := range p.Services {
		for dep, d := range svc.DependsOn {
			if d.Condition == types.ServiceConditionCompletedSuccessfully {
				out[dep] = true
			}
		}
	}
	return out
}
