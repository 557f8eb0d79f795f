package proxy

import (
	"bytes"
	"errors"
	"net/http"
)

// errH2Preface is the start of an HTTP/2 connection with prior knowledge
// (h2c), handed to net/http's HTTP/2 server.
var errH2Preface = errors.New("http/2 connection preface")

// statusError is a malformed request, answered with code and closed.
type statusError struct {
	code int
	msg  string
}

func (e *statusError) Error() string { return e.msg }

func badRequest(msg string) error { return &statusError{code: http.StatusBadRequest, msg: msg} }

// reqHead is a parsed request head. Its byte slices alias the client
// connection's read buffer and are valid until the head is discarded.
type reqHead struct {
	raw            []byte
	method, target []byte
	path           []byte // for routing: the target's path, without query
	minor          int    // HTTP/1.minor
	host           []byte // as sent, port included
	absHost        []byte // host of an absolute-form target
	contentLength  int64  // -1 when absent
	chunked        bool
	conn           connTokens
	connValues     [][]byte // Connection header values, to find listed names
	upgrade        bool     // an Upgrade header is present
	expect         bool     // Expect: 100-continue
	forwardedFor   [][]byte
	requestID      []byte
	traceparent    []byte
	headers        []header
}

// parse reads a request head. It keeps the slices it already has so a
// connection parses request after request without allocating.
func (r *reqHead) parse(head []byte) error {
	*r = reqHead{headers: r.headers[:0], connValues: r.connValues[:0], forwardedFor: r.forwardedFor[:0], raw: head, contentLength: -1}
	lineEnd := bytes.IndexByte(head, '\n')
	if err := r.parseRequestLine(trimCR(head[:lineEnd])); err != nil {
		return err
	}
	var bad error
	var ok bool
	r.headers, ok = headerLines(head, lineEnd+1, r.headers, func(kind uint8, v []byte) bool {
		bad = r.visit(kind, v)
		return bad == nil
	})
	if bad != nil {
		return bad
	}
	if !ok {
		return badRequest("malformed header line")
	}
	if r.chunked && r.contentLength >= 0 {
		return badRequest("both Transfer-Encoding and Content-Length")
	}
	if r.minor == 1 && r.host == nil {
		return badRequest("missing Host header")
	}
	if r.absHost != nil {
		r.host = r.absHost
	}
	return nil
}

func (r *reqHead) visit(kind uint8, v []byte) error {
	switch kind {
	case hHost:
		if r.host != nil {
			return badRequest("more than one Host header")
		}
		r.host = v
	case hConnection:
		r.conn.parse(v)
		r.connValues = append(r.connValues, v)
	case hContentLength:
		n, ok := parseContentLength(v)
		if !ok || r.contentLength >= 0 && r.contentLength != n {
			return badRequest("invalid Content-Length")
		}
		r.contentLength = n
	case hTransferEncoding:
		if !endsChunked(v) || r.chunked {
			return &statusError{code: http.StatusNotImplemented, msg: "unsupported Transfer-Encoding"}
		}
		r.chunked = true
	case hUpgrade:
		r.upgrade = true
	case hExpect:
		r.expect = equalFold(v, "100-continue")
	case hForwardedFor:
		r.forwardedFor = append(r.forwardedFor, v)
	case hRequestID:
		r.requestID = v
	case hTraceparent:
		r.traceparent = v
	}
	return nil
}

func (r *reqHead) parseRequestLine(line []byte) error {
	sp1 := bytes.IndexByte(line, ' ')
	if sp1 <= 0 {
		return badRequest("malformed request line")
	}
	rest := line[sp1+1:]
	sp2 := bytes.IndexByte(rest, ' ')
	if sp2 <= 0 {
		return badRequest("malformed request line")
	}
	r.method, r.target = line[:sp1], rest[:sp2]
	proto := rest[sp2+1:]
	if string(r.method) == "PRI" && string(r.target) == "*" && string(proto) == "HTTP/2.0" {
		return errH2Preface
	}
	if !validToken(r.method) || bytes.IndexByte(r.target, ' ') >= 0 {
		return badRequest("malformed request line")
	}
	switch string(proto) {
	case "HTTP/1.1":
		r.minor = 1
	case "HTTP/1.0":
		r.minor = 0
	default:
		return &statusError{code: http.StatusHTTPVersionNotSupported, msg: "unsupported HTTP version"}
	}
	if string(r.method) == http.MethodConnect {
		return &statusError{code: http.StatusMethodNotAllowed, msg: "CONNECT is not supported"}
	}
	r.path, r.absHost = splitTarget(r.target)
	return nil
}

// splitTarget returns the path of a request target for routing, and the
// host of an absolute-form target (which takes precedence over Host).
func splitTarget(t []byte) (path, host []byte) {
	if len(t) > 0 && t[0] != '/' {
		if i := bytes.Index(t, []byte("://")); i > 0 {
			rest := t[i+3:]
			j := bytes.IndexByte(rest, '/')
			if j < 0 {
				return []byte("/"), rest
			}
			host, t = rest[:j], rest[j:]
		} else {
			return []byte("/"), nil // "*" (OPTIONS) and the like
		}
	}
	if i := bytes.IndexByte(t, '?'); i >= 0 {
		t = t[:i]
	}
	return t, host
}

// keepAlive reports whether the client wants the connection kept open.
func (r *reqHead) keepAlive() bool {
	if r.conn.close {
		return false
	}
	return r.minor == 1 || r.conn.keepAlive
}

// isUpgrade reports whether the client asks to switch protocols.
func (r *reqHead) isUpgrade() bool { return r.upgrade && r.conn.upgrade }

// hasBody reports whether a request body follows the head.
func (r *reqHead) hasBody() bool { return r.chunked || r.contentLength > 0 }

// replayable reports whether the request may be sent again after a
// connection died before any response byte: idempotent and bodiless.
func (r *reqHead) replayable() bool {
	if r.hasBody() {
		return false
	}
	switch string(r.method) {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

func trimCR(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == '\r' {
		return b[:len(b)-1]
	}
	return b
}
