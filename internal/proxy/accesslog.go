package proxy

import (
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

const (
	accessLogFlushEvery = 100 * time.Millisecond
	accessLogShards     = 16
	accessLogShardMax   = 64 << 10
)

// accessLog writes one JSON line per request. Lines collect in sharded
// buffers (a connection always uses the same shard, so writers rarely
// meet on a lock) and reach the writer every 100 ms or when a shard fills.
type accessLog struct {
	w      io.Writer
	wmu    sync.Mutex
	shards [accessLogShards]logShard
	next   atomic.Uint32
	stop   chan struct{}
	done   chan struct{}
}

type logShard struct {
	mu  sync.Mutex
	buf []byte
	_   [32]byte // keep shards on separate cache lines
}

func newAccessLog(w io.Writer) *accessLog {
	a := &accessLog{w: w, stop: make(chan struct{}), done: make(chan struct{})}
	go a.flusher()
	return a
}

// shard returns a shard index for a new connection.
func (a *accessLog) shard() uint32 { return a.next.Add(1) % accessLogShards }

func (a *accessLog) write(shard uint32, line []byte) {
	s := &a.shards[shard%accessLogShards]
	s.mu.Lock()
	s.buf = append(s.buf, line...)
	if len(s.buf) >= accessLogShardMax {
		a.drain(s)
	}
	s.mu.Unlock()
}

// drain writes a shard's lines; the caller holds s.mu.
func (a *accessLog) drain(s *logShard) {
	if len(s.buf) == 0 {
		return
	}
	a.wmu.Lock()
	_, _ = a.w.Write(s.buf)
	a.wmu.Unlock()
	s.buf = s.buf[:0]
}

func (a *accessLog) flushAll() {
	for i := range a.shards {
		s := &a.shards[i]
		s.mu.Lock()
		a.drain(s)
		s.mu.Unlock()
	}
}

func (a *accessLog) flusher() {
	defer close(a.done)
	t := time.NewTicker(accessLogFlushEvery)
	defer t.Stop()
	for {
		select {
		case <-a.stop:
			a.flushAll()
			return
		case <-t.C:
			a.flushAll()
			// Rotating here keeps renames and opens off the request path.
			if r, ok := a.w.(interface{ rotate() }); ok {
				r.rotate()
			}
		}
	}
}

func (a *accessLog) close() {
	close(a.stop)
	<-a.done
}

// logEntry is one access log line.
type logEntry struct {
	start, end                               time.Time
	stack, service, upstream, remote         string
	method, host, target, requestID, traceID []byte
	status                                   int
	bytes                                    int64
}

func (e *logEntry) fill(x *exchange) {
	if x.route != nil {
		e.stack, e.service = x.route.stack, x.route.cfg.Service
	}
	if x.m != nil {
		e.upstream = x.m.ep.addr
	}
}

// appendLogEntry formats a line without allocating.
func appendLogEntry(b []byte, e *logEntry) []byte {
	path := e.target
	for i, c := range path {
		if c == '?' {
			path = path[:i]
			break
		}
	}
	b = append(b, `{"time":"`...)
	b = e.start.UTC().AppendFormat(b, time.RFC3339Nano)
	b = appendJSONField(b, `","stack":`, e.stack)
	b = appendJSONField(b, `,"service":`, e.service)
	b = appendJSONField(b, `,"method":`, e.method)
	b = appendJSONField(b, `,"host":`, e.host)
	b = appendJSONField(b, `,"path":`, path)
	b = strconv.AppendInt(append(b, `,"status":`...), int64(e.status), 10)
	b = strconv.AppendInt(append(b, `,"bytes":`...), e.bytes, 10)
	b = strconv.AppendFloat(append(b, `,"duration_ms":`...), float64(e.end.Sub(e.start))/1e6, 'f', 3, 64)
	b = appendJSONField(b, `,"upstream":`, e.upstream)
	b = appendJSONField(b, `,"request_id":`, e.requestID)
	b = appendJSONField(b, `,"trace_id":`, e.traceID)
	b = appendJSONField(b, `,"remote":`, e.remote)
	return append(b, "}\n"...)
}

func appendJSONField[T string | []byte](b []byte, key string, v T) []byte {
	b = append(append(b, key...), '"')
	for i := 0; i < len(v); {
		c := v[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
		case c < utf8.RuneSelf:
			b = append(b, c)
		default:
			r, size := utf8.DecodeRuneInString(string(v[i:min(i+utf8.UTFMax, len(v))]))
			if r == utf8.RuneError && size == 1 {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, v[i:i+size]...)
			}
			i += size
			continue
		}
		i++
	}
	return append(b, '"')
}

// logAccess writes the access log line of the request just served.
func (cc *clientConn) logAccess(status int, n int64) {
	a := cc.l.alog
	if a == nil {
		return
	}
	x := &cc.x
	e := logEntry{
		start: x.start, end: time.Now(), status: status, bytes: n, remote: cc.remote,
		method: x.log.method.of(x.out), host: x.log.host.of(x.out), target: x.log.target.of(x.out),
		requestID: x.log.requestID.of(x.out), traceID: x.log.traceID.of(x.out),
	}
	e.fill(x)
	cc.logLine = appendLogEntry(cc.logLine[:0], &e)
	a.write(cc.logShard, cc.logLine)
}
