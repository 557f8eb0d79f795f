package api

import (
	"time"

	"github.com/berth-dev/berth/internal/engine"
	"github.com/berth-dev/berth/internal/reconcile"
	"github.com/berth-dev/berth/internal/store"
)

// UpRequest deploys a stack revision.
type UpRequest struct {
	// Spec is the canonical, fully resolved Compose YAML (spec.Canonical).
	Spec    []byte   `json:"spec"`
	Sources []string `json:"sources,omitempty"`
	Wait    bool     `json:"wait,omitempty"`
	// Timeout bounds the wait, in seconds (default 300).
	Timeout int `json:"timeout,omitempty"`
}

// ScaleRequest sets one service's replica count.
type ScaleRequest struct {
	Service  string `json:"service"`
	Replicas int    `json:"replicas"`
	Wait     bool   `json:"wait,omitempty"`
	Timeout  int    `json:"timeout,omitempty"`
}

// DownRequest takes a stack down.
type DownRequest struct {
	Volumes bool `json:"volumes,omitempty"`
	Wait    bool `json:"wait,omitempty"`
	Timeout int  `json:"timeout,omitempty"`
}

// RestartRequest restarts services (all when empty).
type RestartRequest struct {
	Services []string `json:"services,omitempty"`
}

// PlanResponse is what `up` would change.
type PlanResponse struct {
	Stack    string            `json:"stack"`
	Changed  bool              `json:"changed"`
	Actions  []PlannedAction   `json:"actions"`
	Waiting  map[string]string `json:"waiting,omitempty"`
	Revision int64             `json:"current_revision"`
}

// PlannedAction is one step of a plan.
type PlannedAction struct {
	Kind      string `json:"kind"`
	Service   string `json:"service"`
	Slot      int    `json:"slot"`
	Container string `json:"container,omitempty"`
	Reason    string `json:"reason"`
}

// Message is one line of a streamed response.
type Message struct {
	// Type is revision, event, status, log or result.
	Type     string            `json:"type"`
	Revision *store.Revision   `json:"revision,omitempty"`
	Changed  bool              `json:"changed,omitempty"`
	Event    *store.Event      `json:"event,omitempty"`
	Status   *reconcile.Status `json:"status,omitempty"`
	Log      *LogEntry         `json:"log,omitempty"`
	OK       bool              `json:"ok,omitempty"`
	Error    string            `json:"error,omitempty"`
}

// LogEntry is a container's log line, tagged with where it came from.
type LogEntry struct {
	Time      time.Time         `json:"time"`
	Stack     string            `json:"stack"`
	Service   string            `json:"service"`
	Container string            `json:"container"`
	Stream    string            `json:"stream"`
	Level     string            `json:"level,omitempty"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	Text      string            `json:"text"`
	Truncated bool              `json:"truncated,omitempty"`
}

// StackInfo is a stack with its status, for `berth stacks` and `inspect`.
type StackInfo struct {
	store.Stack
	Status     *reconcile.Status  `json:"status,omitempty"`
	Containers []engine.Container `json:"containers,omitempty"`
	Revisions  []store.Revision   `json:"revisions,omitempty"`
}

// VersionInfo describes the daemon and its engine.
type VersionInfo struct {
	Version string `json:"version"`
	Engine  string `json:"engine"`
	Data    string `json:"data_dir"`
}

// ErrorBody is the JSON body of every non-2xx response.
type ErrorBody struct {
	Error string `json:"error"`
}
