package reconcile

import (
	"fmt"
	"time"

	"github.com/berth-dev/berth/internal/proxy"
	"github.com/berth-dev/berth/internal/spec"
)

// groupTotals sums one version's load balancer counters.
type groupTotals struct {
	Requests uint64 // answered requests
	Failed   uint64 // 5xx answers and connection errors
	Latency  []uint64
}

// totals sums the counters of a service's endpoints by version group.
func totals(stats proxy.Stats, stack, service string) map[string]groupTotals {
	out := map[string]groupTotals{}
	for _, rs := range stats.Routes {
		if rs.Stack != stack || rs.Service != service {
			continue
		}
		for _, ep := range rs.Endpoints {
			g := out[ep.Group]
			for _, n := range ep.Requests {
				g.Requests += n
			}
			g.Failed += ep.Requests[4] + ep.Errors
			if g.Latency == nil {
				g.Latency = make([]uint64, len(ep.Latency))
			}
			for i := range min(len(g.Latency), len(ep.Latency)) {
				g.Latency[i] += ep.Latency[i]
			}
			out[ep.Group] = g
		}
	}
	return out
}

// since is the difference t - base, clamped at zero (endpoints come and go).
func (t groupTotals) since(base groupTotals) groupTotals {
	sub := func(a, b uint64) uint64 {
		if a < b {
			return 0
		}
		return a - b
	}
	d := groupTotals{Requests: sub(t.Requests, base.Requests), Failed: sub(t.Failed, base.Failed), Latency: make([]uint64, len(t.Latency))}
	for i := range t.Latency {
		var b uint64
		if i < len(base.Latency) {
			b = base.Latency[i]
		}
		d.Latency[i] = sub(t.Latency[i], b)
	}
	return d
}

func (t groupTotals) errorRate() float64 {
	n := t.Requests
	if t.Failed > n {
		n = t.Failed
	}
	if n == 0 {
		return 0
	}
	return float64(t.Failed) / float64(n)
}

// p95 estimates the 95th percentile latency from the cumulative histogram
// as the upper bound of the bucket holding it.
func (t groupTotals) p95() time.Duration {
	if len(t.Latency) == 0 || t.Requests == 0 {
		return 0
	}
	target := uint64(float64(t.Requests) * 0.95)
	for i, n := range t.Latency {
		if n >= target && i < len(proxy.LatencyBuckets) {
			return time.Duration(proxy.LatencyBuckets[i] * float64(time.Second))
		}
	}
	return time.Duration(proxy.LatencyBuckets[len(proxy.LatencyBuckets)-1] * 2 * float64(time.Second))
}

// verdict is a canary step's outcome.
type verdict int

const (
	holdOn verdict = iota
	pass
	fail
)

// judge decides a canary step from the counters gathered since it began.
func judge(svc *spec.Service, canary, stable groupTotals, held time.Duration, step spec.CanaryStep) (verdict, string) {
	dep := svc.Berth.Deploy
	if held < step.Hold.D() {
		return holdOn, ""
	}
	if canary.Requests < uint64(dep.MinRequests()) && held < 3*step.Hold.D() {
		return holdOn, ""
	}
	maxRate := dep.MaxErrorRate()
	cr, sr := canary.errorRate(), stable.errorRate()
	if cr > maxRate && cr > sr+maxRate/2 {
		return fail, fmt.Sprintf("canary error rate %.1f%% over %d requests at %d%% traffic (limit %.1f%%, stable %.1f%%)",
			cr*100, canary.Requests, step.Weight, maxRate*100, sr*100)
	}
	if max := dep.Analysis.MaxP95.D(); max > 0 {
		if p := canary.p95(); p > max {
			return fail, fmt.Sprintf("canary p95 latency %s at %d%% traffic exceeds %s (stable %s)", p, step.Weight, max, stable.p95())
		}
	}
	return pass, ""
}

// analyse advances the canary rollouts of the stack whose step is due.
func (w *worker) analyse(d Desired, stats proxy.Stats, now time.Time) {
	if d.Stack == nil {
		return
	}
	for i := range d.Stack.Services {
		svc := &d.Stack.Services[i]
		ro := w.mem.Rollouts[svc.Name]
		if svc.Berth.Strategy() != spec.StrategyCanary || ro == nil || ro.Done || ro.Failed != "" || ro.Step < 0 {
			continue
		}
		steps := svc.Berth.Deploy.CanarySteps()
		if ro.Step >= len(steps) {
			continue
		}
		tot := totals(stats, w.name, svc.Name)
		if ro.Base == nil {
			ro.Base = tot // the step's weights were just pushed: count from here
			continue
		}
		canaryG := "h" + svc.Hash
		var stable groupTotals
		for g, t := range tot {
			if g != canaryG {
				s := t.since(ro.Base[g])
				stable.Requests += s.Requests
				stable.Failed += s.Failed
			}
		}
		canary := tot[canaryG].since(ro.Base[canaryG])
		v, why := judge(svc, canary, stable, now.Sub(ro.StepStarted), steps[ro.Step])
		switch v {
		case fail:
			ro.Failed = "canary analysis: " + why
		case pass:
			w.record(storeEvent(svc.Name, "rollout", fmt.Sprintf("canary step %d/%d at %d%% passed: %d requests, error rate %.1f%%, p95 %s",
				ro.Step+1, len(steps), steps[ro.Step].Weight, canary.Requests, canary.errorRate()*100, canary.p95())))
			ro.Step, ro.StepStarted, ro.Base = ro.Step+1, now, nil
		}
	}
}
