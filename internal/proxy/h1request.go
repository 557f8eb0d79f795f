package proxy

import (
	"errors"
	"net/http"
	"time"
)

// serveRequest reads one request, forwards it and writes the response; it
// reports whether the connection stays open.
func (cc *clientConn) serveRequest() bool {
	head, err := readHead(cc.br)
	if err != nil {
		if errors.Is(err, errHeadTooLarge) {
			cc.reject(http.StatusRequestHeaderFieldsTooLarge)
		}
		return false
	}
	req := &cc.req
	if err := req.parse(head); err != nil {
		var se *statusError
		switch {
		case errors.Is(err, errH2Preface):
			cc.handoffH2()
		case errors.As(err, &se):
			cc.reject(se.code)
		}
		return false
	}
	x := &cc.x
	x.reset(cc.l.router.Load().match(req.host, req.path), time.Now())
	cc.buildOut()
	x.stream, x.expect, x.replayable = req.hasBody(), req.expect, req.replayable()
	x.body, x.interim = cc, cc
	n := len(head)
	// A small body that already arrived travels with the head in one
	// write, and can be replayed on another endpoint if the first fails.
	if cl := req.contentLength; cl > 0 && int64(cc.br.Buffered()-n) >= cl {
		b, _ := cc.br.Peek(n + int(cl))
		x.out = append(x.out, b[n:]...)
		n += int(cl)
		x.stream, x.bodyIn = false, cl
	}
	_, _ = cc.br.Discard(n)
	if x.route == nil {
		return cc.answer(http.StatusNotFound)
	}
	if code := x.forward(); code != 0 {
		return cc.answer(code)
	}
	return cc.respond()
}

// buildOut writes the outgoing head: the request line, the client's
// headers minus hop-by-hop ones (copied as runs of lines), then the
// proxy's own.
func (cc *clientConn) buildOut() {
	req, x := &cc.req, &cc.x
	b := appendRequestLine(x.out[:0], req.method, req.target, &x.log)
	traceID, flags, traceOK := parseTraceparent(req.traceparent)
	upgrade := req.isUpgrade()
	raw := req.raw
	runStart, runEnd := -1, 0
	for i := range req.headers {
		h := &req.headers[i]
		if keepRequestHeader(req, h, traceOK, upgrade) {
			if runStart < 0 {
				runStart = int(h.start)
			}
			runEnd = int(h.end)
			continue
		}
		if runStart >= 0 {
			b = append(b, raw[runStart:runEnd]...)
			runStart = -1
		}
	}
	if runStart >= 0 {
		b = append(b, raw[runStart:runEnd]...)
	}
	cc.hop = hopInfo{forwardedFor: req.forwardedFor, clientIP: cc.remote, https: cc.https, host: req.host, requestID: req.requestID}
	if traceOK {
		cc.hop.traceID, cc.hop.traceFlags = traceID, flags
	}
	b = appendHopHeaders(b, &cc.hop, &x.log)
	if upgrade {
		b = append(b, "Connection: Upgrade\r\n"...)
	}
	x.out = append(b, "\r\n"...)
}

func keepRequestHeader(req *reqHead, h *header, traceOK, upgrade bool) bool {
	switch h.kind {
	case hConnection, hHopByHop, hForwardedFor, hForwardedProto, hForwardedHost, hRequestID, hTraceparent:
		return false
	case hTracestate:
		return traceOK // a restarted trace drops the old vendor state
	case hUpgrade:
		return upgrade
	case hOther:
		if req.conn.other {
			return !listsName(req.connValues, req.raw[h.start:h.nameEnd])
		}
	}
	return true
}

// sendBody streams the request body to the backend (bodySource).
func (cc *clientConn) sendBody(bc *backendConn) error {
	p := pipe{src: cc.br, dst: bc.writer(), hook: &cc.reqHook}
	var err error
	if cc.req.chunked {
		err = p.chunked(true)
	} else {
		err = p.fixed(cc.req.contentLength)
	}
	cc.x.bodyIn += p.n
	if err == nil {
		return bc.bw.Flush()
	}
	if p.srcFailed {
		return &clientError{err}
	}
	return err
}

// interim relays a 1xx response (interimSink); HTTP/1.0 clients get none.
func (cc *clientConn) interim(head []byte) error {
	if cc.req.minor == 0 {
		return nil
	}
	_, _ = cc.bw.Write(head)
	if err := cc.bw.Flush(); err != nil {
		return &clientError{err}
	}
	return nil
}
