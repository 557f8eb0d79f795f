package proxy

import "math/rand/v2"

const hexDigits = "0123456789abcdef"

// appendHex64 appends v as 16 lower-case hex digits.
func appendHex64(b []byte, v uint64) []byte {
	for shift := 60; shift >= 0; shift -= 4 {
		b = append(b, hexDigits[v>>uint(shift)&0xf])
	}
	return b
}

// nonZero returns a random non-zero value. The runtime's per-thread
// ChaCha8 generator is fast and lock-free; IDs need uniqueness, not
// secrecy.
func nonZero() uint64 {
	for {
		if v := rand.Uint64(); v != 0 {
			return v
		}
	}
}

// appendNewID appends a new 32-hex-digit ID (request IDs, trace IDs).
func appendNewID(b []byte) []byte {
	return appendHex64(appendHex64(b, nonZero()), rand.Uint64())
}

// validRequestID accepts a client's X-Request-Id when it is short
// printable ASCII, so it can be logged and forwarded as is.
func validRequestID(v []byte) bool {
	if len(v) == 0 || len(v) > 128 {
		return false
	}
	for _, c := range v {
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

// parseTraceparent validates a W3C traceparent header value
// (version-traceid-parentid-flags) and returns its trace ID and flags.
// Versions above 00 are accepted as the spec asks: their first four
// fields are read, anything after is ignored.
func parseTraceparent(v []byte) (traceID, flags []byte, ok bool) {
	if len(v) < 55 || v[2] != '-' || v[35] != '-' || v[52] != '-' {
		return nil, nil, false
	}
	version := v[0:2]
	if !lowerHex(version) || string(version) == "ff" {
		return nil, nil, false
	}
	if string(version) == "00" && len(v) != 55 || len(v) > 55 && v[55] != '-' {
		return nil, nil, false
	}
	traceID, parent, flags := v[3:35], v[36:52], v[53:55]
	if !lowerHex(traceID) || allZero(traceID) || !lowerHex(parent) || allZero(parent) || !lowerHex(flags) {
		return nil, nil, false
	}
	return traceID, flags, true
}

func lowerHex(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != '0' {
			return false
		}
	}
	return true
}
