package spec

// Traffic settings of a service's `x-berth`: the routes the built-in load
// balancer serves for it, how it balances, and how new versions roll out.
//
//	x-berth:
//	  routes:
//	    - listen: 127.0.0.1:8080   # default 127.0.0.1:80
//	      host: app.example.com    # optional
//	      path: /api               # prefix, default /
//	      port: 8080               # container port (required)
//	    - protocol: tcp
//	      listen: 127.0.0.1:5433
//	      port: 5432
//	  lb:
//	    policy: least_conn
//	    health: {path: /health, interval: 1s}
//	  deploy:
//	    strategy: canary
//	    steps: [{weight: 10, hold: 30s}, {weight: 50, hold: 30s}]

// Route is one entry of `x-berth.routes`.
type Route struct {
	// Listen is host:port the load balancer listens on.
	Listen string `json:"listen,omitempty"`
	// Protocol is "http" (default) or "tcp".
	Protocol string `json:"protocol,omitempty"`
	// Host matches the HTTP Host header ("" any, "*.example.com" subdomains).
	Host string `json:"host,omitempty"`
	// Path is an HTTP path prefix (default "/").
	Path string `json:"path,omitempty"`
	// Port is the container port traffic goes to.
	Port int `json:"port,omitempty"`
	// TLS terminates TLS on the listener (HTTP only).
	TLS *RouteTLS `json:"tls,omitempty"`
}

// RouteTLS names PEM certificate and key files (relative to the stack's
// directory, resolved to absolute paths at load).
type RouteTLS struct {
	Cert string `json:"cert,omitempty"`
	Key  string `json:"key,omitempty"`
}

// LB is `x-berth.lb`: how the load balancer treats the service's replicas.
type LB struct {
	// Policy is round_robin (default) or least_conn.
	Policy string `json:"policy,omitempty"`
	// Health is the load balancer's active health check.
	Health LBHealth `json:"health,omitempty"`
	// Retries on another replica after a connection failure (default 2).
	Retries *int `json:"retries,omitempty"`
	// Timeouts for dial (default 2s), response header (default 30s) and
	// idle client connections (default 60s).
	Timeouts LBTimeouts `json:"timeouts,omitempty"`
	// Eject is passive outlier ejection: Errors consecutive failures or
	// 5xx answers (default 5) eject a replica for Duration (default 10s).
	Eject LBEject `json:"eject,omitempty"`
	// Drain is how long a replica leaving rotation may finish in-flight
	// requests before it is stopped (default 10s).
	Drain Duration `json:"drain,omitempty"`
}

// LBHealth is an active health check: GET Path (TCP connect when empty)
// every Interval (default 1s), Timeout (default 1s); Healthy passes
// (default 1) bring a replica in, Unhealthy failures (default 2) take it out.
type LBHealth struct {
	Path      string   `json:"path,omitempty"`
	Interval  Duration `json:"interval,omitempty"`
	Timeout   Duration `json:"timeout,omitempty"`
	Healthy   int      `json:"healthy,omitempty"`
	Unhealthy int      `json:"unhealthy,omitempty"`
}

// LBTimeouts are the load balancer's per-request timeouts.
type LBTimeouts struct {
	Dial   Duration `json:"dial,omitempty"`
	Header Duration `json:"header,omitempty"`
	Idle   Duration `json:"idle,omitempty"`
}

// LBEject is passive outlier ejection.
type LBEject struct {
	Errors   int      `json:"errors,omitempty"`
	Duration Duration `json:"duration,omitempty"`
}

// Deploy strategies.
const (
	StrategyRolling   = "rolling"
	StrategyBlueGreen = "blue_green"
	StrategyCanary    = "canary"
	// StrategyRecreate stops old replicas before new ones start (the
	// behaviour without routes when no strategy is named).
	StrategyRecreate = "recreate"
)

// Deploy is `x-berth.deploy`: how a new version of the service replaces
// the running one.
type Deploy struct {
	// Strategy is rolling, blue_green, canary or recreate. The default is
	// rolling for a service with routes and recreate otherwise.
	Strategy string `json:"strategy,omitempty"`
	// MaxSurge is how many replicas above the wanted count may run during
	// a rolling deploy (default 1); MaxUnavailable how many below it may be
	// ready (default 0). They cannot both be 0.
	MaxSurge       *int `json:"max_surge,omitempty"`
	MaxUnavailable *int `json:"max_unavailable,omitempty"`
	// Timeout is how long a new replica may take to become ready (healthy
	// and in the load balancer's rotation) before the deploy fails and
	// rolls back (default 60s).
	Timeout Duration `json:"timeout,omitempty"`
	// Keep is how long blue-green keeps the old set after the switch, for
	// an instant undo (default 5m).
	Keep Duration `json:"keep,omitempty"`
	// Steps are the canary's traffic weights, each held for its Hold;
	// 100% follows the last step (default 10% then 50%, 30s each).
	Steps []CanaryStep `json:"steps,omitempty"`
	// Analysis decides whether a canary step passes.
	Analysis Analysis `json:"analysis,omitempty"`
}

// CanaryStep sends Weight percent of traffic to the new version for Hold.
type CanaryStep struct {
	Weight int      `json:"weight,omitempty"`
	Hold   Duration `json:"hold,omitempty"`
}

// Analysis compares the canary with the stable set over each step: the
// step fails when the canary's 5xx-and-error rate exceeds MaxErrorRate
// (default 0.05) and the stable set's by more than half of it, or its p95
// latency exceeds MaxP95 (0: not checked). A step with fewer than
// MinRequests canary requests (default 20) is held longer, up to 3x Hold,
// then judged on what it saw.
type Analysis struct {
	MaxErrorRate *float64 `json:"max_error_rate,omitempty"`
	MaxP95       Duration `json:"max_p95,omitempty"`
	MinRequests  *int     `json:"min_requests,omitempty"`
}
