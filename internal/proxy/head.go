package proxy

import (
	"bufio"
	"bytes"
	"errors"
)

// errHeadTooLarge is a message head that does not fit in the reader's
// buffer (answered 431 for requests, 502 for responses).
var errHeadTooLarge = errors.New("message head too large")

// readHead returns the next message head in br (start line, header lines
// and the empty line) without consuming it: the caller parses it, copies
// what it needs and then discards it. The slice aliases br's buffer, so it
// is valid only until br is read or discarded again. A head must fit in
// br's buffer. Empty lines before the start line are skipped (RFC 9112
// 2.2).
func readHead(br *bufio.Reader) ([]byte, error) {
	scan, lineStart := 0, 0
	for {
		buf, _ := br.Peek(br.Buffered())
		for {
			i := bytes.IndexByte(buf[scan:], '\n')
			if i < 0 {
				scan = len(buf)
				break
			}
			end := scan + i
			if end == lineStart || end == lineStart+1 && buf[lineStart] == '\r' {
				if lineStart == 0 {
					_, _ = br.Discard(end + 1) // a stray CRLF between messages
					buf, scan = buf[end+1:], 0
					continue
				}
				return buf[:end+1], nil
			}
			lineStart, scan = end+1, end+1
		}
		if len(buf) >= br.Size() {
			return nil, errHeadTooLarge
		}
		if _, err := br.Peek(len(buf) + 1); err != nil {
			if len(buf) > 0 && errors.Is(err, bufio.ErrBufferFull) {
				return nil, errHeadTooLarge
			}
			return nil, err
		}
	}
}

// header is one header line of a parsed head, as offsets into it.
type header struct {
	start, end int32 // the whole line, line ending included
	nameEnd    int32
	kind       uint8
}

// connTokens is what a Connection header says.
type connTokens struct {
	close, keepAlive, upgrade bool
	// other is set when the header names further hop-by-hop headers,
	// which must then be dropped too.
	other bool
}

func (c *connTokens) parse(v []byte) {
	for len(v) > 0 {
		var tok []byte
		if i := bytes.IndexByte(v, ','); i >= 0 {
			tok, v = trimOWS(v[:i]), v[i+1:]
		} else {
			tok, v = trimOWS(v), nil
		}
		switch {
		case len(tok) == 0:
		case equalFold(tok, "close"):
			c.close = true
		case equalFold(tok, "keep-alive"):
			c.keepAlive = true
		case equalFold(tok, "upgrade"):
			c.upgrade = true
		default:
			c.other = true
		}
	}
}

// headerLines splits a head after its start line into header entries,
// calling visit with each line's kind and value. It rejects obsolete line
// folding and whitespace before the colon, both request smuggling vectors.
func headerLines(head []byte, from int, hs []header, visit func(kind uint8, value []byte) bool) ([]header, bool) {
	for pos := from; pos < len(head); {
		i := bytes.IndexByte(head[pos:], '\n')
		if i < 0 {
			return hs, false
		}
		end := pos + i + 1
		line := head[pos : pos+i]
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if len(line) == 0 {
			return hs, true
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || line[0] == ' ' || line[0] == '\t' || !validToken(line[:colon]) {
			return hs, false
		}
		name := line[:colon]
		h := header{start: int32(pos), end: int32(end), nameEnd: int32(pos + colon), kind: headerKind(name)}
		if !visit(h.kind, trimOWS(line[colon+1:])) {
			return hs, false
		}
		hs = append(hs, h)
		pos = end
	}
	return hs, false
}

// listsName reports whether a Connection header value names the header.
func listsName(conn [][]byte, name []byte) bool {
	for _, v := range conn {
		for len(v) > 0 {
			var tok []byte
			if i := bytes.IndexByte(v, ','); i >= 0 {
				tok, v = trimOWS(v[:i]), v[i+1:]
			} else {
				tok, v = trimOWS(v), nil
			}
			if len(tok) == len(name) && bytes.EqualFold(tok, name) {
				return true
			}
		}
	}
	return false
}

// parseContentLength accepts only plain decimal digits (no sign, no
// list), as RFC 9112 6.3 asks of a proxy.
func parseContentLength(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// endsChunked reports whether a Transfer-Encoding value's last coding is
// chunked.
func endsChunked(v []byte) bool {
	if i := bytes.LastIndexByte(v, ','); i >= 0 {
		v = trimOWS(v[i+1:])
	}
	return equalFold(v, "chunked")
}
