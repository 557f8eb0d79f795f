package metrics

// v2Dirs are the container directories of the two cgroup drivers on the
// unified hierarchy: systemd, then cgroupfs.
var v2Dirs = []dirPattern{
	func(root, _, id string) string { return root + "/system.slice/docker-" + id + ".scope" },
	func(root, _, id string) string { return root + "/docker/" + id },
}

// v2Files are read for every sample on a v2 host; the memory, io and pids
// files exist only when those controllers are enabled for the group.
var v2Files = []cgroupFile{
	{name: "cpu.stat", parse: parseV2CPUStat},
	{name: "memory.current", optional: true, parse: func(b []byte, s *Sample, _ *scratch) {
		s.MemoryUsage = parseSingle(b)
	}},
	{name: "memory.stat", optional: true, parse: parseV2MemoryStat},
	{name: "memory.max", optional: true, parse: func(b []byte, s *Sample, _ *scratch) {
		s.MemoryLimit = parseSingle(b) // "max" does not parse: 0, unlimited
	}},
	{name: "memory.events", optional: true, parse: parseV2MemoryEvents},
	{name: "io.stat", optional: true, parse: parseV2IOStat},
	{name: "pids.current", optional: true, parse: func(b []byte, s *Sample, _ *scratch) {
		s.Pids = parseSingle(b)
	}},
}

// parseV2CPUStat reads cpu.stat, whose times are in microseconds.
func parseV2CPUStat(b []byte, s *Sample, _ *scratch) {
	forEachKV(b, func(key []byte, v uint64) {
		switch string(key) {
		case "usage_usec":
			s.CPUUsageNanos = v * 1000
		case "nr_throttled":
			s.CPUThrottledPeriods = v
		case "throttled_usec":
			s.CPUThrottledNanos = v * 1000
		}
	})
}

func parseV2MemoryStat(b []byte, _ *Sample, x *scratch) {
	forEachKV(b, func(key []byte, v uint64) {
		if string(key) == "inactive_file" {
			x.inactiveFile = v
		}
	})
}

func parseV2MemoryEvents(b []byte, s *Sample, _ *scratch) {
	forEachKV(b, func(key []byte, v uint64) {
		if string(key) == "oom_kill" {
			s.OOMKills = v
		}
	})
}

// parseV2IOStat sums rbytes= and wbytes= over the "major:minor k=v ..." lines.
func parseV2IOStat(b []byte, s *Sample, _ *scratch) {
	for len(b) > 0 {
		var line []byte
		line, b = cutLine(b)
		_, rest := cutField(line) // device
		for len(rest) > 0 {
			var kv []byte
			kv, rest = cutField(rest)
			if len(kv) > 7 && string(kv[:7]) == "rbytes=" {
				v, _ := atou(kv[7:])
				s.BlkReadBytes += v
			} else if len(kv) > 7 && string(kv[:7]) == "wbytes=" {
				v, _ := atou(kv[7:])
				s.BlkWriteBytes += v
			}
		}
	}
}
