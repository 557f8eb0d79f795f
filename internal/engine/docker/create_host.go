package docker

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/container"
)

// applySecurity sets privileges, capabilities and the root filesystem mode.
func applySecurity(b *createBuild) error {
	sc := b.sc
	b.host.Privileged = sc.Privileged
	b.host.ReadonlyRootfs = sc.ReadOnly
	b.host.CapAdd = slices.Clone(sc.CapAdd)
	b.host.CapDrop = slices.Clone(sc.CapDrop)
	b.host.SecurityOpt = slices.Clone(sc.SecurityOpt)
	b.host.OomScoreAdj = int(sc.OomScoreAdj)
	if len(sc.Sysctls) > 0 {
		b.host.Sysctls = maps.Clone(map[string]string(sc.Sysctls))
	}
	if len(sc.StorageOpt) > 0 {
		b.host.StorageOpt = maps.Clone(sc.StorageOpt)
	}
	return nil
}

// applyNamespaces sets the ipc, pid, uts, user and cgroup namespaces.
// "service:x" modes need the other service's container ID at create time,
// which berth does not resolve yet.
func applyNamespaces(b *createBuild) error {
	sc := b.sc
	for _, ns := range [][2]string{{"ipc", sc.Ipc}, {"pid", sc.Pid}} {
		if strings.HasPrefix(ns[1], types.ServicePrefix) {
			return fmt.Errorf("%s %q: sharing a namespace with another service is not supported by berth yet", ns[0], ns[1])
		}
	}
	b.host.IpcMode = container.IpcMode(sc.Ipc)
	b.host.PidMode = container.PidMode(sc.Pid)
	b.host.UTSMode = container.UTSMode(sc.Uts)
	b.host.UsernsMode = container.UsernsMode(sc.UserNSMode)
	b.host.CgroupnsMode = container.CgroupnsMode(sc.Cgroup)
	b.host.CgroupParent = sc.CgroupParent
	return nil
}

// applyDNS sets resolvers and /etc/hosts entries.
func applyDNS(b *createBuild) error {
	for _, s := range b.sc.DNS {
		addr, err := netip.ParseAddr(s)
		if err != nil {
			return fmt.Errorf("dns %q: %w", s, err)
		}
		b.host.DNS = append(b.host.DNS, addr)
	}
	b.host.DNSSearch = slices.Clone([]string(b.sc.DNSSearch))
	b.host.DNSOptions = slices.Clone(b.sc.DNSOpts)
	if len(b.sc.ExtraHosts) > 0 {
		// The engine expects "host:ip"; sorted for a stable request.
		b.host.ExtraHosts = slices.Sorted(slices.Values(b.sc.ExtraHosts.AsList(":")))
	}
	return nil
}

// applyDevices maps host devices (host:container[:perm]). CDI device names
// are not supported: the engine only learned them in API 1.44.
func applyDevices(b *createBuild) error {
	for _, d := range b.sc.Devices {
		if !strings.HasPrefix(d.Source, "/") {
			return fmt.Errorf("device %q: only host device paths are supported", d.Source)
		}
		m := container.DeviceMapping{PathOnHost: d.Source, PathInContainer: d.Target, CgroupPermissions: d.Permissions}
		if m.PathInContainer == "" {
			m.PathInContainer = m.PathOnHost
		}
		if m.CgroupPermissions == "" {
			m.CgroupPermissions = "rwm"
		}
		b.host.Devices = append(b.host.Devices, m)
	}
	b.host.DeviceCgroupRules = slices.Clone(b.sc.DeviceCgroupRules)
	return nil
}

// applyUlimits sets resource limits; a single number sets soft and hard.
func applyUlimits(b *createBuild) error {
	for _, name := range slices.Sorted(maps.Keys(b.sc.Ulimits)) {
		u := b.sc.Ulimits[name]
		if u == nil {
			continue
		}
		soft, hard := int64(u.Soft), int64(u.Hard)
		if u.Single != 0 {
			soft, hard = int64(u.Single), int64(u.Single)
		}
		if soft > hard {
			return fmt.Errorf("ulimit %s: soft limit %d exceeds hard limit %d", name, soft, hard)
		}
		b.host.Ulimits = append(b.host.Ulimits, &container.Ulimit{Name: name, Soft: soft, Hard: hard})
	}
	return nil
}

// applyLogging sets the log driver; `logging:` wins over the legacy
// log_driver/log_opt.
func applyLogging(b *createBuild) error {
	sc := b.sc
	if sc.Logging != nil && (sc.Logging.Driver != "" || len(sc.Logging.Options) > 0) {
		b.host.LogConfig = container.LogConfig{Type: sc.Logging.Driver, Config: maps.Clone(map[string]string(sc.Logging.Options))}
		return nil
	}
	if sc.LogDriver != "" || len(sc.LogOpt) > 0 {
		b.host.LogConfig = container.LogConfig{Type: sc.LogDriver, Config: maps.Clone(sc.LogOpt)}
	}
	return nil
}

// applyTmpfs mounts the service's `tmpfs:` list ("/path[:options]"); tmpfs
// volumes are mounts, handled with the other volumes.
func applyTmpfs(b *createBuild) error {
	for _, entry := range b.sc.Tmpfs {
		path, opts, _ := strings.Cut(entry, ":")
		if !strings.HasPrefix(path, "/") {
			return fmt.Errorf("%q: path must be absolute", entry)
		}
		if b.host.Tmpfs == nil {
			b.host.Tmpfs = map[string]string{}
		}
		b.host.Tmpfs[path] = opts
	}
	if b.sc.ShmSize != 0 {
		b.host.ShmSize = int64(b.sc.ShmSize)
	}
	return nil
}
