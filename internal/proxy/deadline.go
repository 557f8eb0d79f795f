package proxy

import (
	"net"
	"time"
)

// deadline remembers the deadline last set on a connection, so that
// re-arming it for every request is free while the one already set is
// still close enough to what is wanted: each SetDeadline modifies a
// runtime timer, which shows in profiles at high request rates. A timeout
// therefore fires between 7/8 and all of its duration after the last
// activity.
type deadline struct{ at int64 } // unix nanoseconds; 0 = none set

func (d *deadline) arm(c net.Conn, now int64, dur time.Duration) {
	want := now + int64(dur)
	if d.at != 0 && d.at <= want && d.at >= want-int64(dur)/8 {
		return
	}
	d.set(c, want)
}

func (d *deadline) set(c net.Conn, at int64) {
	d.at = at
	_ = c.SetDeadline(time.Unix(0, at))
}

func (d *deadline) clear(c net.Conn) {
	if d.at != 0 {
		d.at = 0
		_ = c.SetDeadline(time.Time{})
	}
}
