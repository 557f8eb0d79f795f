package proxy

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Defaults applied to zero fields of a pushed config.
const (
	defaultInterval    = time.Second
	defaultTimeout     = time.Second
	defaultHealthy     = 1
	defaultUnhealthy   = 2
	defaultDial        = 2 * time.Second
	defaultHeader      = 30 * time.Second
	defaultIdle        = 60 * time.Second
	defaultEjectErrors = 5
	defaultEjectFor    = 10 * time.Second
)

// normalize validates a stack config and returns a copy with defaults
// filled in, so the rest of the proxy never checks for zero values.
func normalize(cfg StackConfig) (StackConfig, error) {
	if !validName(cfg.Stack) {
		return cfg, fmt.Errorf("stack name %q: want letters, digits, '.', '-' or '_'", cfg.Stack)
	}
	out := StackConfig{Stack: cfg.Stack, Routes: make([]Route, len(cfg.Routes))}
	seen := map[string]int{}
	for i, r := range cfg.Routes {
		n, err := normalizeRoute(r)
		if err != nil {
			return cfg, fmt.Errorf("route %d (service %q): %w", i, r.Service, err)
		}
		k := claimKey(n)
		if j, dup := seen[k]; dup {
			return cfg, fmt.Errorf("route %d (service %q): %s is also claimed by route %d", i, r.Service, describeClaim(n), j)
		}
		seen[k] = i
		out.Routes[i] = n
	}
	return out, nil
}

func normalizeRoute(r Route) (Route, error) {
	if r.Service == "" {
		return r, fmt.Errorf("service is empty")
	}
	listen, err := normalizeListen(r.Listen)
	if err != nil {
		return r, err
	}
	r.Listen = listen
	if err := normalizeMatch(&r); err != nil {
		return r, err
	}
	switch r.Policy {
	case "":
		r.Policy = PolicyRoundRobin
	case PolicyRoundRobin, PolicyLeastConn:
	default:
		return r, fmt.Errorf("policy %q: want %s or %s", r.Policy, PolicyRoundRobin, PolicyLeastConn)
	}
	if r.Retries < 0 {
		return r, fmt.Errorf("retries %d is negative", r.Retries)
	}
	eps, err := normalizeEndpoints(r.Endpoints)
	if err != nil {
		return r, err
	}
	r.Endpoints = eps
	r.Health = normalizeHealth(r.Health)
	r.Timeouts = normalizeTimeouts(r.Timeouts)
	r.Eject = normalizeEject(r.Eject)
	return r, nil
}

// normalizeMatch checks protocol, host, path and TLS together because
// which of them make sense depends on the protocol.
func normalizeMatch(r *Route) error {
	switch r.Protocol {
	case "", ProtocolHTTP:
		r.Protocol = ProtocolHTTP
	case ProtocolTCP:
		if r.Host != "" || (r.Path != "" && r.Path != "/") || r.TLS != nil {
			return fmt.Errorf("a tcp route cannot match host or path or terminate TLS")
		}
		r.Path = ""
		return nil
	default:
		return fmt.Errorf("protocol %q: want %s or %s", r.Protocol, ProtocolHTTP, ProtocolTCP)
	}
	host := strings.TrimSuffix(strings.ToLower(r.Host), ".")
	if strings.Contains(host, "*") && (!strings.HasPrefix(host, "*.") || strings.Count(host, "*") > 1 || len(host) < 3) {
		return fmt.Errorf("host %q: a wildcard must be a leading \"*.\"", r.Host)
	}
	if strings.ContainsAny(host, " /:") {
		return fmt.Errorf("host %q: want a host name without port", r.Host)
	}
	r.Host = host
	if r.Path == "" {
		r.Path = "/"
	}
	if r.Path[0] != '/' || strings.ContainsAny(r.Path, " ?#") {
		return fmt.Errorf("path %q: want an absolute path prefix", r.Path)
	}
	if r.TLS != nil && (r.TLS.Cert == "" || r.TLS.Key == "") {
		return fmt.Errorf("tls: cert and key are both required")
	}
	return nil
}

func normalizeListen(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("listen %q: %w", addr, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return "", fmt.Errorf("listen %q: port must be 1-65535", addr)
	}
	if host != "" && net.ParseIP(host) == nil {
		return "", fmt.Errorf("listen %q: want an IP address, not a name", addr)
	}
	return net.JoinHostPort(host, strconv.Itoa(p)), nil
}

func normalizeEndpoints(in []Endpoint) ([]Endpoint, error) {
	out := make([]Endpoint, len(in))
	seen := map[string]bool{}
	for i, e := range in {
		if _, _, err := net.SplitHostPort(e.Addr); err != nil {
			return nil, fmt.Errorf("endpoint %q: address %q: %w", e.ID, e.Addr, err)
		}
		if e.Weight < 0 {
			return nil, fmt.Errorf("endpoint %q: weight %d is negative", e.ID, e.Weight)
		}
		if seen[e.Addr] {
			return nil, fmt.Errorf("endpoint %q: address %s is listed twice", e.ID, e.Addr)
		}
		seen[e.Addr] = true
		out[i] = e
	}
	return out, nil
}

func normalizeHealth(h HealthCheck) HealthCheck {
	h.Interval = orDefault(h.Interval, defaultInterval)
	h.Timeout = orDefault(h.Timeout, defaultTimeout)
	if h.Healthy <= 0 {
		h.Healthy = defaultHealthy
	}
	if h.Unhealthy <= 0 {
		h.Unhealthy = defaultUnhealthy
	}
	return h
}

func normalizeTimeouts(t Timeouts) Timeouts {
	t.Dial = orDefault(t.Dial, defaultDial)
	t.Header = orDefault(t.Header, defaultHeader)
	t.Idle = orDefault(t.Idle, defaultIdle)
	return t
}

func normalizeEject(e Eject) Eject {
	if e.Errors <= 0 {
		e.Errors = defaultEjectErrors
	}
	e.Duration = orDefault(e.Duration, defaultEjectFor)
	return e
}

func orDefault(d Duration, def time.Duration) Duration {
	if d <= 0 {
		return Duration(def)
	}
	return d
}

func validName(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, c := range []byte(s) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}

// claimKey identifies what a route claims on its listener.
func claimKey(r Route) string { return r.Listen + " " + r.Host + " " + r.Path }

func describeClaim(r Route) string {
	if r.Protocol == ProtocolTCP {
		return fmt.Sprintf("tcp listener %s", r.Listen)
	}
	return fmt.Sprintf("listen %s host %q path %q", r.Listen, r.Host, r.Path)
}
