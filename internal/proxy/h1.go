package proxy

import (
	"bufio"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

const (
	clientReadBuf  = 16 << 10 // also the largest request head accepted
	clientWriteBuf = 8 << 10
)

// Connection states, for closing idle keep-alive connections on shutdown
// without cutting a request.
const (
	connActive int32 = iota
	connIdle
	connClosed
	// connFresh waits for its first request. Shutdown leaves it freshGrace
	// to arrive: the client sent it right after connecting, to a listener
	// that was still accepting (as when a takeover hands the socket to a
	// new process), and a fresh connection closed unanswered is not
	// retried by clients.
	connFresh
)

// freshGrace is how long shutdown waits for a fresh connection's first
// request; net/http waits as long.
const freshGrace = 5 * time.Second

var (
	clientReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, clientReadBuf) }}
	clientWriters = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, clientWriteBuf) }}
)

// clientConn is one HTTP/1.1 client connection, served by one goroutine
// request after request. Everything a request needs lives here and is
// reused, so a keep-alive request allocates nothing.
type clientConn struct {
	l        *listener
	conn     net.Conn
	br       *bufio.Reader
	bw       *bufio.Writer
	state    atomic.Int32
	fresh    bool      // no request read yet
	accepted time.Time // when serving began, for freshGrace
	dl       deadline
	idle     time.Duration
	remote   string // client IP
	https    bool
	handoff  bool // the connection went to the HTTP/2 server
	req      reqHead
	x        exchange
	hop      hopInfo
	reqHook  reqHook
	respHook respHook
	logLine  []byte
	logShard uint32
}

func (l *listener) serveHTTP1(c net.Conn, https bool) {
	cc := &clientConn{l: l, conn: c, https: https, remote: hostOf(c.RemoteAddr()), fresh: true, accepted: time.Now()}
	cc.br = clientReaders.Get().(*bufio.Reader)
	cc.br.Reset(c)
	cc.bw = clientWriters.Get().(*bufio.Writer)
	cc.bw.Reset(c)
	cc.reqHook.cc, cc.respHook.cc = cc, cc
	if l.alog != nil {
		cc.logShard = l.alog.shard()
	}
	l.track(cc)
	defer cc.release()
	for cc.awaitRequest() && cc.serveRequest() {
	}
}

// awaitRequest waits for the next request, idle (closable by shutdown)
// while nothing is buffered.
func (cc *clientConn) awaitRequest() bool {
	if cc.br.Buffered() > 0 {
		return true // pipelined
	}
	idle := connIdle
	if cc.fresh {
		idle, cc.fresh = connFresh, false
	}
	cc.state.Store(idle)
	if idle == connIdle && cc.l.closing.Load() {
		return false
	}
	cc.idle = cc.l.router.Load().idle
	cc.dl.arm(cc.conn, time.Now().UnixNano(), cc.idle)
	_, err := cc.br.Peek(1)
	return cc.state.CompareAndSwap(idle, connActive) && err == nil
}

func (cc *clientConn) release() {
	cc.l.untrack(cc)
	cc.state.Store(connClosed)
	if cc.handoff {
		return
	}
	_ = cc.conn.Close()
	cc.br.Reset(nil)
	clientReaders.Put(cc.br)
	cc.bw.Reset(nil)
	clientWriters.Put(cc.bw)
}

// closeIdle closes the connection if it waits for a request (for its
// first one, only past freshGrace).
func (cc *clientConn) closeIdle() bool {
	if cc.state.CompareAndSwap(connIdle, connClosed) ||
		time.Since(cc.accepted) > freshGrace && cc.state.CompareAndSwap(connFresh, connClosed) {
		_ = cc.conn.Close()
		return true
	}
	return false
}

func (cc *clientConn) forceClose() { _ = cc.conn.Close() }

// handoffH2 passes an h2c (prior knowledge) connection, with what was
// already read of it, to the HTTP/2 server.
func (cc *clientConn) handoffH2() {
	cc.handoff = true
	cc.l.serveH2(&bufferedConn{Conn: cc.conn, r: cc.br})
}

// bufferedConn reads through a bufio.Reader that already holds some of
// the connection's bytes.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// reqHook runs while a request body streams to the backend.
type reqHook struct{ cc *clientConn }

func (h *reqHook) beforeBlock() error {
	cc := h.cc
	bc := cc.x.bc
	if bc.bw.Buffered() > 0 {
		if err := bc.bw.Flush(); err != nil {
			return err
		}
	}
	now := time.Now().UnixNano()
	cc.dl.arm(cc.conn, now, cc.idle)
	bc.dl.arm(bc.conn, now, cc.x.route.cfg.Timeouts.Header.D())
	return nil
}

// respHook runs while a response body streams to the client: what was
// copied is flushed before waiting on the backend, and the backend has no
// deadline while the body streams (server-sent events may pause for
// minutes), while the client's idle deadline moves on.
type respHook struct{ cc *clientConn }

func (h *respHook) beforeBlock() error {
	cc := h.cc
	if cc.bw.Buffered() > 0 {
		if err := cc.bw.Flush(); err != nil {
			return err
		}
	}
	cc.x.bc.dl.clear(cc.x.bc.conn)
	cc.dl.arm(cc.conn, time.Now().UnixNano(), cc.idle)
	return nil
}

func hostOf(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.String()
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}
