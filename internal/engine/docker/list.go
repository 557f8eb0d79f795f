package docker

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/berth-dev/berth/internal/engine"
)

// List returns every container berth manages for stack (all stacks when
// stack is empty), stopped ones included.
func (d *Driver) List(ctx context.Context, stack string) ([]engine.Container, error) {
	ctx, cancel := d.deadline(ctx)
	defer cancel()
	f := client.Filters{}.Add("label", engine.LabelManaged+"=true")
	if stack != "" {
		f.Add("label", engine.LabelStack+"="+stack)
	}
	res, err := d.api.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return nil, d.wrap(ctx, "listing containers", err)
	}
	out := make([]engine.Container, 0, len(res.Items))
	for _, s := range res.Items {
		out = append(out, fromSummary(s))
	}
	return out, nil
}

// fromSummary converts a list entry. API 1.41 has no structured health or
// exit code in the list, so both are read from the status text
// ("Up 3 seconds (healthy)", "Exited (137) 2 seconds ago"): that keeps a
// reconcile pass at one engine call however many containers run.
func fromSummary(s container.Summary) engine.Container {
	c := engine.Container{
		ID:      s.ID,
		Stack:   s.Labels[engine.LabelStack],
		Service: s.Labels[engine.LabelService],
		Hash:    s.Labels[engine.LabelHash],
		Image:   s.Image,
		State:   engine.State(s.State),
		IPs:     map[string]string{},
	}
	if len(s.Names) > 0 {
		c.Name = strings.TrimPrefix(s.Names[0], "/")
	}
	c.Slot, _ = strconv.Atoi(s.Labels[engine.LabelSlot])
	c.Revision, _ = strconv.ParseInt(s.Labels[engine.LabelRevision], 10, 64)
	c.Health, c.ExitCode = parseStatus(s.Status)
	if s.Health != nil && s.Health.Status != container.NoHealthcheck {
		c.Health = engine.Health(s.Health.Status)
	}
	for _, p := range s.Ports {
		if p.PublicPort == 0 {
			continue
		}
		c.Ports = append(c.Ports, fmt.Sprintf("%s:%d->%d/%s", p.IP, p.PublicPort, p.PrivatePort, p.Type))
	}
	if s.NetworkSettings != nil {
		for name, ep := range s.NetworkSettings.Networks {
			if ep != nil && ep.IPAddress.IsValid() {
				c.IPs[name] = ep.IPAddress.String()
			}
		}
	}
	return c
}

var exitRE = regexp.MustCompile(`^(?:Exited|Restarting) \((-?\d+)\)`)

// parseStatus reads the health and the exit code out of a status text.
func parseStatus(status string) (engine.Health, int) {
	var h engine.Health
	switch {
	case strings.Contains(status, "(healthy)"):
		h = engine.HealthHealthy
	case strings.Contains(status, "(unhealthy)"):
		h = engine.HealthUnhealthy
	case strings.Contains(status, "(health: starting)"):
		h = engine.HealthStarting
	}
	code := 0
	if m := exitRE.FindStringSubmatch(status); m != nil {
		code, _ = strconv.Atoi(m[1])
	}
	return h, code
}
