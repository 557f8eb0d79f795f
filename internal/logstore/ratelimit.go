package logstore

// tokenBucket limits a container's lines per second of its own log
// time, not of the collector's clock: catching up on a backlog after a
// restart then drops exactly what a live read would have dropped.
type tokenBucket struct {
	rate   float64 // tokens per nanosecond; 0: unlimited
	burst  float64
	tokens float64
	last   int64
}

func newTokenBucket(perSecond float64, burst int) *tokenBucket {
	if perSecond < 0 {
		return &tokenBucket{}
	}
	return &tokenBucket{rate: perSecond / 1e9, burst: float64(burst), tokens: float64(burst)}
}

// allow takes a token for a line at t (ns) if one is left.
func (b *tokenBucket) allow(t int64) bool {
	if b.rate == 0 {
		return true
	}
	if b.last != 0 && t > b.last {
		b.tokens = min(b.burst, b.tokens+float64(t-b.last)*b.rate)
	}
	b.last = max(b.last, t)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
