// Package reconcile keeps the engine converged on the stacks in the store.
//
// It is level-triggered: on every wake-up (an engine event, an API change,
// a backoff timer or the periodic resync) it lists what the engine runs,
// plans the difference with a pure function (Plan), and applies the
// actions with bounded parallelism. Applying is idempotent and container
// names are unique per slot, so a crash at any point is recovered by simply
// running the loop again: no duplicates, no orphans.
package reconcile
