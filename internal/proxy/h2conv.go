package proxy

import (
	"bufio"
	"io"
	"net/http"
	"strconv"
	"time"
)

// buildH2Out writes an HTTP/1.1 head for an HTTP/2 request.
func buildH2Out(b []byte, req *http.Request, hop *hopInfo, body *h2Body, refs *logRefs) []byte {
	b = appendRequestLine(b, []byte(req.Method), []byte(req.URL.RequestURI()), refs)
	b = append(append(append(b, "Host: "...), req.Host...), "\r\n"...)
	traceID, flags, traceOK := parseTraceparent([]byte(req.Header.Get("Traceparent")))
	if traceOK {
		hop.traceID, hop.traceFlags = traceID, flags
	}
	for name, vs := range req.Header {
		switch headerKind([]byte(name)) {
		case hConnection, hHopByHop, hUpgrade, hForwardedProto, hForwardedHost, hContentLength, hTransferEncoding, hHost:
			continue
		case hForwardedFor:
			for _, v := range vs {
				hop.forwardedFor = append(hop.forwardedFor, []byte(v))
			}
			continue
		case hRequestID:
			hop.requestID = []byte(vs[0])
			continue
		case hTraceparent:
			continue
		case hTracestate:
			if !traceOK {
				continue // a restarted trace drops the old vendor state
			}
		}
		for _, v := range vs {
			b = append(append(append(append(b, name...), ": "...), v...), "\r\n"...)
		}
	}
	switch {
	case body.chunked:
		b = append(b, "Transfer-Encoding: chunked\r\n"...)
	case req.ContentLength > 0:
		b = strconv.AppendInt(append(b, "Content-Length: "...), req.ContentLength, 10)
		b = append(b, "\r\n"...)
	}
	b = appendHopHeaders(b, hop, refs)
	return append(b, "\r\n"...)
}

// h2Body streams an HTTP/2 request body to the backend, chunked when its
// length is unknown.
type h2Body struct {
	req     *http.Request
	chunked bool
	n       int64 // bytes sent
}

func (h *h2Body) sendBody(bc *backendConn) error {
	w := bc.writer()
	buf := make([]byte, 32<<10)
	for {
		n, rerr := h.req.Body.Read(buf)
		if n > 0 {
			h.n += int64(n)
			if err := writeChunk(w, buf[:n], h.chunked); err != nil {
				return err
			}
			if err := w.Flush(); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return &clientError{rerr}
		}
	}
	if h.chunked {
		_, _ = w.WriteString("0\r\n\r\n")
	}
	return w.Flush()
}

func writeChunk(w *bufio.Writer, p []byte, chunked bool) error {
	if chunked {
		_, _ = w.WriteString(strconv.FormatInt(int64(len(p)), 16) + "\r\n")
	}
	_, _ = w.Write(p)
	if chunked {
		_, _ = w.WriteString("\r\n")
	}
	return nil
}

// writeH2Response copies the backend's HTTP/1.1 response to an HTTP/2
// response writer, dropping connection-specific headers.
// It reports the body bytes copied and whether the backend connection
// can be reused.
func writeH2Response(w http.ResponseWriter, req *http.Request, x *exchange) (int64, bool, error) {
	resp, bc := &x.resp, x.bc
	hdr := w.Header()
	raw := resp.raw
	for i := range resp.headers {
		h := &resp.headers[i]
		if !resp.keepHeader(h, true) || h.kind == hUpgrade {
			continue
		}
		line := trimCR(raw[h.nameEnd+1 : h.end-1])
		hdr.Add(string(raw[h.start:h.nameEnd]), string(trimOWS(line)))
	}
	w.WriteHeader(resp.status)
	_, _ = bc.br.Discard(len(raw))
	p := pipe{src: bc.br, dst: w, hook: &h2Hook{w: w, bc: bc}}
	var err error
	reusable := resp.keepAlive()
	switch {
	case resp.bodyless(req.Method == http.MethodHead):
	case resp.chunked:
		err = p.chunked(false)
	case resp.contentLength >= 0:
		err = p.fixed(resp.contentLength)
	default:
		err = p.untilEOF()
		reusable = false
	}
	return p.n, reusable && err == nil, err
}

// h2Hook flushes the HTTP/2 stream before waiting on the backend.
type h2Hook struct {
	w  http.ResponseWriter
	bc *backendConn
}

func (h *h2Hook) beforeBlock() error {
	h.bc.dl.clear(h.bc.conn)
	return http.NewResponseController(h.w).Flush()
}

// logH2 writes an HTTP/2 request's access log line.
func (l *listener) logH2(x *exchange, req *http.Request, status int, n int64) {
	if l.alog == nil {
		return
	}
	e := logEntry{
		start: x.start, end: time.Now(), status: status, bytes: n, remote: hostOfString(req.RemoteAddr),
		method: x.log.method.of(x.out), host: x.log.host.of(x.out), target: x.log.target.of(x.out),
		requestID: x.log.requestID.of(x.out), traceID: x.log.traceID.of(x.out),
	}
	e.fill(x)
	l.alog.write(l.alog.shard(), appendLogEntry(nil, &e))
}
