package proxy

// span locates bytes within the outgoing head.
type span struct{ off, n int32 }

func (s span) of(b []byte) []byte { return b[s.off : s.off+s.n] }

func spanFrom(b []byte, start int) span { return span{int32(start), int32(len(b) - start)} }

// logRefs locate the access log's request fields in the outgoing head, so
// they stay valid after the client's read buffer moves on.
type logRefs struct{ method, target, host, requestID, traceID span }

// hopInfo is what the proxy adds for its hop.
type hopInfo struct {
	forwardedFor [][]byte // X-Forwarded-For values received
	clientIP     string
	https        bool
	host         []byte
	requestID    []byte // as received; replaced when invalid or absent
	traceID      []byte // of a valid incoming traceparent, else nil
	traceFlags   []byte
}

// appendRequestLine appends the request line, always as HTTP/1.1: the
// proxy speaks 1.1 to backends whatever the client spoke.
func appendRequestLine(b []byte, method, target []byte, refs *logRefs) []byte {
	start := len(b)
	b = append(b, method...)
	refs.method = spanFrom(b, start)
	b = append(b, ' ')
	start = len(b)
	b = append(b, target...)
	refs.target = spanFrom(b, start)
	return append(b, " HTTP/1.1\r\n"...)
}

// appendHopHeaders appends X-Forwarded-For/Proto/Host, X-Request-Id and
// traceparent. A valid incoming traceparent keeps its trace ID and flags
// and gets a new parent ID (this hop); otherwise a new trace starts,
// sampled so the first traced service records the request the proxy
// logged.
func appendHopHeaders(b []byte, h *hopInfo, refs *logRefs) []byte {
	b = append(b, "X-Forwarded-For: "...)
	for _, v := range h.forwardedFor {
		b = append(append(b, v...), ", "...)
	}
	b = append(append(b, h.clientIP...), "\r\nX-Forwarded-Proto: "...)
	if h.https {
		b = append(b, "https\r\n"...)
	} else {
		b = append(b, "http\r\n"...)
	}
	if h.host != nil {
		b = append(b, "X-Forwarded-Host: "...)
		start := len(b)
		b = append(b, h.host...)
		refs.host = spanFrom(b, start)
		b = append(b, "\r\n"...)
	}
	b = append(b, "X-Request-Id: "...)
	start := len(b)
	if validRequestID(h.requestID) {
		b = append(b, h.requestID...)
	} else {
		b = appendNewID(b)
	}
	refs.requestID = spanFrom(b, start)
	b = append(b, "\r\ntraceparent: 00-"...)
	start = len(b)
	if h.traceID != nil {
		b = append(b, h.traceID...)
	} else {
		b = appendNewID(b)
	}
	refs.traceID = spanFrom(b, start)
	b = appendHex64(append(b, '-'), nonZero())
	b = append(b, '-')
	if h.traceID != nil {
		b = append(b, h.traceFlags...)
	} else {
		b = append(b, "01"...)
	}
	return append(b, "\r\n"...)
}
