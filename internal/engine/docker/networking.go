package docker

import (
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
)

// defaultNetwork is the key of the network compose attaches services to
// when they list none.
const defaultNetwork = "default"

// applyNetworks sets the network mode and the endpoints: the first network
// (by priority) at create time, the others as Extra connects.
func applyNetworks(b *createBuild) error {
	mode := b.sc.NetworkMode
	switch {
	case mode == "":
		return attachNetworks(b)
	case mode == network.NetworkHost || mode == network.NetworkNone || mode == network.NetworkBridge:
		b.host.NetworkMode = container.NetworkMode(mode)
		return nil
	case strings.HasPrefix(mode, types.ContainerPrefix) && len(mode) > len(types.ContainerPrefix):
		b.host.NetworkMode = container.NetworkMode(mode)
		return nil
	case strings.HasPrefix(mode, types.ServicePrefix):
		return fmt.Errorf("network_mode %q: sharing another service's network namespace is not supported by berth yet; use a shared network instead", mode)
	default:
		return fmt.Errorf("network_mode %q: expected host, none, bridge or container:<name>", mode)
	}
}

// attachNetworks builds one endpoint per service network.
func attachNetworks(b *createBuild) error {
	keys := b.sc.NetworksByPriority()
	if len(keys) == 0 {
		keys = []string{defaultNetwork}
	}
	for i, key := range keys {
		name, err := b.networkName(key)
		if err != nil {
			return err
		}
		ep, err := endpointSettings(b.svc.Name, b.sc.Networks[key])
		if err != nil {
			return fmt.Errorf("network %q: %w", key, err)
		}
		if i == 0 {
			b.host.NetworkMode = container.NetworkMode(name)
			b.plan.Options.NetworkingConfig = &network.NetworkingConfig{
				EndpointsConfig: map[string]*network.EndpointSettings{name: ep},
			}
			continue
		}
		b.plan.Extra = append(b.plan.Extra, networkAttachment{Network: name, Endpoint: ep})
	}
	return nil
}

// networkName resolves a service's network key to the engine network name
// (compose-go has already prefixed it with the project name).
func (b *createBuild) networkName(key string) (string, error) {
	if b.st == nil || b.st.Project == nil {
		return "", errors.New("stack has no compose project")
	}
	nc, ok := b.st.Project.Networks[key]
	if !ok {
		return "", fmt.Errorf("network %q is not declared in the top-level networks", key)
	}
	if nc.Name == "" {
		return b.st.Project.Name + "_" + key, nil
	}
	return nc.Name, nil
}

// endpointSettings translates one service network entry (nil for a bare
// listing). Like compose, every endpoint gets the service name as an alias
// unless use_service_name_alias is false.
func endpointSettings(service string, nc *types.ServiceNetworkConfig) (*network.EndpointSettings, error) {
	ep := &network.EndpointSettings{}
	if nc.ServiceNameAliasEnabled() {
		ep.Aliases = []string{service}
	}
	if nc == nil {
		return ep, nil
	}
	for _, a := range nc.Aliases {
		if !slices.Contains(ep.Aliases, a) {
			ep.Aliases = append(ep.Aliases, a)
		}
	}
	ipam, err := endpointIPAM(nc)
	if err != nil {
		return nil, err
	}
	ep.IPAMConfig = ipam
	ep.GwPriority = nc.GatewayPriority
	if len(nc.DriverOpts) > 0 {
		ep.DriverOpts = maps.Clone(map[string]string(nc.DriverOpts))
	}
	return ep, nil
}

// endpointIPAM parses static addresses; nil when none is set.
func endpointIPAM(nc *types.ServiceNetworkConfig) (*network.EndpointIPAMConfig, error) {
	if nc.Ipv4Address == "" && nc.Ipv6Address == "" && len(nc.LinkLocalIPs) == 0 {
		return nil, nil
	}
	cfg := &network.EndpointIPAMConfig{}
	var err error
	if nc.Ipv4Address != "" {
		if cfg.IPv4Address, err = parseFamily(nc.Ipv4Address, true); err != nil {
			return nil, fmt.Errorf("ipv4_address: %w", err)
		}
	}
	if nc.Ipv6Address != "" {
		if cfg.IPv6Address, err = parseFamily(nc.Ipv6Address, false); err != nil {
			return nil, fmt.Errorf("ipv6_address: %w", err)
		}
	}
	for _, s := range nc.LinkLocalIPs {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("link_local_ips: %w", err)
		}
		cfg.LinkLocalIPs = append(cfg.LinkLocalIPs, a)
	}
	return cfg, nil
}

// parseFamily parses an address and checks it is IPv4 (v4) or IPv6.
func parseFamily(s string, v4 bool) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, err
	}
	if a.Is4() != v4 {
		return netip.Addr{}, fmt.Errorf("%s is not an IPv%s address", s, map[bool]string{true: "4", false: "6"}[v4])
	}
	return a, nil
}
