// Package engine is berth's model of what a container engine runs: the
// labels berth puts on every object it creates, and the engine-neutral view
// of a container that the reconciler plans against. The Docker Engine API
// implementation lives in engine/docker.
package engine
