package metrics

// v1Dirs are the container directories of the two cgroup drivers under a
// v1 controller: cgroupfs, then systemd.
var v1Dirs = []dirPattern{
	func(root, ctrl, id string) string { return root + "/" + ctrl + "/docker/" + id },
	func(root, ctrl, id string) string {
		return root + "/" + ctrl + "/system.slice/docker-" + id + ".scope"
	},
}

// v1Files are read for every sample on a v1 host. The memory limit comes
// from memory.stat's hierarchical_memory_limit, the effective limit once
// ancestors are counted, which saves opening memory.limit_in_bytes.
var v1Files = []cgroupFile{
	{ctrl: "cpuacct", name: "cpuacct.usage", parse: func(b []byte, s *Sample, _ *scratch) {
		s.CPUUsageNanos = parseSingle(b)
	}},
	{ctrl: "cpu", name: "cpu.stat", optional: true, parse: parseV1CPUStat},
	{ctrl: "memory", name: "memory.usage_in_bytes", parse: func(b []byte, s *Sample, _ *scratch) {
		s.MemoryUsage = parseSingle(b)
	}},
	{ctrl: "memory", name: "memory.stat", parse: parseV1MemoryStat},
	{ctrl: "memory", name: "memory.oom_control", parse: parseV1OOMControl},
	{ctrl: "blkio", name: "blkio.throttle.io_service_bytes_recursive", optional: true, parse: parseV1Blkio},
	{ctrl: "pids", name: "pids.current", optional: true, parse: func(b []byte, s *Sample, _ *scratch) {
		s.Pids = parseSingle(b)
	}},
}

// v1Unlimited is the smallest value treated as "no limit": the kernel
// reports PAGE_COUNTER_MAX pages, 9223372036854771712 bytes with 4 KiB pages.
const v1Unlimited = 1 << 62

func parseV1CPUStat(b []byte, s *Sample, _ *scratch) {
	forEachKV(b, func(key []byte, v uint64) {
		switch string(key) {
		case "nr_throttled":
			s.CPUThrottledPeriods = v
		case "throttled_time":
			s.CPUThrottledNanos = v
		}
	})
}

func parseV1MemoryStat(b []byte, s *Sample, x *scratch) {
	forEachKV(b, func(key []byte, v uint64) {
		switch string(key) {
		case "total_inactive_file":
			x.inactiveFile = v
		case "hierarchical_memory_limit":
			if v < v1Unlimited {
				s.MemoryLimit = v
			}
		}
	})
}

func parseV1OOMControl(b []byte, s *Sample, _ *scratch) {
	forEachKV(b, func(key []byte, v uint64) {
		if string(key) == "oom_kill" {
			s.OOMKills = v
		}
	})
}

// parseV1Blkio sums "major:minor Read|Write bytes" lines over devices; the
// per-device "Total" and the final "Total" line are skipped.
func parseV1Blkio(b []byte, s *Sample, _ *scratch) {
	for len(b) > 0 {
		var line []byte
		line, b = cutLine(b)
		_, rest := cutField(line)
		op, rest := cutField(rest)
		val, _ := cutField(rest)
		v, ok := atou(val)
		if !ok {
			continue
		}
		switch string(op) {
		case "Read":
			s.BlkReadBytes += v
		case "Write":
			s.BlkWriteBytes += v
		}
	}
}
