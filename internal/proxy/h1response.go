package proxy

import (
	"bytes"
	"net/http"
	"strconv"
)

// Response body framings towards the client.
const (
	bodyNone = iota
	bodyFixed
	bodyChunked // passed through as is
	bodyDechunk // chunked from the backend, close-delimited to an HTTP/1.0 client
	bodyUntilClose
)

func (cc *clientConn) bodyMode(resp *respHead) int {
	switch {
	case resp.bodyless(string(cc.req.method) == http.MethodHead):
		return bodyNone
	case resp.chunked && cc.req.minor == 0:
		return bodyDechunk
	case resp.chunked:
		return bodyChunked
	case resp.contentLength >= 0:
		return bodyFixed
	}
	return bodyUntilClose
}

// respond copies the backend's response to the client and reports
// whether the client connection stays open.
func (cc *clientConn) respond() bool {
	x, req := &cc.x, &cc.req
	resp, bc := &x.resp, x.bc
	if resp.status == http.StatusSwitchingProtocols {
		if req.isUpgrade() {
			cc.upgrade()
			return false
		}
		x.abandon(true)
		return cc.answer(http.StatusBadGateway)
	}
	mode := cc.bodyMode(resp)
	keep := cc.mayKeep() && mode != bodyDechunk && mode != bodyUntilClose
	cc.writeRespHead(resp, keep, mode == bodyDechunk)
	_, _ = bc.br.Discard(len(resp.raw))
	p := pipe{src: bc.br, dst: cc.bw, hook: &cc.respHook}
	var err error
	switch mode {
	case bodyFixed:
		err = p.fixed(resp.contentLength)
	case bodyChunked, bodyDechunk:
		err = p.chunked(mode == bodyChunked)
	case bodyUntilClose:
		err = p.untilEOF()
	}
	if err != nil {
		keep = false // the client must see the body end early
		if p.srcFailed {
			x.m.ep.stats.errors.Add(1)
		}
	}
	status := resp.status
	x.finish(err == nil && mode != bodyUntilClose && resp.keepAlive(), p.n)
	if !keep || cc.br.Buffered() == 0 {
		if cc.bw.Flush() != nil {
			keep = false
		}
	}
	cc.logAccess(status, p.n)
	return keep
}

// mayKeep reports whether the client connection can carry another
// request: the client wants it, its body was read whole and the listener
// is not closing.
func (cc *clientConn) mayKeep() bool {
	x := &cc.x
	return cc.req.keepAlive() && (!x.stream || x.bodySent && !x.bodyBroken) && !cc.l.closing.Load()
}

// writeRespHead forwards the response head: byte for byte when nothing in
// it is hop-by-hop (the common case), else line by line.
func (cc *clientConn) writeRespHead(resp *respHead, keep, dechunk bool) {
	bw := cc.bw
	upgrade := resp.status == http.StatusSwitchingProtocols
	addConn := !keep || cc.req.minor == 0 || upgrade
	if !resp.rewrite && !dechunk && !addConn {
		_, _ = bw.Write(resp.raw)
		return
	}
	raw := resp.raw
	_, _ = bw.Write(raw[:bytes.IndexByte(raw, '\n')+1])
	for i := range resp.headers {
		if h := &resp.headers[i]; resp.keepHeader(h, dechunk) {
			_, _ = bw.Write(raw[h.start:h.end])
		}
	}
	switch {
	case upgrade:
		_, _ = bw.WriteString("Connection: Upgrade\r\n")
	case !keep:
		_, _ = bw.WriteString("Connection: close\r\n")
	case cc.req.minor == 0:
		_, _ = bw.WriteString("Connection: keep-alive\r\n")
	}
	_, _ = bw.WriteString("\r\n")
}

// answer sends a response of the proxy's own (no route, no endpoint,
// timeouts).
func (cc *clientConn) answer(code int) bool {
	if code == statusClientGone {
		cc.logAccess(code, 0)
		return false
	}
	keep := cc.mayKeep()
	cc.writeError(code, keep, cc.x.log.requestID.of(cc.x.out))
	if !keep || cc.br.Buffered() == 0 {
		if cc.bw.Flush() != nil {
			keep = false
		}
	}
	cc.logAccess(code, 0)
	return keep
}

// reject answers a request that could not be parsed, and closes.
func (cc *clientConn) reject(code int) {
	cc.req.method = nil
	cc.writeError(code, false, nil)
	_ = cc.bw.Flush()
}

func (cc *clientConn) writeError(code int, keep bool, requestID []byte) {
	msg := errorText(code)
	bw := cc.bw
	var num [20]byte
	_, _ = bw.WriteString("HTTP/1.1 ")
	_, _ = bw.Write(strconv.AppendInt(num[:0], int64(code), 10))
	_, _ = bw.WriteString(" " + http.StatusText(code) + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ")
	_, _ = bw.Write(strconv.AppendInt(num[:0], int64(len(msg)), 10))
	_, _ = bw.WriteString("\r\n")
	if len(requestID) > 0 {
		_, _ = bw.WriteString("X-Request-Id: ")
		_, _ = bw.Write(requestID)
		_, _ = bw.WriteString("\r\n")
	}
	if !keep {
		_, _ = bw.WriteString("Connection: close\r\n")
	}
	_, _ = bw.WriteString("\r\n")
	if string(cc.req.method) != http.MethodHead {
		_, _ = bw.WriteString(msg)
	}
}

func errorText(code int) string {
	switch code {
	case http.StatusNotFound:
		return "no route for this host and path\n"
	case http.StatusBadGateway:
		return "bad gateway: no endpoint could answer\n"
	case http.StatusServiceUnavailable:
		return "no endpoint available\n"
	case http.StatusGatewayTimeout:
		return "gateway timeout: the endpoint did not answer in time\n"
	}
	return http.StatusText(code) + "\n"
}

// upgrade completes a protocol switch (WebSocket and any other Upgrade):
// after the 101 the two connections are spliced until both sides end.
func (cc *clientConn) upgrade() {
	x := &cc.x
	bc := x.bc
	cc.writeRespHead(&x.resp, true, false)
	_, _ = bc.br.Discard(len(x.resp.raw))
	if err := cc.bw.Flush(); err != nil {
		x.finish(false, 0)
		return
	}
	cc.dl.clear(cc.conn)
	bc.dl.clear(bc.conn)
	in, out := splice(cc.conn, cc.br, bc.conn, bc.br)
	x.bodyIn += in
	x.finish(false, out)
	cc.logAccess(http.StatusSwitchingProtocols, out)
}
