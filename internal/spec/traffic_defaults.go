package spec

import "time"

// The traffic settings keep their zero values in the loaded Stack (so the
// stored canonical form says only what the file said, and an older
// revision picks up a changed default); consumers read them through the
// methods below, which fill in the defaults. A zero value therefore always
// means "the default": `healthy: 0` or `keep: 0s` cannot switch a feature
// off. Pointer fields (Retries, MaxSurge, ...) exist where 0 is a useful
// explicit value.

// Defaults of the traffic settings.
const (
	DefaultListen       = "127.0.0.1:80"
	DefaultProtocol     = ProtocolHTTP
	DefaultPath         = "/"
	DefaultPolicy       = PolicyRoundRobin
	DefaultRetries      = 2
	DefaultSurge        = 1
	DefaultUnavailable  = 0
	DefaultMaxErrorRate = 0.05
	DefaultMinRequests  = 20
)

// Strategy is the effective deploy strategy: Deploy.Strategy when set,
// else rolling for a service with routes (the load balancer can move
// traffic replica by replica) and recreate otherwise.
func (o ServiceOptions) Strategy() string {
	switch {
	case o.Deploy.Strategy != "":
		return o.Deploy.Strategy
	case len(o.Routes) > 0:
		return StrategyRolling
	}
	return StrategyRecreate
}

// Surge is MaxSurge, default 1.
func (d Deploy) Surge() int { return intOr(d.MaxSurge, DefaultSurge) }

// Unavailable is MaxUnavailable, default 0.
func (d Deploy) Unavailable() int { return intOr(d.MaxUnavailable, DefaultUnavailable) }

// GateTimeout is how long a new replica may take to become ready, default
// 60s.
func (d Deploy) GateTimeout() time.Duration { return durationOr(d.Timeout, time.Minute) }

// KeepFor is how long blue-green keeps the old set after the switch,
// default 5m.
func (d Deploy) KeepFor() time.Duration { return durationOr(d.Keep, 5*time.Minute) }

// CanarySteps are the canary's steps, default 10% then 50%, 30s each. The
// slice is the caller's to keep.
func (d Deploy) CanarySteps() []CanaryStep {
	if len(d.Steps) > 0 {
		return append([]CanaryStep(nil), d.Steps...)
	}
	hold := Duration(30 * time.Second)
	return []CanaryStep{{Weight: 10, Hold: hold}, {Weight: 50, Hold: hold}}
}

// MaxErrorRate is Analysis.MaxErrorRate, default 0.05.
func (d Deploy) MaxErrorRate() float64 {
	if r := d.Analysis.MaxErrorRate; r != nil {
		return *r
	}
	return DefaultMaxErrorRate
}

// MinRequests is Analysis.MinRequests, default 20.
func (d Deploy) MinRequests() int { return intOr(d.Analysis.MinRequests, DefaultMinRequests) }

// Resolved returns a copy of l with every default filled in: policy
// round_robin; health every 1s, timeout 1s, 1 pass in, 2 failures out;
// 2 retries (Retries is never nil); timeouts dial 2s, header 30s, idle
// 60s; ejection after 5 errors for 10s; drain 10s. Health.Path stays as
// set: empty means a TCP connect check.
func (l LB) Resolved() LB {
	l.Policy = stringOr(l.Policy, DefaultPolicy)
	h := &l.Health
	h.Interval = Duration(durationOr(h.Interval, time.Second))
	h.Timeout = Duration(durationOr(h.Timeout, time.Second))
	h.Healthy = positiveOr(h.Healthy, 1)
	h.Unhealthy = positiveOr(h.Unhealthy, 2)
	retries := intOr(l.Retries, DefaultRetries)
	l.Retries = &retries // a fresh pointer: the copy shares nothing with l
	t := &l.Timeouts
	t.Dial = Duration(durationOr(t.Dial, 2*time.Second))
	t.Header = Duration(durationOr(t.Header, 30*time.Second))
	t.Idle = Duration(durationOr(t.Idle, time.Minute))
	l.Eject.Errors = positiveOr(l.Eject.Errors, 5)
	l.Eject.Duration = Duration(durationOr(l.Eject.Duration, 10*time.Second))
	l.Drain = Duration(durationOr(l.Drain, 10*time.Second))
	return l
}

// Resolved returns a copy of r with the defaults filled in: protocol
// http, listen 127.0.0.1:80, and for HTTP path "/". TLS paths are already
// absolute after Load.
func (r Route) Resolved() Route {
	r.Protocol = stringOr(r.Protocol, DefaultProtocol)
	r.Listen = stringOr(r.Listen, DefaultListen)
	if r.Protocol == ProtocolHTTP {
		r.Path = stringOr(r.Path, DefaultPath)
	}
	if r.TLS != nil {
		tls := *r.TLS
		r.TLS = &tls
	}
	return r
}

// Route protocols.
const (
	ProtocolHTTP = "http"
	ProtocolTCP  = "tcp"
)

// LB policies.
const (
	PolicyRoundRobin = "round_robin"
	PolicyLeastConn  = "least_conn"
)

func intOr(p *int, def int) int {
	if p != nil {
		return *p
	}
	return def
}

func positiveOr(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

func durationOr(d Duration, def time.Duration) time.Duration {
	if d > 0 {
		return d.D()
	}
	return def
}

func stringOr(s, def string) string {
	if s != "" {
		return s
	}
	return def
}
