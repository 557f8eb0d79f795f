package metrics

import "time"

// Sample is one reading of a container's cumulative counters and gauges.
// Counters (CPU, throttling, OOM kills, network, block I/O) only grow while
// the container lives; the rest are instantaneous.
type Sample struct {
	// Time is when the sample was taken.
	Time time.Time
	// CPUUsageNanos is the CPU time consumed by all tasks, in nanoseconds.
	CPUUsageNanos uint64
	// CPUThrottledPeriods counts CFS periods in which the group was throttled.
	CPUThrottledPeriods uint64
	// CPUThrottledNanos is the total time the group was throttled.
	CPUThrottledNanos uint64
	// MemoryUsage is the memory charged to the group, page cache included.
	MemoryUsage uint64
	// MemoryWorkingSet is MemoryUsage minus inactive file pages, the value
	// kubelet and cAdvisor compare with the limit.
	MemoryWorkingSet uint64
	// MemoryLimit is the effective memory limit, 0 when unlimited.
	MemoryLimit uint64
	// OOMKills counts processes killed by the OOM killer in the group.
	OOMKills uint64
	// NetRxBytes and NetTxBytes sum all interfaces except lo.
	NetRxBytes, NetTxBytes uint64
	// BlkReadBytes and BlkWriteBytes sum all block devices.
	BlkReadBytes, BlkWriteBytes uint64
	// Pids is the number of tasks in the group.
	Pids uint64
}

// Target is one container the Collector samples.
type Target struct {
	// ID is the full container ID (64 hex digits).
	ID string
	// PID is the host PID of the container's main process, used for its
	// network counters; 0 leaves them at zero.
	PID int
	// Stack and Service group containers for aggregates and labels.
	Stack, Service string
	// Name is the container name, the "container" label.
	Name string
}
