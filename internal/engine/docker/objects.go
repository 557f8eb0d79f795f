package docker

import (
	"context"
	"fmt"
	"maps"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"

	"github.com/berth-dev/berth/internal/engine"
	"github.com/berth-dev/berth/internal/spec"
)

// EnsureNetworks creates the stack's networks that do not exist yet.
// External networks must already exist.
func (d *Driver) EnsureNetworks(ctx context.Context, st *spec.Stack) error {
	ctx, cancel := d.deadline(ctx)
	defer cancel()
	for key, n := range st.Project.Networks {
		_, err := d.api.NetworkInspect(ctx, n.Name, client.NetworkInspectOptions{})
		if err == nil {
			continue
		}
		if !cerrdefs.IsNotFound(err) {
			return d.wrap(ctx, "inspecting network "+n.Name, err)
		}
		if bool(n.External) {
			return fmt.Errorf("network %q is declared external but does not exist: create it with `docker network create %s`", key, n.Name)
		}
		labels := objectLabels(st.Name, n.Labels)
		labels["com.docker.compose.network"] = key
		_, err = d.api.NetworkCreate(ctx, n.Name, client.NetworkCreateOptions{
			Driver:   n.Driver,
			Options:  n.DriverOpts,
			Internal: n.Internal,
			Labels:   labels,
		})
		if err != nil && !cerrdefs.IsConflict(err) {
			return d.wrap(ctx, "creating network "+n.Name, err)
		}
	}
	return nil
}

// EnsureVolumes creates the stack's named volumes that do not exist yet.
func (d *Driver) EnsureVolumes(ctx context.Context, st *spec.Stack) error {
	ctx, cancel := d.deadline(ctx)
	defer cancel()
	for key, v := range st.Project.Volumes {
		_, err := d.api.VolumeInspect(ctx, v.Name, client.VolumeInspectOptions{})
		if err == nil {
			continue
		}
		if !cerrdefs.IsNotFound(err) {
			return d.wrap(ctx, "inspecting volume "+v.Name, err)
		}
		if bool(v.External) {
			return fmt.Errorf("volume %q is declared external but does not exist: create it with `docker volume create %s`", key, v.Name)
		}
		labels := objectLabels(st.Name, v.Labels)
		labels["com.docker.compose.volume"] = key
		_, err = d.api.VolumeCreate(ctx, client.VolumeCreateOptions{
			Name: v.Name, Driver: v.Driver, DriverOpts: v.DriverOpts, Labels: labels,
		})
		if err != nil {
			return d.wrap(ctx, "creating volume "+v.Name, err)
		}
	}
	return nil
}

// RemoveNetworks removes the networks berth created for stack. Volumes are
// kept: they hold data, and `down` must never lose it by default.
func (d *Driver) RemoveNetworks(ctx context.Context, stack string) error {
	ctx, cancel := d.deadline(ctx)
	defer cancel()
	f := client.Filters{}.Add("label", engine.LabelStack+"="+stack)
	res, err := d.api.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	if err != nil {
		return d.wrap(ctx, "listing networks of stack "+stack, err)
	}
	for _, n := range res.Items {
		if _, err := d.api.NetworkRemove(ctx, n.ID, client.NetworkRemoveOptions{}); err != nil && !cerrdefs.IsNotFound(err) {
			return d.wrap(ctx, "removing network "+n.Name, err)
		}
	}
	return nil
}

// RemoveVolumes removes the volumes berth created for stack.
func (d *Driver) RemoveVolumes(ctx context.Context, stack string) error {
	ctx, cancel := d.deadline(ctx)
	defer cancel()
	f := client.Filters{}.Add("label", engine.LabelStack+"="+stack)
	res, err := d.api.VolumeList(ctx, client.VolumeListOptions{Filters: f})
	if err != nil {
		return d.wrap(ctx, "listing volumes of stack "+stack, err)
	}
	for _, v := range res.Items {
		if _, err := d.api.VolumeRemove(ctx, v.Name, client.VolumeRemoveOptions{Force: true}); err != nil && !cerrdefs.IsNotFound(err) {
			return d.wrap(ctx, "removing volume "+v.Name, err)
		}
	}
	return nil
}

func objectLabels(stack string, own map[string]string) map[string]string {
	l := map[string]string{
		engine.LabelManaged:        "true",
		engine.LabelStack:          stack,
		engine.LabelComposeProject: stack,
	}
	maps.Copy(l, own)
	return l
}
