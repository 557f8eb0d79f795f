package reconcile

import (
	"fmt"

	"github.com/berth-dev/berth/internal/engine"
)

// Kind is what an action does to a slot.
type Kind string

// Action kinds.
const (
	// Create makes the missing container of a slot and starts it.
	Create Kind = "create"
	// Start starts a container that was created but never started.
	Start Kind = "start"
	// Restart starts an exited container again (crash or stop by hand).
	Restart Kind = "restart"
	// Replace stops and removes a slot's container and creates a new one
	// (the spec changed, or the container stayed unhealthy).
	Replace Kind = "replace"
	// Remove stops and removes a container that should not exist.
	Remove Kind = "remove"
)

// Action is one step of a plan.
type Action struct {
	Kind    Kind
	Service string
	Slot    int
	// Container is the existing container the action works on (zero for
	// Create).
	Container engine.Container
	// Event is the journal kind recorded when the action is applied: it
	// differs from Kind where the cause matters (drift, unhealthy...).
	Event  string
	Reason string
	// Drain takes the container out of the load balancer's rotation and
	// waits for its in-flight requests before it is stopped.
	Drain bool
}

// String renders the action for logs and `berth plan`.
func (a Action) String() string {
	return fmt.Sprintf("%s %s/%d: %s", a.Kind, a.Service, a.Slot, a.Reason)
}
