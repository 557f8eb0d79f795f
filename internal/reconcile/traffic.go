package reconcile

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/berth-dev/berth/internal/engine"
	"github.com/berth-dev/berth/internal/proxy"
	"github.com/berth-dev/berth/internal/spec"
)

// Traffic is the load balancer as the reconciler drives it: it pushes each
// stack's routes and endpoints and reads back health and counters.
type Traffic interface {
	Put(ctx context.Context, cfg proxy.StackConfig) error
	Delete(ctx context.Context, stack string) error
	Stats(ctx context.Context) (proxy.Stats, error)
}

// hasTraffic reports whether any service of the stack has routes.
func hasTraffic(st *spec.Stack) bool {
	return st != nil && slices.ContainsFunc(st.Services, func(s spec.Service) bool { return traffic(&s) })
}

// readTraffic reads the load balancer's view of the stack: which replicas
// pass its health check. Without a load balancer every running replica
// counts as serving.
func (w *worker) readTraffic(ctx context.Context, d Desired, actual []engine.Container) (proxy.Stats, error) {
	clear(w.mem.Serving)
	if w.r.Traffic == nil {
		for _, c := range actual {
			w.mem.Serving[c.ID] = c.State == engine.StateRunning
		}
		return proxy.Stats{}, nil
	}
	if !hasTraffic(d.Stack) {
		return proxy.Stats{}, nil
	}
	stats, err := w.r.Traffic.Stats(ctx)
	if err != nil {
		return stats, fmt.Errorf("reading the load balancer's stats: %w", err)
	}
	// A replica serves when every route of its service passes it.
	if w.pushed != nil && len(w.pushed.Routes) > 0 && !servesStack(stats, w.name) {
		w.pushed = nil // a new proxy process: push the config again
	}
	passes := map[string]int{}
	routes := map[string]int{}
	for _, rs := range stats.Routes {
		if rs.Stack != w.name {
			continue
		}
		routes[rs.Service]++
		for _, ep := range rs.Endpoints {
			if ep.Healthy {
				passes[ep.ID]++
			}
		}
	}
	for _, c := range actual {
		if n := routes[c.Service]; n > 0 && passes[c.Name] >= n {
			w.mem.Serving[c.ID] = true
		}
	}
	return stats, nil
}

// pushTraffic sends the stack's routes with the current endpoints and
// weights to the load balancer when they changed.
func (w *worker) pushTraffic(ctx context.Context, d Desired, actual []engine.Container) error {
	if w.r.Traffic == nil {
		return nil
	}
	if !hasTraffic(d.Stack) {
		if w.pushed != nil || !w.cleared {
			if err := w.r.Traffic.Delete(ctx, w.name); err != nil {
				return fmt.Errorf("removing the stack's routes from the load balancer: %w", err)
			}
			w.pushed, w.cleared = nil, true
		}
		return nil
	}
	cfg := w.trafficConfig(d, actual)
	if w.pushed != nil && reflect.DeepEqual(*w.pushed, cfg) && time.Since(w.pushedAt) < w.r.resync {
		return nil
	}
	if err := w.r.Traffic.Put(ctx, cfg); err != nil {
		return fmt.Errorf("configuring the load balancer: %w", err)
	}
	w.pushed, w.pushedAt, w.cleared = &cfg, time.Now(), false
	return nil
}

// trafficConfig builds the stack's load balancer config.
func (w *worker) trafficConfig(d Desired, actual []engine.Container) proxy.StackConfig {
	cfg := proxy.StackConfig{Stack: w.name, Routes: []proxy.Route{}}
	for i := range d.Stack.Services {
		svc := &d.Stack.Services[i]
		if !traffic(svc) {
			continue
		}
		lb := svc.Berth.LB.Resolved()
		for _, rt := range svc.Berth.Routes {
			rt = rt.Resolved()
			pr := proxy.Route{
				Service: svc.Name, Listen: rt.Listen, Protocol: rt.Protocol, Host: rt.Host, Path: rt.Path,
				Policy: lb.Policy, Retries: *lb.Retries,
				Health: proxy.HealthCheck{
					Path: lb.Health.Path, Interval: proxy.Duration(lb.Health.Interval), Timeout: proxy.Duration(lb.Health.Timeout),
					Healthy: lb.Health.Healthy, Unhealthy: lb.Health.Unhealthy,
				},
				Timeouts:  proxy.Timeouts{Dial: proxy.Duration(lb.Timeouts.Dial), Header: proxy.Duration(lb.Timeouts.Header), Idle: proxy.Duration(lb.Timeouts.Idle)},
				Eject:     proxy.Eject{Errors: lb.Eject.Errors, Duration: proxy.Duration(lb.Eject.Duration)},
				Endpoints: w.endpoints(d, svc, rt.Port, actual),
			}
			if rt.TLS != nil {
				pr.TLS = &proxy.TLS{Cert: rt.TLS.Cert, Key: rt.TLS.Key}
			}
			cfg.Routes = append(cfg.Routes, pr)
		}
	}
	return cfg
}

