package docker

import (
	"fmt"
	"math"
	"strconv"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/container"
)

// applyResources sets cgroup limits: first the service-level fields
// (cpus, mem_limit, ...), then deploy.resources, which wins where set, as
// in docker compose.
func applyResources(b *createBuild) error {
	if err := serviceResources(b.sc, &b.host.Resources); err != nil {
		return err
	}
	if b.sc.Deploy == nil {
		return nil
	}
	return deployResources(b.sc.Deploy.Resources, &b.host.Resources)
}

// serviceResources translates the service-level resource fields.
func serviceResources(sc *types.ServiceConfig, r *container.Resources) error {
	if sc.CPUS < 0 {
		return fmt.Errorf("cpus %v: must not be negative", sc.CPUS)
	}
	r.NanoCPUs = nanoCPUs(sc.CPUS)
	r.CPUShares = sc.CPUShares
	r.CPUQuota = sc.CPUQuota
	r.CPUPeriod = sc.CPUPeriod
	r.CPURealtimePeriod = sc.CPURTPeriod
	r.CPURealtimeRuntime = sc.CPURTRuntime
	r.CpusetCpus = sc.CPUSet
	r.Memory = int64(sc.MemLimit)
	r.MemoryReservation = int64(sc.MemReservation)
	r.MemorySwap = int64(sc.MemSwapLimit)
	if sc.MemSwappiness != 0 {
		v := int64(sc.MemSwappiness)
		r.MemorySwappiness = &v
	}
	if sc.PidsLimit != 0 {
		v := sc.PidsLimit
		r.PidsLimit = &v
	}
	if sc.OomKillDisable {
		v := true
		r.OomKillDisable = &v
	}
	return nil
}

// deployResources applies deploy.resources limits and reservations.
// Reserved CPUs have no equivalent on a single engine and are ignored, as
// docker compose does.
func deployResources(res types.Resources, r *container.Resources) error {
	if l := res.Limits; l != nil {
		if l.NanoCPUs < 0 {
			return fmt.Errorf("deploy.resources.limits.cpus %v: must not be negative", l.NanoCPUs)
		}
		if l.NanoCPUs > 0 {
			r.NanoCPUs = nanoCPUs(float32(l.NanoCPUs))
		}
		if l.MemoryBytes > 0 {
			r.Memory = int64(l.MemoryBytes)
		}
		if l.Pids > 0 {
			v := l.Pids
			r.PidsLimit = &v
		}
	}
	if rv := res.Reservations; rv != nil {
		if len(rv.Devices) > 0 {
			return fmt.Errorf("deploy.resources.reservations.devices is not supported by berth yet")
		}
		if rv.MemoryBytes > 0 {
			r.MemoryReservation = int64(rv.MemoryBytes)
		}
	}
	if r.MemoryReservation > 0 && r.Memory > 0 && r.MemoryReservation > r.Memory {
		return fmt.Errorf("memory reservation %d exceeds memory limit %d", r.MemoryReservation, r.Memory)
	}
	return nil
}

// nanoCPUs converts a CPU count to the engine's billionths. compose-go
// stores it as a float32, so go through its shortest decimal form to turn
// 0.1 into 100000000 rather than 100000001.
func nanoCPUs(cpus float32) int64 {
	if cpus <= 0 {
		return 0
	}
	f, err := strconv.ParseFloat(strconv.FormatFloat(float64(cpus), 'g', -1, 32), 64)
	if err != nil {
		f = float64(cpus)
	}
	return int64(math.Round(f * 1e9))
}
