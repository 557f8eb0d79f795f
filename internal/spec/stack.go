package spec

import (
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

// Stack is a Compose project that loaded, resolved and validated, plus
// berth's own settings. It is immutable once loaded: the reconciler and the
// store share it freely.
type Stack struct {
	// Name is the Compose project name (top-level `name`, -p, or the
	// directory name), which is also berth's stack name.
	Name string
	// Project is the fully resolved Compose model (interpolated, merged,
	// extends applied, profiles filtered, paths absolute).
	Project *types.Project
	// Berth holds the top-level `x-berth` settings, defaults applied.
	Berth StackOptions
	// Services are the enabled services in dependency order: every service
	// comes after the services it depends on.
	Services []Service
	// Hash identifies the whole resolved stack: the sha256 of its
	// canonical form (see [Stack.Canonical]), shortened to 16 hex digits.
	Hash string
}

// Service is one Compose service as berth deploys it.
type Service struct {
	// Name is the Compose service name.
	Name string
	// Config is the resolved Compose service.
	Config types.ServiceConfig
	// Berth holds the service's `x-berth` settings, defaults applied.
	Berth ServiceOptions
	// Replicas is the desired number of slots (deploy.replicas or scale,
	// default 1).
	Replicas int
	// Restart is the effective restart policy: "always", "on-failure",
	// "unless-stopped" or "no". An unset policy means "always", except for
	// a service another one waits on with service_completed_successfully,
	// which gets "on-failure". `restart:` wins over
	// deploy.restart_policy.condition (none, on-failure, any).
	Restart string
	// MaxRetries bounds on-failure restarts (0 means unbounded).
	MaxRetries int
	// Image is the image reference containers run: `image`, or
	// "<stack>-<service>" for a `build:` service without one.
	Image string
	// Hash identifies everything that shapes one container of this service
	// (replica count excluded): a container whose hash label differs is
	// replaced. It is the sha256 of the service's JSON with scale,
	// deploy.replicas and profiles cleared, plus its x-berth settings
	// except routes, lb and deploy (load balancer settings, which change
	// no container).
	Hash string
}

// StackOptions are the top-level `x-berth` settings.
type StackOptions struct {
	// Parallelism bounds concurrent engine operations for this stack.
	Parallelism int `json:"parallelism,omitempty"`
	// Resync is the period of the level-triggered full resync.
	Resync Duration `json:"resync,omitempty"`
	// Alerts are the stack's own alert rules (see alerts.go).
	Alerts []AlertRule `json:"alerts,omitempty"`
}

// ServiceOptions are a service's `x-berth` settings.
type ServiceOptions struct {
	// Backoff is the restart backoff after a crash.
	Backoff Backoff `json:"backoff,omitempty"`
	// CrashLoop says when repeated crashes are reported as a crash loop.
	CrashLoop CrashLoop `json:"crash_loop,omitempty"`
	// UnhealthyGrace is how long a replica may stay unhealthy (as reported
	// by its health check) before it is replaced.
	UnhealthyGrace Duration `json:"unhealthy_grace,omitempty"`
	// MinReady is how long a replica must have been running (and healthy,
	// where it has a health check) before it counts as ready: it keeps
	// `up --wait` from declaring success on a container about to crash.
	MinReady Duration `json:"min_ready,omitempty"`
	// Routes are the load balancer's routes to this service.
	Routes []Route `json:"routes,omitempty"`
	// LB is how the load balancer treats its replicas.
	LB LB `json:"lb,omitempty"`
	// Deploy is how a new version replaces the running one.
	Deploy Deploy `json:"deploy,omitempty"`
}

// Backoff is an exponential restart backoff.
type Backoff struct {
	// Initial is the delay before the first restart; it doubles per
	// restart up to Max.
	Initial Duration `json:"initial,omitempty"`
	// Max caps the delay.
	Max Duration `json:"max,omitempty"`
}

// CrashLoop marks a service as crash looping after Restarts restarts within
// Window.
type CrashLoop struct {
	// Restarts is how many restarts make a crash loop.
	Restarts int `json:"restarts,omitempty"`
	// Window is the period they must happen in.
	Window Duration `json:"window,omitempty"`
}

// Duration is a time.Duration that decodes from "1m30s" style strings.
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }
