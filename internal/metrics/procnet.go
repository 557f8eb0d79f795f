package metrics

import "bytes"

// parseNetDev sums the receive and transmit bytes of every interface in a
// /proc/<pid>/net/dev except lo. Lines look like
//
//	eth0:     736       8    0    0    0     0          0         0        0 ...
//
// with 8 receive columns, then 8 transmit columns; the first two lines are
// headers without a colon.
func parseNetDev(b []byte, s *Sample) {
	for len(b) > 0 {
		var line []byte
		line, b = cutLine(b)
		i := bytes.IndexByte(line, ':')
		if i < 0 {
			continue
		}
		name, _ := cutField(line[:i])
		if string(name) == "lo" {
			continue
		}
		rest := line[i+1:]
		var f []byte
		for col := 0; col < 9; col++ {
			f, rest = cutField(rest)
			v, _ := atou(f)
			switch col {
			case 0:
				s.NetRxBytes += v
			case 8:
				s.NetTxBytes += v
			}
		}
	}
}
