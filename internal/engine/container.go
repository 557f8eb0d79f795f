package engine

import (
	"errors"
	"time"
)

// State is a container's lifecycle state as the engine reports it.
type State string

// Container states (the Docker Engine's names).
const (
	StateCreated    State = "created"
	StateRunning    State = "running"
	StateRestarting State = "restarting"
	StateExited     State = "exited"
	StatePaused     State = "paused"
	StateDead       State = "dead"
	StateRemoving   State = "removing"
)

// Health is a container's health check status.
type Health string

// Health statuses; HealthNone means the container has no health check.
const (
	HealthNone      Health = ""
	HealthStarting  Health = "starting"
	HealthHealthy   Health = "healthy"
	HealthUnhealthy Health = "unhealthy"
)

// Container is one managed container as observed on the engine.
type Container struct {
	ID       string
	Name     string
	Stack    string
	Service  string
	Slot     int
	Revision int64
	Hash     string
	Image    string
	State    State
	Health   Health
	ExitCode int
	// OOMKilled reports that the last exit was the kernel's OOM killer.
	OOMKilled  bool
	StartedAt  time.Time
	FinishedAt time.Time
	// Ports lists published ports as "hostIP:hostPort->containerPort/proto".
	Ports []string
	// IPs maps network name to the container's address on it.
	IPs map[string]string
	// PID is the main process's PID on the host (Inspect only).
	PID int `json:",omitempty"`
}

// Running reports whether the container's process is up.
func (c Container) Running() bool {
	return c.State == StateRunning || c.State == StateRestarting
}

// Event is an engine event about a managed container.
type Event struct {
	Action      string // die, oom, health_status, destroy, start, stop, ...
	Detail      string // what follows "action: " (health_status: healthy)
	ContainerID string
	Stack       string
	Service     string
	Name        string // container name
	Time        time.Time
}

// ErrNotFound is returned when a container, network or volume is gone.
var ErrNotFound = errors.New("not found")

// ErrUnstartable is returned when a container can never be started again
// (the engine lost what it refers to, or kept a stale task for it across
// a restart): the caller should replace it.
var ErrUnstartable = errors.New("cannot be started again")
