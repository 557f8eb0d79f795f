// Package store is berth's embedded persistence (bbolt): every applied
// revision of every stack, per-stack scale overrides, and the event
// journal. Each write is one fsynced transaction, so whatever the daemon has
// acknowledged survives a crash.
package store
