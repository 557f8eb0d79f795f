package alert

import (
	"fmt"
	"time"
)

// State is where an alert is in its life cycle.
type State int

// The states of an alert: inactive (not tracked), pending (the condition
// holds, For has not elapsed), firing, and resolved (was firing, the
// condition stopped holding).
const (
	StateInactive State = iota
	StatePending
	StateFiring
	StateResolved
)

var stateNames = [...]string{"inactive", "pending", "firing", "resolved"}

// String returns the state's lower-case name.
func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Alert is one label set of one rule and its state.
type Alert struct {
	Rule        string
	Labels      map[string]string // the series' labels, the rule's labels and alertname
	Annotations map[string]string // expanded with the latest value
	State       State
	Value       float64   // the aggregate at the last evaluation that held
	ActiveAt    time.Time // when the condition started holding
	FiredAt     time.Time // zero until firing
	ResolvedAt  time.Time // zero until resolved
}

// Event is a state change of an alert: the alert after the change, the
// state it left and when.
type Event struct {
	Alert
	From State
	At   time.Time
}

// tracked is an alert plus its notification bookkeeping.
type tracked struct {
	Alert
	lastSent time.Time
	changed  bool // a transition to firing or resolved not yet sent
}

// sample is one active label set found by an evaluation.
type sample struct {
	labels map[string]string
	value  float64
}
