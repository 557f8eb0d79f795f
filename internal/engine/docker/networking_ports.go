package docker

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/network"
)

// applyPorts exposes every `ports` and `expose` entry and publishes the
// `ports` entries. An entry without a published port gets an ephemeral
// host port, as with compose.
func applyPorts(b *createBuild) error {
	exposed := network.PortSet{}
	bindings := network.PortMap{}
	for _, p := range b.sc.Ports {
		port, binding, err := portBinding(p)
		if err != nil {
			return err
		}
		exposed[port] = struct{}{}
		bindings[port] = append(bindings[port], binding)
	}
	for _, e := range b.sc.Expose {
		pr, err := network.ParsePortRange(e)
		if err != nil {
			return fmt.Errorf("expose %q: %w", e, err)
		}
		for port := range pr.All() {
			exposed[port] = struct{}{}
		}
	}
	if len(exposed) > 0 {
		b.cfg.ExposedPorts = exposed
	}
	if len(bindings) > 0 {
		b.host.PortBindings = bindings
	}
	return nil
}

// portBinding translates one `ports` entry: the container port and its
// host binding (host_ip, published port or range).
func portBinding(p types.ServicePortConfig) (network.Port, network.PortBinding, error) {
	proto := strings.ToLower(p.Protocol)
	if proto == "" {
		proto = string(network.TCP)
	}
	switch network.IPProtocol(proto) {
	case network.TCP, network.UDP, network.SCTP:
	default:
		return network.Port{}, network.PortBinding{}, fmt.Errorf("port %d: unknown protocol %q", p.Target, p.Protocol)
	}
	if p.Target == 0 || p.Target > 65535 {
		return network.Port{}, network.PortBinding{}, fmt.Errorf("target port %d: out of range", p.Target)
	}
	port, _ := network.PortFrom(uint16(p.Target), network.IPProtocol(proto))
	binding := network.PortBinding{HostPort: p.Published}
	if p.Published != "" {
		if _, err := network.ParsePortRange(p.Published); err != nil {
			return network.Port{}, network.PortBinding{}, fmt.Errorf("port %d: published %q: %w", p.Target, p.Published, err)
		}
	}
	if p.HostIP != "" {
		ip, err := netip.ParseAddr(strings.Trim(p.HostIP, "[]"))
		if err != nil {
			return network.Port{}, network.PortBinding{}, fmt.Errorf("port %d: host_ip %q: %w", p.Target, p.HostIP, err)
		}
		binding.HostIP = ip
	}
	return port, binding, nil
}
