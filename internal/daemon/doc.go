// Package daemon is berth's composition root: it opens the store, connects
// to the engine, starts the reconcile loop and serves the API, and shuts
// them down in order.
package daemon
