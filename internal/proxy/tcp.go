package proxy

import (
	"net"
	"time"
)

// tcpConn is a client connection of a tcp route.
type tcpConn struct{ c net.Conn }

// closeIdle: a TCP stream has no idea of idle, so shutdown waits for it
// until its deadline.
func (t *tcpConn) closeIdle() bool { return false }
func (t *tcpConn) forceClose()     { _ = t.c.Close() }

// serveTCP picks an endpoint the way HTTP routes do, dials it (trying
// other endpoints when the dial fails) and splices the two connections.
func (l *listener) serveTCP(c net.Conn, r *route) {
	t := &tcpConn{c: c}
	l.track(t)
	defer l.untrack(t)
	defer c.Close()
	now := time.Now().UnixNano()
	var tried uint64
	for attempt := 0; attempt <= r.cfg.Retries; attempt++ {
		m := r.bal.pick(now, tried)
		if m == nil {
			break
		}
		tried |= m.bit
		ep := m.ep
		ep.active.Add(1)
		bc, err := net.DialTimeout("tcp", ep.addr, r.cfg.Timeouts.Dial.D())
		if err != nil {
			ep.active.Add(-1)
			ep.connFailed(r, now)
			continue
		}
		ep.succeeded()
		in, out := splice(c, nil, bc, nil)
		_ = bc.Close()
		ep.stats.bytesIn.Add(uint64(in))
		ep.stats.bytesOut.Add(uint64(out))
		ep.active.Add(-1)
		return
	}
	r.counters.noEndpoint.Add(1)
}
