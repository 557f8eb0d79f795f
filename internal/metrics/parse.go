package metrics

import "bytes"

// The parsers below walk a reused buffer in place: no strings, no slices of
// fields, no allocations. Comparisons like string(key) == "x" compile to
// byte comparisons without a copy.

// cutLine returns the first line of b and the rest after its newline.
func cutLine(b []byte) (line, rest []byte) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return b, nil
	}
	return b[:i], b[i+1:]
}

// cutField skips leading blanks and returns the next blank-separated field.
func cutField(b []byte) (field, rest []byte) {
	i := 0
	for i < len(b) && isBlank(b[i]) {
		i++
	}
	j := i
	for j < len(b) && !isBlank(b[j]) {
		j++
	}
	return b[i:j], b[j:]
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' }

// atou parses a decimal unsigned integer; ok is false on anything else.
func atou(b []byte) (v uint64, ok bool) {
	if len(b) == 0 {
		return 0, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return v, true
}

// parseSingle parses a file that holds one number, such as pids.current.
func parseSingle(b []byte) uint64 {
	f, _ := cutField(b)
	v, _ := atou(f)
	return v
}

// forEachKV calls fn for every "key value" line of b, such as memory.stat.
func forEachKV(b []byte, fn func(key []byte, v uint64)) {
	for len(b) > 0 {
		var line []byte
		line, b = cutLine(b)
		key, rest := cutField(line)
		val, _ := cutField(rest)
		if v, ok := atou(val); ok {
			fn(key, v)
		}
	}
}
