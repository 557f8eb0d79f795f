// Package metrics samples the resource usage of berth's containers, keeps a
// bounded in-memory history of it and exports it to Prometheus.
//
// The fast path reads each container's cgroup files directly (v1 and v2
// layouts; the layout is discovered once) plus /proc/<pid>/net/dev for the
// network counters cgroups do not keep. File descriptors stay open between
// sweeps and are re-read with pread, so a sweep of 100 containers costs a
// few hundred syscalls and no path lookups. When a container's cgroup files
// are not readable the Collector falls back to the Engine's stats API,
// which is ~1 s per call on Docker 20.10.
//
// The Collector gets its containers from a function the caller supplies, so
// this package needs no engine package; it computes rates from consecutive
// samples, aggregates per service, feeds the History (1 s points for an
// hour, 1 min avg/max for a week by default) and serves a private
// Prometheus registry.
package metrics
