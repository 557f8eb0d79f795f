package engine

// Labels berth sets on every container, network and volume it creates, so
// that the actual state can be rebuilt from the engine alone.
const (
	LabelManaged  = "dev.berth.managed"  // "true"
	LabelStack    = "dev.berth.stack"    // stack name
	LabelService  = "dev.berth.service"  // service name
	LabelSlot     = "dev.berth.slot"     // replica slot, 1-based
	LabelRevision = "dev.berth.revision" // stack revision number that created it
	LabelHash     = "dev.berth.hash"     // spec hash of the service
	// Compose's own labels are set too so that `docker compose ps` and
	// tools that read them see berth's containers as a project.
	LabelComposeProject = "com.docker.compose.project"
	LabelComposeService = "com.docker.compose.service"
	LabelComposeNumber  = "com.docker.compose.container-number"
)
