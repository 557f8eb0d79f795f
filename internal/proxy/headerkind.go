package proxy

// Header kinds the proxy inspects; everything else is copied verbatim.
const (
	hOther uint8 = iota
	hHost
	hConnection
	hHopByHop // Keep-Alive, Proxy-Connection, TE, Proxy-Authenticate, Proxy-Authorization
	hContentLength
	hTransferEncoding
	hUpgrade
	hExpect
	hForwardedFor
	hForwardedProto
	hForwardedHost
	hRequestID
	hTraceparent
	hTracestate
)

// headerKind recognises a header name case-insensitively, switching on
// the length first so most names cost one comparison.
func headerKind(name []byte) uint8 {
	switch len(name) {
	case 2:
		if equalFold(name, "te") {
			return hHopByHop
		}
	case 4:
		if equalFold(name, "host") {
			return hHost
		}
	case 6:
		if equalFold(name, "expect") {
			return hExpect
		}
	case 7:
		if equalFold(name, "upgrade") {
			return hUpgrade
		}
	case 10:
		switch {
		case equalFold(name, "connection"):
			return hConnection
		case equalFold(name, "keep-alive"):
			return hHopByHop
		case equalFold(name, "tracestate"):
			return hTracestate
		}
	case 11:
		if equalFold(name, "traceparent") {
			return hTraceparent
		}
	case 12:
		if equalFold(name, "x-request-id") {
			return hRequestID
		}
	case 14:
		if equalFold(name, "content-length") {
			return hContentLength
		}
	case 15:
		if equalFold(name, "x-forwarded-for") {
			return hForwardedFor
		}
	case 16:
		switch {
		case equalFold(name, "proxy-connection"):
			return hHopByHop
		case equalFold(name, "x-forwarded-host"):
			return hForwardedHost
		}
	case 17:
		switch {
		case equalFold(name, "transfer-encoding"):
			return hTransferEncoding
		case equalFold(name, "x-forwarded-proto"):
			return hForwardedProto
		}
	case 18:
		if equalFold(name, "proxy-authenticate") {
			return hHopByHop
		}
	case 19:
		if equalFold(name, "proxy-authorization") {
			return hHopByHop
		}
	}
	return hOther
}

func equalFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// validToken reports whether b is an RFC 9110 token (header names and
// methods).
func validToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c >= 128 || !tokenChars[c] {
			return false
		}
	}
	return true
}

var tokenChars = func() (t [128]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()
