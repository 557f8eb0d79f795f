package docker

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"

	"github.com/berth-dev/berth/internal/engine"
	"github.com/berth-dev/berth/internal/spec"
)

// ContainerName is the engine name of one slot, as docker compose names it.
func ContainerName(stack, service string, slot int) string {
	return fmt.Sprintf("%s-%s-%d", stack, service, slot)
}

// slotLabels are the labels that let berth rebuild its state from the engine.
func slotLabels(st *spec.Stack, svc *spec.Service, slot int, revision int64) map[string]string {
	return map[string]string{
		engine.LabelManaged:        "true",
		engine.LabelStack:          st.Name,
		engine.LabelService:        svc.Name,
		engine.LabelSlot:           strconv.Itoa(slot),
		engine.LabelRevision:       strconv.FormatInt(revision, 10),
		engine.LabelHash:           svc.Hash,
		engine.LabelComposeProject: st.Name,
		engine.LabelComposeService: svc.Name,
		engine.LabelComposeNumber:  strconv.Itoa(slot),
	}
}

// Create creates (but does not start) the container for one slot and
// connects it to all of its networks.
func (d *Driver) Create(ctx context.Context, st *spec.Stack, svc *spec.Service, slot int, revision int64) (string, error) {
	name := ContainerName(st.Name, svc.Name, slot)
	plan, err := createRequest(st, svc, name, slotLabels(st, svc, slot, revision))
	if err != nil {
		return "", err
	}
	release, err := acquire(ctx, d.mutate)
	if err != nil {
		return "", err
	}
	defer release()
	cctx, cancel := d.deadline(ctx)
	defer cancel()
	res, err := d.api.ContainerCreate(cctx, plan.Options)
	for try := 1; err != nil && cerrdefs.IsConflict(err) && try <= 3; try++ {
		// The slot's name is taken by the replica a rolling, blue-green or
		// canary deploy runs beside: name the new one after its revision.
		name = altName(ContainerName(st.Name, svc.Name, slot), revision, try)
		plan.Options.Name = name
		res, err = d.api.ContainerCreate(cctx, plan.Options)
	}
	if err != nil {
		return "", d.wrap(cctx, "creating container "+name, err)
	}
	for _, n := range plan.Extra {
		_, err := d.api.NetworkConnect(cctx, n.Network, client.NetworkConnectOptions{Container: res.ID, EndpointConfig: n.Endpoint})
		if err != nil {
			return res.ID, d.wrap(cctx, fmt.Sprintf("connecting %s to network %s", name, n.Network), err)
		}
	}
	return res.ID, nil
}

// Start starts a created or stopped container.
func (d *Driver) Start(ctx context.Context, id string) error {
	release, err := acquire(ctx, d.mutate)
	if err != nil {
		return err
	}
	defer release()
	ctx, cancel := d.deadline(ctx)
	defer cancel()
	if _, err := d.api.ContainerStart(ctx, id, client.ContainerStartOptions{}); err != nil {
		if cerrdefs.IsNotFound(err) {
			return fmt.Errorf("starting container %s: %w: %w: %v", short(id), engine.ErrUnstartable, engine.ErrNotFound, err)
		}
		if strings.Contains(err.Error(), "already exists") {
			// containerd kept the task of a container whose start raced an
			// engine shutdown; dockerd refuses every later start of it.
			return fmt.Errorf("starting container %s: %w: %v", short(id), engine.ErrUnstartable, err)
		}
		return d.wrap(ctx, "starting container "+short(id), err)
	}
	return nil
}

// Stop stops a container gracefully: signal (the image's or SIGTERM when
// empty), then SIGKILL after grace. A negative grace uses the stop signal
// and timeout the container was created with (its Compose
// stop_signal/stop_grace_period), for containers whose spec is gone.
func (d *Driver) Stop(ctx context.Context, id string, signal string, grace time.Duration) error {
	release, err := acquire(ctx, d.mutate)
	if err != nil {
		return err
	}
	defer release()
	opts := client.ContainerStopOptions{Signal: signal}
	budget := grace + d.timeout
	if grace >= 0 {
		secs := int((grace + time.Second - 1) / time.Second)
		opts.Timeout = &secs
	} else {
		budget = 5*time.Minute + d.timeout
	}
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	_, err = d.api.ContainerStop(ctx, id, opts)
	if err != nil && !cerrdefs.IsNotFound(err) {
		return d.wrap(ctx, "stopping container "+short(id), err)
	}
	return nil
}

