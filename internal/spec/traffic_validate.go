package spec

import (
	"fmt"
	"strings"
)

// validateTraffic checks routes, lb and deploy. Only what is wrong in any
// situation is an error here: max_unavailable above the replica count, for
// one, is not, since scaling changes the count after load.
func (o ServiceOptions) validateTraffic() *LoadError {
	if err := validateRoutes(o.Routes); err != nil {
		return err
	}
	if err := o.LB.validate(); err != nil {
		return err
	}
	if err := o.Deploy.validate(); err != nil {
		return err
	}
	if s := o.Deploy.Strategy; (s == StrategyCanary || s == StrategyBlueGreen) && len(o.Routes) == 0 {
		return optionHint("deploy.strategy",
			fmt.Sprintf("strategy %s needs x-berth.routes: the load balancer shifts the traffic", s),
			"add a route, or use strategy rolling or recreate")
	}
	return nil
}

func (l LB) validate() *LoadError {
	h := l.Health
	switch {
	case l.Policy != "" && l.Policy != PolicyRoundRobin && l.Policy != PolicyLeastConn:
		return optionHint("lb.policy", fmt.Sprintf("unknown policy %q", l.Policy), "use round_robin or least_conn")
	case h.Path != "" && !strings.HasPrefix(h.Path, "/"):
		return optionHint("lb.health.path", fmt.Sprintf("must start with / (got %q)", h.Path), "e.g. path: /health")
	case h.Interval < 0:
		return positiveError("lb.health.interval", h.Interval)
	case h.Timeout < 0:
		return positiveError("lb.health.timeout", h.Timeout)
	case h.Healthy < 0:
		return notNegative("lb.health.healthy", h.Healthy)
	case h.Unhealthy < 0:
		return notNegative("lb.health.unhealthy", h.Unhealthy)
	case l.Retries != nil && (*l.Retries < 0 || *l.Retries > 10):
		return optionHint("lb.retries", fmt.Sprintf("must be between 0 and 10 (got %d)", *l.Retries),
			"retries go to other replicas; 0 turns them off")
	case l.Eject.Errors < 0:
		return notNegative("lb.eject.errors", l.Eject.Errors)
	}
	for _, d := range []struct {
		field string
		d     Duration
	}{{"lb.timeouts.dial", l.Timeouts.Dial}, {"lb.timeouts.header", l.Timeouts.Header},
		{"lb.timeouts.idle", l.Timeouts.Idle}, {"lb.eject.duration", l.Eject.Duration}, {"lb.drain", l.Drain}} {
		if d.d < 0 {
			return positiveError(d.field, d.d)
		}
	}
	return nil
}

var strategies = []string{StrategyRolling, StrategyBlueGreen, StrategyCanary, StrategyRecreate}

func (d Deploy) validate() *LoadError {
	switch d.Strategy {
	case "", StrategyRolling, StrategyBlueGreen, StrategyCanary, StrategyRecreate:
	default:
		return optionHint("deploy.strategy", fmt.Sprintf("unknown strategy %q", d.Strategy),
			"use one of: "+strings.Join(strategies, ", "))
	}
	switch {
	case d.MaxSurge != nil && *d.MaxSurge < 0:
		return notNegative("deploy.max_surge", *d.MaxSurge)
	case d.MaxUnavailable != nil && *d.MaxUnavailable < 0:
		return notNegative("deploy.max_unavailable", *d.MaxUnavailable)
	case d.Surge() == 0 && d.Unavailable() == 0:
		field := "deploy.max_unavailable"
		if d.MaxSurge != nil {
			field = "deploy.max_surge"
		}
		return optionHint(field, "impossible: with max_surge 0 and max_unavailable 0 a rolling deploy could never make progress",
			"set max_surge: 1")
	case d.Timeout < 0:
		return optionHint("deploy.timeout", fmt.Sprintf("must not be negative (got %s)", d.Timeout), defaultHint)
	case d.Keep < 0:
		return optionHint("deploy.keep", fmt.Sprintf("must not be negative (got %s)", d.Keep), defaultHint)
	}
	if err := validateSteps(d.Steps); err != nil {
		return err
	}
	return d.Analysis.validate()
}

// validateSteps wants weights that only grow: traffic moves one way, and
// 100% follows the last step, so 100 itself is not a step.
func validateSteps(steps []CanaryStep) *LoadError {
	prev := 0
	for i, s := range steps {
		field := fmt.Sprintf("deploy.steps.%d", i)
		switch {
		case s.Weight < 1 || s.Weight > 99:
			return optionHint(field+".weight", fmt.Sprintf("must be between 1 and 99 (got %d)", s.Weight),
				"100% follows the last step by itself")
		case s.Weight <= prev:
			return optionHint(field+".weight", fmt.Sprintf("must be greater than the previous step's %d (got %d)", prev, s.Weight),
				"traffic only moves toward the new version: list the weights in increasing order")
		case s.Hold <= 0:
			return optionHint(field+".hold", fmt.Sprintf("must be a positive duration (got %s)", s.Hold), "add e.g. `hold: 30s`")
		}
		prev = s.Weight
	}
	return nil
}

func (a Analysis) validate() *LoadError {
	switch r := a.MaxErrorRate; {
	case r != nil && !(*r > 0 && *r <= 1):
		return optionHint("deploy.analysis.max_error_rate", fmt.Sprintf("must be above 0 and at most 1 (got %v)", *r),
			"it is a fraction: 0.05 is 5%")
	case a.MinRequests != nil && *a.MinRequests < 0:
		return notNegative("deploy.analysis.min_requests", *a.MinRequests)
	case a.MaxP95 < 0:
		return optionHint("deploy.analysis.max_p95", fmt.Sprintf("must not be negative (got %s)", a.MaxP95),
			"leave it out to skip the latency check")
	}
	return nil
}

func optionHint(field, msg, hint string) *LoadError {
	le := optionError(field, msg)
	le.Hint = hint
	return le
}

// defaultHint: every zero or missing traffic setting means its default.
const defaultHint = "leave it out for the default"

func notNegative(field string, n int) *LoadError {
	return optionHint(field, fmt.Sprintf("must not be negative (got %d)", n), defaultHint)
}

func positiveError(field string, d Duration) *LoadError {
	return optionHint(field, fmt.Sprintf("must be a positive duration (got %s)", d), defaultHint)
}

// checkSideBySide refuses a fixed host port on a service whose deploys run
// old and new replicas side by side: the new replica could never bind it,
// and every deploy would fail and roll back.
func checkSideBySide(svc Service) *LoadError {
	o := svc.Berth
	sideBySide := o.Strategy() == StrategyBlueGreen || o.Strategy() == StrategyCanary ||
		o.Strategy() == StrategyRolling && o.Deploy.Surge() > 0
	if !sideBySide {
		return nil
	}
	for _, p := range svc.Config.Ports {
		if p.Published == "" {
			continue
		}
		le := optionHint("deploy.strategy",
			fmt.Sprintf("strategy %s runs old and new replicas side by side, but host port %s can be bound only once", o.Strategy(), p.Published),
			"route traffic through x-berth.routes instead of ports:, or use max_surge: 0 with max_unavailable: 1, or strategy recreate")
		le.Service = svc.Name
		le.at = append([]string{"services", svc.Name}, le.at...)
		return le
	}
	return nil
}
