package proxy

import (
	"errors"
	"net/http"
	"os"
	"time"
)

const (
	// statusClientGone is logged when the client went away mid-request
	// (nginx's convention); it is never sent.
	statusClientGone = 499
	// expectWait is how long a request with Expect: 100-continue waits
	// for the backend's 100 before its body is sent anyway (curl waits 1 s
	// too), for backends that ignore Expect.
	expectWait = time.Second
	// maxInterim bounds the 1xx responses relayed before the final one.
	maxInterim = 8
)

// bodySource sends a request body that was not inlined in the head.
type bodySource interface {
	sendBody(bc *backendConn) error
}

// interimSink relays 1xx responses to the client.
type interimSink interface {
	interim(head []byte) error
}

// clientError is a failure on the client's side of an exchange: nothing
// to retry, no endpoint to blame.
type clientError struct{ err error }

func (e *clientError) Error() string { return "client: " + e.err.Error() }
func (e *clientError) Unwrap() error { return e.err }

// exchange is one request on its way to an endpoint and back. HTTP/1.1
// connections keep one and reuse it request after request.
type exchange struct {
	route      *route
	out        []byte // the outgoing head, with the body when it was small and already read
	log        logRefs
	stream     bool // a body follows the head, from body
	expect     bool // hold the body back until the backend's 100 Continue
	replayable bool // may be sent again after the connection died
	body       bodySource
	interim    interimSink
	start      time.Time
	now        int64

	m          *member
	bc         *backendConn
	resp       respHead
	bodySent   bool
	bodyBroken bool  // the backend stopped reading the body midway
	relayed    bool  // a 1xx response went to the client
	bodyIn     int64 // request body bytes
	latency    time.Duration
}

func (x *exchange) reset(r *route, start time.Time) {
	resp := respHead{headers: x.resp.headers[:0], connValues: x.resp.connValues[:0]}
	*x = exchange{route: r, start: start, now: start.UnixNano(), resp: resp, out: x.out[:0]}
}

// forward sends the request to one of the route's endpoints, retrying on
// others after connection failures as far as the route allows and the
// request can be replayed, and reads the response head. It returns 0 with
// x.bc positioned at the response body, or the status to answer with.
func (x *exchange) forward() int {
	r := x.route
	var tried uint64
	code := http.StatusServiceUnavailable
	for attempt := 0; attempt <= r.cfg.Retries; attempt++ {
		m := r.bal.pick(x.now, tried)
		if m == nil {
			break
		}
		tried |= m.bit
		var retry bool
		if code, retry = x.try(m); code == 0 || !retry {
			break
		}
	}
	if code == http.StatusBadGateway || code == http.StatusServiceUnavailable {
		r.counters.noEndpoint.Add(1)
	}
	return code
}

// try is one attempt on one endpoint.
func (x *exchange) try(m *member) (code int, retry bool) {
	ep, t := m.ep, &x.route.cfg.Timeouts
	ep.active.Add(1)
	bc, err := ep.conn(t.Dial.D(), x.now)
	if err != nil {
		ep.active.Add(-1)
		ep.connFailed(x.route, x.now)
		return http.StatusBadGateway, true
	}
	x.m, x.bc = m, bc
	bc.dl.arm(bc.conn, x.now, t.Header.D())
	if _, err := bc.conn.Write(x.out); err != nil {
		x.abandon(true)
		return http.StatusBadGateway, true // nothing of the body was consumed
	}
	if x.stream && !x.expect {
		if err := x.sendBody(); err != nil {
			x.abandon(false)
			return statusClientGone, false
		}
	}
	if err := x.readResponseHead(); err != nil {
		var ce *clientError
		switch {
		case errors.As(err, &ce):
			x.abandon(false)
			return statusClientGone, false
		case errors.Is(err, os.ErrDeadlineExceeded):
			x.abandon(true)
			return http.StatusGatewayTimeout, false
		}
		// A connection that died before any response byte did nothing
		// visible; an idempotent bodiless request can go elsewhere.
		retry := x.replayable && !x.relayed && bc.br.Buffered() == 0
		x.abandon(true)
		return http.StatusBadGateway, retry
	}
	x.latency = time.Since(x.start)
	return 0, false
}

// sendBody streams the request body. Only a client failure is returned:
// when the backend stops reading it may still have answered (413, say),
// so the response head is read anyway.
func (x *exchange) sendBody() error {
	x.bodySent = true
	err := x.body.sendBody(x.bc)
	var ce *clientError
	if errors.As(err, &ce) {
		return err
	}
	x.bodyBroken = err != nil
	return nil
}

// readResponseHead reads the final response head, relaying 1xx responses
// and releasing a held-back body on 100 Continue.
func (x *exchange) readResponseHead() error {
	bc := x.bc
	header := x.route.cfg.Timeouts.Header.D()
	waiting := x.stream && !x.bodySent
	if waiting {
		bc.dl.set(bc.conn, x.now+int64(min(expectWait, header)))
	}
	for interims := 0; ; interims++ {
		head, err := readHead(bc.br)
		if err != nil {
			if !waiting || !errors.Is(err, os.ErrDeadlineExceeded) || bc.br.Buffered() > 0 {
				return err
			}
			waiting = false
			bc.dl.set(bc.conn, time.Now().UnixNano()+int64(header))
			if err := x.sendBody(); err != nil {
				return err
			}
			continue
		}
		if err := x.resp.parse(head); err != nil {
			return err
		}
		if st := x.resp.status; st >= 200 || st == http.StatusSwitchingProtocols {
			return nil
		}
		if interims >= maxInterim {
			return errBadResponse
		}
		if x.interim != nil {
			x.relayed = true
			if err := x.interim.interim(head); err != nil {
				return err
			}
		}
		_, _ = bc.br.Discard(len(head))
		if x.resp.status == http.StatusContinue && waiting {
			waiting = false
			bc.dl.set(bc.conn, time.Now().UnixNano()+int64(header))
			if err := x.sendBody(); err != nil {
				return err
			}
		}
	}
}

// abandon gives up on the current attempt's connection.
func (x *exchange) abandon(endpointFailed bool) {
	ep := x.m.ep
	ep.active.Add(-1)
	if endpointFailed {
		ep.connFailed(x.route, x.now)
	}
	x.bc.close()
	x.bc, x.m = nil, nil
}

// finish records the response and releases the backend connection.
func (x *exchange) finish(reusable bool, bytesOut int64) {
	ep := x.m.ep
	st := &ep.stats
	st.count(x.resp.status)
	st.observe(x.latency)
	if x.bodyIn > 0 {
		st.bytesIn.Add(uint64(x.bodyIn))
	}
	if bytesOut > 0 {
		st.bytesOut.Add(uint64(bytesOut))
	}
	if x.resp.status >= 500 {
		ep.strike(x.route, x.now)
	} else {
		ep.succeeded()
	}
	ep.active.Add(-1)
	ep.release(x.bc, reusable && !x.bodyBroken, x.now)
	x.bc = nil
}
