package metrics

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// ContainerStats is the latest reading of one container.
type ContainerStats struct {
	Target Target
	Sample Sample
	Source Source
	// Values are the history's view of the sample: gauges as read, and
	// rates (CPU cores, bytes/s) from the previous sample, NaN on the
	// first sample or after a counter reset.
	Values Values
}

// ServiceKey names a service of a stack.
type ServiceKey struct{ Stack, Service string }

// ServiceStats aggregates the latest readings of a service's containers.
type ServiceStats struct {
	Key        ServiceKey
	Containers int
	// Values are the sums over the containers of the values they have;
	// NaN while none has one (rates on the first sweep).
	Values Values
}

// update folds one sweep's outcomes into the latest state and the history.
// A target that failed keeps its previous reading; a container no longer
// listed is forgotten.
func (c *Collector) update(now time.Time, targets []Target, out []outcome, res *SweepResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	next := make(map[string]*ContainerStats, len(targets))
	for i, t := range targets {
		prev := c.containers[t.ID]
		o := out[i]
		if o.err != nil {
			res.Failed++
			c.log.Debug("sampling container failed", "container", t.ID, "err", o.err)
			if prev != nil {
				next[t.ID] = prev
			}
			continue
		}
		if o.source == SourceCgroup {
			res.Cgroup++
		} else {
			res.StatsAPI++
		}
		st := &ContainerStats{Target: t, Sample: o.sample, Source: o.source}
		st.Values = values(prev, t, o.sample)
		next[t.ID] = st
		c.history.Add(ContainerRef(t.ID), o.sample.Time, st.Values)
	}
	if res.Failed > 0 {
		c.log.Warn("some containers could not be sampled", "failed", res.Failed, "targets", len(targets))
	}
	c.containers = next
	c.services = aggregate(next)
	for k, s := range c.services {
		c.history.Add(ServiceRef(k.Stack, k.Service), now, s.Values)
	}
	c.history.Prune(now)
}

// values derives the history values of cur, rates against prev when prev
// is the same process and earlier.
func values(prev *ContainerStats, t Target, cur Sample) Values {
	nan := math.NaN()
	v := Values{nan, float64(cur.MemoryUsage), float64(cur.MemoryWorkingSet), nan, nan, nan, nan, float64(cur.Pids)}
	if prev == nil || prev.Target.PID != t.PID || !cur.Time.After(prev.Sample.Time) {
		return v
	}
	p := prev.Sample
	dt := cur.Time.Sub(p.Time).Seconds()
	v[MetricCPU] = rate(p.CPUUsageNanos, cur.CPUUsageNanos, dt) / 1e9
	v[MetricNetRx] = rate(p.NetRxBytes, cur.NetRxBytes, dt)
	v[MetricNetTx] = rate(p.NetTxBytes, cur.NetTxBytes, dt)
	v[MetricBlkRead] = rate(p.BlkReadBytes, cur.BlkReadBytes, dt)
	v[MetricBlkWrite] = rate(p.BlkWriteBytes, cur.BlkWriteBytes, dt)
	return v
}

// rate is the per-second increase from a to b, NaN if the counter reset.
func rate(a, b uint64, dt float64) float64 {
	if b < a {
		return math.NaN()
	}
	return float64(b-a) / dt
}

// aggregate sums the containers' values per service; a metric no
// container has a value for yet stays NaN.
func aggregate(cs map[string]*ContainerStats) map[ServiceKey]*ServiceStats {
	out := make(map[ServiceKey]*ServiceStats)
	for _, st := range cs {
		k := ServiceKey{st.Target.Stack, st.Target.Service}
		s := out[k]
		if s == nil {
			s = &ServiceStats{Key: k}
			for m := range s.Values {
				s.Values[m] = math.NaN()
			}
			out[k] = s
		}
		s.Containers++
		for m, x := range st.Values {
			switch {
			case math.IsNaN(x):
			case math.IsNaN(s.Values[m]):
				s.Values[m] = x
			default:
				s.Values[m] += x
			}
		}
	}
	return out
}

// Latest returns the latest reading of container id.
func (c *Collector) Latest(id string) (ContainerStats, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	st, ok := c.containers[id]
	if !ok {
		return ContainerStats{}, false
	}
	return *st, true
}

// Containers returns the latest reading of every container, sorted by
// stack, service and name.
func (c *Collector) Containers() []ContainerStats {
	c.mu.RLock()
	out := make([]ContainerStats, 0, len(c.containers))
	for _, st := range c.containers {
		out = append(out, *st)
	}
	c.mu.RUnlock()
	slices.SortFunc(out, func(a, b ContainerStats) int {
		return cmp.Or(cmp.Compare(a.Target.Stack, b.Target.Stack),
			cmp.Compare(a.Target.Service, b.Target.Service),
			cmp.Compare(a.Target.Name, b.Target.Name),
			cmp.Compare(a.Target.ID, b.Target.ID))
	})
	return out
}

// Services returns the per-service aggregates, sorted by stack and service.
func (c *Collector) Services() []ServiceStats {
	c.mu.RLock()
	out := make([]ServiceStats, 0, len(c.services))
	for _, s := range c.services {
		out = append(out, *s)
	}
	c.mu.RUnlock()
	slices.SortFunc(out, func(a, b ServiceStats) int {
		return cmp.Or(cmp.Compare(a.Key.Stack, b.Key.Stack), cmp.Compare(a.Key.Service, b.Key.Service))
	})
	return out
}
