package proxy

import (
	"bytes"
	"errors"
)

var errBadResponse = errors.New("malformed response head from backend")

// respHead is a parsed response head. Its slices alias the backend
// connection's read buffer.
type respHead struct {
	raw           []byte
	status        int
	minor         int
	contentLength int64 // -1 when absent
	chunked       bool
	conn          connTokens
	connValues    [][]byte
	// rewrite is set when some line must not reach the client (hop-by-hop
	// headers); otherwise the head is forwarded byte for byte.
	rewrite bool
	headers []header
}

func (r *respHead) parse(head []byte) error {
	*r = respHead{headers: r.headers[:0], connValues: r.connValues[:0], raw: head, contentLength: -1}
	lineEnd := bytes.IndexByte(head, '\n')
	line := trimCR(head[:lineEnd])
	if len(line) < 12 || string(line[:7]) != "HTTP/1." || line[8] != ' ' || (len(line) > 12 && line[12] != ' ') {
		return errBadResponse
	}
	r.minor = int(line[7] - '0')
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return errBadResponse
		}
		r.status = r.status*10 + int(c-'0')
	}
	if r.status < 100 {
		return errBadResponse
	}
	var ok bool
	r.headers, ok = headerLines(head, lineEnd+1, r.headers, func(kind uint8, v []byte) bool {
		return r.visit(kind, v)
	})
	if !ok {
		return errBadResponse
	}
	if r.conn.other || r.chunked && r.contentLength >= 0 {
		r.rewrite = true
	}
	return nil
}

func (r *respHead) visit(kind uint8, v []byte) bool {
	switch kind {
	case hConnection:
		r.conn.parse(v)
		r.connValues = append(r.connValues, v)
		r.rewrite = true
	case hHopByHop:
		r.rewrite = true
	case hUpgrade:
		r.rewrite = r.rewrite || r.status != 101
	case hContentLength:
		n, ok := parseContentLength(v)
		if !ok || r.contentLength >= 0 && r.contentLength != n {
			return false
		}
		r.contentLength = n
	case hTransferEncoding:
		r.chunked = endsChunked(v)
		if !r.chunked {
			r.contentLength = -1
		}
	}
	return true
}

// keepAlive reports whether the backend lets the connection be reused.
func (r *respHead) keepAlive() bool {
	if r.conn.close {
		return false
	}
	return r.minor == 1 || r.conn.keepAlive
}

// bodyless reports whether a response to method has no body whatever its
// headers say (RFC 9112 6.3).
func (r *respHead) bodyless(head bool) bool {
	return head || r.status < 200 || r.status == 204 || r.status == 304
}

// keepHeader reports whether a response header line reaches the client.
// dechunk is set when the proxy removes chunked framing (HTTP/1.0 clients,
// HTTP/2).
func (r *respHead) keepHeader(h *header, dechunk bool) bool {
	switch h.kind {
	case hConnection, hHopByHop:
		return false
	case hUpgrade:
		return r.status == 101
	case hTransferEncoding:
		return !dechunk
	case hContentLength:
		return !r.chunked
	case hOther:
		if r.conn.other {
			return !listsName(r.connValues, r.raw[h.start:h.nameEnd])
		}
	}
	return true
}
