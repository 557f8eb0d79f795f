package metrics

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// StatsAPI is the one Engine call the fallback makes; *client.Client
// satisfies it.
type StatsAPI interface {
	ContainerStats(ctx context.Context, containerID string, options client.ContainerStatsOptions) (client.ContainerStatsResult, error)
}

// StatsAPISampler samples containers through the Engine's stats endpoint,
// for when their cgroup files are not readable (another cgroup namespace,
// permissions). A one-shot call takes ~1 s on Docker 20.10, since the
// daemon waits for its collector tick.
type StatsAPISampler struct {
	api StatsAPI
}

// NewStatsAPISampler returns a sampler over api.
func NewStatsAPISampler(api StatsAPI) *StatsAPISampler {
	return &StatsAPISampler{api: api}
}

// Sample takes one one-shot stats reading of container id.
func (s *StatsAPISampler) Sample(ctx context.Context, id string) (Sample, error) {
	res, err := s.api.ContainerStats(ctx, id, client.ContainerStatsOptions{})
	if err != nil {
		return Sample{}, fmt.Errorf("getting stats of container %s: %w", id, err)
	}
	defer res.Body.Close()
	var st container.StatsResponse
	if err := json.NewDecoder(res.Body).Decode(&st); err != nil {
		return Sample{}, fmt.Errorf("decoding stats of container %s: %w", id, err)
	}
	return SampleFromStats(&st), nil
}

// SampleFromStats converts the Engine's stats JSON to a Sample. The Engine
// reports no OOM kill count (left at 0) and, for an unlimited container,
// the host's memory as its limit (kept: the stats API cannot tell them
// apart).
func SampleFromStats(st *container.StatsResponse) Sample {
	s := Sample{
		Time:                st.Read,
		CPUUsageNanos:       st.CPUStats.CPUUsage.TotalUsage,
		CPUThrottledPeriods: st.CPUStats.ThrottlingData.ThrottledPeriods,
		CPUThrottledNanos:   st.CPUStats.ThrottlingData.ThrottledTime,
		MemoryUsage:         st.MemoryStats.Usage,
		MemoryLimit:         st.MemoryStats.Limit,
		Pids:                st.PidsStats.Current,
	}
	if s.Time.IsZero() {
		s.Time = time.Now()
	}
	s.MemoryWorkingSet = workingSet(s.MemoryUsage, statsInactiveFile(st.MemoryStats.Stats))
	for name, n := range st.Networks {
		if name != "lo" {
			s.NetRxBytes += n.RxBytes
			s.NetTxBytes += n.TxBytes
		}
	}
	for _, e := range st.BlkioStats.IoServiceBytesRecursive {
		switch e.Op {
		case "Read", "read":
			s.BlkReadBytes += e.Value
		case "Write", "write":
			s.BlkWriteBytes += e.Value
		}
	}
	return s
}

// statsInactiveFile picks the hierarchical v1 value when present, the v2
// one otherwise, as the docker CLI does.
func statsInactiveFile(m map[string]uint64) uint64 {
	if v, ok := m["total_inactive_file"]; ok {
		return v
	}
	return m["inactive_file"]
}