// Remove force-removes a container; one already gone is not an error.
func (d *Driver) Remove(ctx context.Context, id string) error {
	release, err := acquire(ctx, d.remove)
	if err != nil {
		return err
	}
	defer release()
	ctx, cancel := d.deadline(ctx)
	defer cancel()
	_, err = d.api.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true})
	if err != nil && !cerrdefs.IsNotFound(err) && !cerrdefs.IsConflict(err) {
		return d.wrap(ctx, "removing container "+short(id), err)
	}
	return nil
}

// Inspect fills in what the list does not carry: exact exit code, OOM kill
// and start/finish times.
func (d *Driver) Inspect(ctx context.Context, id string) (engine.Container, error) {
	ctx, cancel := d.deadline(ctx)
	defer cancel()
	res, err := d.api.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		if cerrdefs.IsNotFound(err) {
			return engine.Container{}, fmt.Errorf("inspecting container %s: %w", short(id), engine.ErrNotFound)
		}
		return engine.Container{}, d.wrap(ctx, "inspecting container "+short(id), err)
	}
	r := res.Container
	c := engine.Container{ID: r.ID, Name: trimSlash(r.Name)}
	if r.State != nil {
		c.State = engine.State(r.State.Status)
		c.ExitCode = r.State.ExitCode
		c.OOMKilled = r.State.OOMKilled
		c.PID = r.State.Pid
		c.StartedAt, _ = time.Parse(time.RFC3339Nano, r.State.StartedAt)
		c.FinishedAt, _ = time.Parse(time.RFC3339Nano, r.State.FinishedAt)
		if r.State.Health != nil {
			c.Health = engine.Health(r.State.Health.Status)
		}
	}
	if r.Config != nil {
		c.Stack = r.Config.Labels[engine.LabelStack]
		c.Service = r.Config.Labels[engine.LabelService]
		c.Hash = r.Config.Labels[engine.LabelHash]
		c.Slot, _ = strconv.Atoi(r.Config.Labels[engine.LabelSlot])
	}
	return c, nil
}

// EnsureImage builds or pulls the service's image when needed.
func (d *Driver) EnsureImage(ctx context.Context, st *spec.Stack, svc *spec.Service, progress func(string)) error {
	return ensureImage(ctx, d.api, st, svc, progress)
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

func trimSlash(s string) string {
	if len(s) > 0 && s[0] == '/' {
		return s[1:]
	}
	return s
}

// ContainerStats reads the engine's stats for one container (the metrics
// collector's fallback where cgroup files cannot be read). The body streams
// under ctx, which the caller bounds.
func (d *Driver) ContainerStats(ctx context.Context, id string, opts client.ContainerStatsOptions) (client.ContainerStatsResult, error) {
	res, err := d.api.ContainerStats(ctx, id, opts)
	if err != nil {
		return res, d.wrap(ctx, "reading stats of "+short(id), err)
	}
	return res, nil
}

// ContainerLogs streams a container's raw (multiplexed) log under ctx, for
// the log collector.
func (d *Driver) ContainerLogs(ctx context.Context, id string, opts client.ContainerLogsOptions) (client.ContainerLogsResult, error) {
	res, err := d.api.ContainerLogs(ctx, id, opts)
	if err != nil {
		return nil, d.wrap(ctx, "reading logs of "+short(id), err)
	}
	return res, nil
}

// altName is the name of a slot's second container: "<name>-r<revision>",
// then with a random suffix should that be taken too.
func altName(name string, revision int64, try int) string {
	if try == 1 {
		return fmt.Sprintf("%s-r%d", name, revision)
	}
	return fmt.Sprintf("%s-r%d-%04x", name, revision, rand.Uint32()&0xffff)
}