// endpoints lists a service's running replicas with their weights.
func (w *worker) endpoints(d Desired, svc *spec.Service, port int, actual []engine.Container) []proxy.Endpoint {
	var eps []proxy.Endpoint
	nNew, nOld := 0, 0
	for _, c := range actual {
		if c.Service != svc.Name || c.State != engine.StateRunning || c.Health == engine.HealthUnhealthy {
			continue
		}
		ip := containerIP(d.Stack, c)
		if ip == "" {
			continue
		}
		if c.Hash == svc.Hash {
			nNew++
		} else {
			nOld++
		}
		eps = append(eps, proxy.Endpoint{ID: c.Name, Addr: ip + ":" + strconv.Itoa(port), Group: group(c)})
	}
	ro := w.mem.Rollouts[svc.Name]
	for i := range eps {
		c := findByName(actual, eps[i].ID)
		eps[i].Weight = weight(svc, ro, c.Hash == svc.Hash, nNew, nOld)
		if w.draining[c.ID] {
			eps[i].Weight = 0
		}
	}
	slices.SortFunc(eps, func(a, b proxy.Endpoint) int { return compareStrings(a.ID, b.ID) })
	return eps
}

// weight is a replica's share of new requests under its service's rollout.
func weight(svc *spec.Service, ro *rollout, isNew bool, nNew, nOld int) int {
	if ro == nil || nOld == 0 {
		return 1
	}
	if ro.Failed != "" {
		return b2i(!isNew)
	}
	switch svc.Berth.Strategy() {
	case spec.StrategyBlueGreen:
		return b2i(isNew == ro.Done)
	case spec.StrategyCanary:
		steps := svc.Berth.Deploy.CanarySteps()
		switch {
		case ro.Done:
			return b2i(isNew)
		case ro.Step >= 0 && ro.Step < len(steps):
			// Per-replica weights that give the new set exactly w% overall.
			if pct := steps[ro.Step].Weight; isNew {
				return pct * nOld
			} else {
				return (100 - pct) * nNew
			}
		}
		return b2i(!isNew)
	}
	return 1
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// group names a replica's version for the load balancer's counters.
func group(c engine.Container) string { return "h" + c.Hash }

// containerIP is the replica's address on the stack's default network, or
// on the first network it is on.
func containerIP(st *spec.Stack, c engine.Container) string {
	if ip := c.IPs[st.Name+"_default"]; ip != "" {
		return ip
	}
	for _, n := range slices.Sorted(maps.Keys(c.IPs)) {
		if c.IPs[n] != "" {
			return c.IPs[n]
		}
	}
	return ""
}

func findByName(cs []engine.Container, name string) engine.Container {
	for _, c := range cs {
		if c.Name == name {
			return c
		}
	}
	return engine.Container{}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// drain takes the containers of drain actions out of rotation and waits
// until their in-flight requests finish or the services' drain deadline
// passes.
func (w *worker) drain(ctx context.Context, d Desired, actions []Action, actual []engine.Container) {
	if w.r.Traffic == nil || d.Stack == nil {
		return
	}
	ids := map[string]string{} // name -> id
	deadline := time.Now()
	for _, a := range actions {
		if !a.Drain {
			continue
		}
		w.draining[a.Container.ID] = true
		ids[a.Container.Name] = a.Container.ID
		if svc := findService(d.Stack, a.Service); svc != nil {
			deadline = later(deadline, time.Now().Add(svc.Berth.LB.Resolved().Drain.D()))
		}
	}
	if len(ids) == 0 {
		return
	}
	if err := w.pushTraffic(ctx, d, actual); err != nil {
		w.log.Warn("draining", "err", err)
		return
	}
	for time.Now().Before(deadline) && ctx.Err() == nil {
		stats, err := w.r.Traffic.Stats(ctx)
		if err != nil {
			return
		}
		if inFlight(stats, w.name, ids) == 0 {
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// inFlight counts requests still running on the named endpoints.
func inFlight(stats proxy.Stats, stack string, names map[string]string) int64 {
	var n int64
	for _, rs := range stats.Routes {
		if rs.Stack != stack {
			continue
		}
		for _, ep := range rs.Endpoints {
			if _, ok := names[ep.ID]; ok {
				n += ep.Active
			}
		}
	}
	return n
}

func servesStack(stats proxy.Stats, stack string) bool {
	return slices.ContainsFunc(stats.Routes, func(rs proxy.RouteStats) bool { return rs.Stack == stack })
}

// awaitingTraffic reports whether a running replica behind the load
// balancer has not passed its health check yet.
func (w *worker) awaitingTraffic(d Desired, actual []engine.Container) bool {
	if d.Stack == nil || w.r.Traffic == nil {
		return false
	}
	for _, c := range actual {
		if svc := findService(d.Stack, c.Service); svc != nil && traffic(svc) && c.State == engine.StateRunning && !w.mem.Serving[c.ID] {
			return true
		}
	}
	return false
}
