package alert

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// durationUnits are Prometheus' duration units, largest first; a duration
// names each at most once, in this order.
var durationUnits = []struct {
	name string
	d    time.Duration
}{
	{"y", 365 * 24 * time.Hour}, {"w", 7 * 24 * time.Hour}, {"d", 24 * time.Hour},
	{"h", time.Hour}, {"m", time.Minute}, {"s", time.Second}, {"ms", time.Millisecond},
}

// ParseDuration parses a Prometheus duration: integers with units y, w, d,
// h, m, s, ms, largest first ("1h30m", "5m", "0s").
func ParseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, errors.New("empty duration")
	}
	var total time.Duration
	next := 0 // index of the smallest unit still allowed
	for rest := s; rest != ""; {
		i := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
		if i <= 0 {
			return 0, fmt.Errorf("invalid duration %q: expected digits then a unit (y, w, d, h, m, s, ms)", s)
		}
		n, err := strconv.ParseInt(rest[:i], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q: %w", s, err)
		}
		rest = rest[i:]
		u := unitAt(rest, next)
		if u < 0 {
			return 0, fmt.Errorf("invalid duration %q: unknown or out-of-order unit at %q", s, rest)
		}
		total += time.Duration(n) * durationUnits[u].d
		rest, next = rest[len(durationUnits[u].name):], u+1
	}
	return total, nil
}

// unitAt returns the index of the unit that rest starts with, searching
// from index from; "ms" must win over "m".
func unitAt(rest string, from int) int {
	best := -1
	for i := from; i < len(durationUnits); i++ {
		name := durationUnits[i].name
		if strings.HasPrefix(rest, name) && (best < 0 || len(name) > len(durationUnits[best].name)) {
			if len(rest) == len(name) || rest[len(name)] >= '0' && rest[len(name)] <= '9' {
				best = i
			}
		}
	}
	return best
}

// formatDuration writes d in the form ParseDuration reads.
func formatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	var b strings.Builder
	for _, u := range durationUnits {
		if n := d / u.d; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.d
		}
	}
	return b.String()
}
