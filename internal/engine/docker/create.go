package docker

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/berth-dev/berth/internal/spec"
)

// createPlan is everything needed to create one container of a service.
type createPlan struct {
	// Options is the create request; Options.Name is the container name.
	Options client.ContainerCreateOptions
	// Extra lists the networks to connect after create, in priority order:
	// API 1.41 accepts only one endpoint at create time.
	Extra []networkAttachment
}

// networkAttachment is one network connect to make after create.
type networkAttachment struct {
	Network  string
	Endpoint *network.EndpointSettings
}

// createBuild is the create request under construction; each field group
// of the Compose service fills in its part.
type createBuild struct {
	st   *spec.Stack
	svc  *spec.Service
	sc   *types.ServiceConfig
	cfg  *container.Config
	host *container.HostConfig
	plan *createPlan
}

// createStep translates one field group of a Compose service.
type createStep struct {
	field string
	apply func(*createBuild) error
}

// createSteps are the field groups in translation order. The field names
// appear in errors, so they use Compose's spelling.
var createSteps = []createStep{
	{"command", applyProcess},
	{"environment", applyEnvironment},
	{"stop_grace_period", applyStop},
	{"healthcheck", applyHealthcheck},
	{"security", applySecurity},
	{"namespaces", applyNamespaces},
	{"dns", applyDNS},
	{"devices", applyDevices},
	{"ulimits", applyUlimits},
	{"logging", applyLogging},
	{"tmpfs", applyTmpfs},
	{"resources", applyResources},
	{"ports", applyPorts},
	{"volumes", applyVolumes},
	{"secrets", applySecrets},
	{"configs", applyConfigs},
	{"networks", applyNetworks},
	{"unsupported", rejectUnsupported},
}

// createRequest translates one Compose service into the Docker Engine API
// request that creates a container named name carrying labels. It is pure:
// it never talks to the engine, so it is tested without one.
func createRequest(st *spec.Stack, svc *spec.Service, name string, labels map[string]string) (createPlan, error) {
	if svc.Image == "" {
		return createPlan{}, fmt.Errorf("service %q: image: no image to run", svc.Name)
	}
	b := &createBuild{
		st:  st,
		svc: svc,
		sc:  &svc.Config,
		cfg: &container.Config{
			Image:  svc.Image,
			Labels: mergeLabels(svc.Config.Labels, labels),
		},
		host: &container.HostConfig{
			// Always "no": berth's reconciler restarts containers itself,
			// with backoff and crash-loop detection, and must see every
			// exit. An engine restart policy would race it (the engine
			// restarting a container berth is replacing) and hide crashes
			// from it. The Compose policy lives in spec.Service.Restart.
			RestartPolicy: container.RestartPolicy{Name: container.RestartPolicyDisabled},
		},
		plan: &createPlan{},
	}
	for _, step := range createSteps {
		if err := step.apply(b); err != nil {
			return createPlan{}, fmt.Errorf("service %q: %s: %w", svc.Name, step.field, err)
		}
	}
	b.plan.Options.Name = name
	b.plan.Options.Config = b.cfg
	b.plan.Options.HostConfig = b.host
	return *b.plan, nil
}

// mergeLabels merges the service's labels with berth's; berth's win, since
// the reconciler rebuilds its state from them.
func mergeLabels(service types.Labels, berth map[string]string) map[string]string {
	out := make(map[string]string, len(service)+len(berth))
	maps.Copy(out, service)
	maps.Copy(out, berth)
	return out
}

// applyProcess sets what runs and as whom.
func applyProcess(b *createBuild) error {
	sc := b.sc
	// nil keeps the image's value; an empty non-nil list clears it, as in
	// Compose (`entrypoint: []`).
	if sc.Command != nil {
		b.cfg.Cmd = slices.Clone([]string(sc.Command))
	}
	if sc.Entrypoint != nil {
		b.cfg.Entrypoint = slices.Clone([]string(sc.Entrypoint))
	}
	b.cfg.User = sc.User
	b.cfg.WorkingDir = sc.WorkingDir
	b.cfg.Hostname = sc.Hostname
	b.cfg.Domainname = sc.DomainName
	b.cfg.Tty = sc.Tty
	b.cfg.OpenStdin = sc.StdinOpen
	b.host.Init = sc.Init
	b.host.GroupAdd = slices.Clone(sc.GroupAdd)
	b.host.Runtime = sc.Runtime
	return nil
}

// applyEnvironment sets the environment, already resolved by compose-go
// (env_file included). A variable without a value is unset: skipped.
func applyEnvironment(b *createBuild) error {
	keys := slices.Sorted(maps.Keys(b.sc.Environment))
	for _, k := range keys {
		v := b.sc.Environment[k]
		if v == nil {
			continue
		}
		b.cfg.Env = append(b.cfg.Env, k+"="+*v)
	}
	return nil
}

// applyStop sets the stop signal and the grace period before SIGKILL, in
// whole seconds rounded up (the engine's unit).
func applyStop(b *createBuild) error {
	b.cfg.StopSignal = b.sc.StopSignal
	if b.sc.StopGracePeriod == nil {
		return nil
	}
	d := time.Duration(*b.sc.StopGracePeriod)
	if d < 0 {
		return fmt.Errorf("negative duration %s", d)
	}
	secs := int(math.Ceil(d.Seconds()))
	b.cfg.StopTimeout = &secs
	return nil
}

// rejectUnsupported fails on fields berth cannot honour yet, rather than
// running a container that silently differs from the Compose file. Links
// are not in the list: on user-defined networks the service name already
// resolves, so they are redundant and ignored, as compose mostly does.
func rejectUnsupported(b *createBuild) error {
	sc := b.sc
	switch {
	case sc.BlkioConfig != nil:
		return fmt.Errorf("blkio_config is not supported by berth yet")
	case len(sc.VolumesFrom) > 0:
		return fmt.Errorf("volumes_from is not supported by berth yet")
	case sc.MacAddress != "":
		return fmt.Errorf("mac_address is not supported by berth yet")
	case len(sc.Gpus) > 0:
		return fmt.Errorf("gpus is not supported by berth yet")
	case sc.UseAPISocket:
		return fmt.Errorf("use_api_socket is not supported by berth")
	}
	return nil
}
