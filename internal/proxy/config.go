package proxy

import (
	"encoding/json"
	"fmt"
	"time"
)

// StackConfig is everything the proxy serves for one stack. The daemon
// pushes it whole (PUT /v1/stacks/{stack}); it replaces the stack's
// previous config atomically.
type StackConfig struct {
	Stack  string  `json:"stack"`
	Routes []Route `json:"routes"`
}

// Protocols a route can speak.
const (
	ProtocolHTTP = "http"
	ProtocolTCP  = "tcp"
)

// Policies for choosing an endpoint. Endpoint weights apply under both.
const (
	PolicyRoundRobin = "round_robin"
	PolicyLeastConn  = "least_conn"
)

// Route sends traffic arriving on Listen (and, for HTTP, matching Host and
// Path) to one service's endpoints.
type Route struct {
	// Service names the stack's service the route belongs to (for stats,
	// logs and errors).
	Service string `json:"service"`
	// Listen is the address to listen on, host:port.
	Listen string `json:"listen"`
	// Protocol is "http" (default) or "tcp".
	Protocol string `json:"protocol,omitempty"`
	// Host matches the request's Host header without port; "" matches any.
	// A leading "*." matches any subdomain.
	Host string `json:"host,omitempty"`
	// Path is a path prefix; "" and "/" match everything. The longest
	// matching prefix on a listener wins.
	Path string `json:"path,omitempty"`
	// TLS terminates TLS on the listener with these files (HTTP only). The
	// files are re-read when they change, without dropping connections.
	TLS *TLS `json:"tls,omitempty"`
	// Policy is round_robin (default) or least_conn.
	Policy    string      `json:"policy,omitempty"`
	Endpoints []Endpoint  `json:"endpoints"`
	Health    HealthCheck `json:"health"`
	// Retries is how many other endpoints a request may be retried on after
	// a connection failure (any request whose body was not yet sent) or,
	// for idempotent methods without a body, after a reset before any
	// response byte.
	Retries  int      `json:"retries"`
	Timeouts Timeouts `json:"timeouts"`
	Eject    Eject    `json:"eject"`
}

// TLS names certificate and key files in PEM.
type TLS struct {
	Cert string `json:"cert"`
	Key  string `json:"key"`
}

// Endpoint is one replica's address.
type Endpoint struct {
	// ID names the replica (its container name).
	ID string `json:"id"`
	// Addr is ip:port.
	Addr string `json:"addr"`
	// Weight is its relative share of new requests; 0 takes it out of
	// rotation (draining) while in-flight requests finish.
	Weight int `json:"weight"`
	// Group labels the endpoint for stats (the revision it runs, e.g.
	// "r7"), so a canary can be compared with the stable set.
	Group string `json:"group,omitempty"`
}

// HealthCheck is the active health check of a route's endpoints. A new
// endpoint is probed at once and enters rotation only after its first
// passing probe.
type HealthCheck struct {
	// Path is probed with GET and must answer 2xx or 3xx; "" means a TCP
	// connect check.
	Path      string   `json:"path,omitempty"`
	Interval  Duration `json:"interval"`
	Timeout   Duration `json:"timeout"`
	Healthy   int      `json:"healthy"`   // passes to enter rotation again
	Unhealthy int      `json:"unhealthy"` // failures to leave rotation
}

// Timeouts bound each phase of a proxied request.
type Timeouts struct {
	Dial   Duration `json:"dial"`
	Header Duration `json:"header"` // from request sent to response head received
	Idle   Duration `json:"idle"`   // idle client keep-alive connections
}

// Eject is passive outlier ejection: Errors consecutive connection errors
// or 5xx answers take an endpoint out of rotation for Duration.
type Eject struct {
	Errors   int      `json:"errors"`
	Duration Duration `json:"duration"`
}

// Stats is the proxy's counters, as GET /v1/stats returns them.
type Stats struct {
	Routes []RouteStats `json:"routes"`
}

// RouteStats counts one route's traffic.
type RouteStats struct {
	Stack     string          `json:"stack"`
	Service   string          `json:"service"`
	Listen    string          `json:"listen"`
	Host      string          `json:"host,omitempty"`
	Path      string          `json:"path,omitempty"`
	Endpoints []EndpointStats `json:"endpoints"`
	// NoEndpoint counts requests answered 502/503 by the proxy because no
	// endpoint was available.
	NoEndpoint uint64 `json:"no_endpoint"`
}

// EndpointStats counts one endpoint's traffic since it was added.
type EndpointStats struct {
	ID     string `json:"id"`
	Addr   string `json:"addr"`
	Group  string `json:"group,omitempty"`
	Weight int    `json:"weight"`
	// Healthy is the active health check's verdict; Ejected is passive
	// ejection. An endpoint takes new requests when Weight > 0, Healthy
	// and not Ejected.
	Healthy bool `json:"healthy"`
	Ejected bool `json:"ejected"`
	// Active is requests (or TCP connections) in flight.
	Active int64 `json:"active"`
	// Requests by status class: index 0 is 1xx ... 4 is 5xx.
	Requests [5]uint64 `json:"requests"`
	// Errors counts connection failures and timeouts to this endpoint.
	Errors uint64 `json:"errors"`
	// Latency is a histogram of time to response head, in seconds, with
	// cumulative counts per upper bound in LatencyBuckets.
	Latency []uint64 `json:"latency"`
	// LatencySum is the sum of observed latencies in seconds.
	LatencySum float64 `json:"latency_sum"`
	// BytesIn / BytesOut count body bytes from and to clients.
	BytesIn  uint64 `json:"bytes_in"`
	BytesOut uint64 `json:"bytes_out"`
}

// LatencyBuckets are the upper bounds, in seconds, of the latency
// histogram (Prometheus convention: cumulative, +Inf implied last).
var LatencyBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Duration is a time.Duration that travels as "1.5s" in JSON.
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a Go duration string (or a number of nanoseconds).
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n int64
		if err2 := json.Unmarshal(b, &n); err2 != nil {
			return fmt.Errorf("duration: want a string like \"1s\": %w", err)
		}
		*d = Duration(n)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}
