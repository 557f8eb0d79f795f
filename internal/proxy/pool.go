package proxy

import (
	"bufio"
	"net"
	"sync"
	"time"
)

const (
	// maxIdlePerEndpoint bounds the idle connections kept per endpoint.
	maxIdlePerEndpoint = 1024
	// poolIdleTimeout is how long an idle backend connection is trusted.
	// It is below the 5 s keep-alive timeout of Node.js servers, the
	// shortest common one, so the proxy rarely reuses a connection the
	// backend is about to close.
	poolIdleTimeout = 4 * time.Second
	backendReadBuf  = 16 << 10
	backendWriteBuf = 8 << 10
)

var backendReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, backendReadBuf) }}

// backendConn is a connection to an endpoint with its buffers.
type backendConn struct {
	conn      net.Conn
	br        *bufio.Reader
	bw        *bufio.Writer // made on first streamed request body
	dl        deadline
	reused    bool  // taken from the idle pool
	idleSince int64 // unix nanoseconds
}

func newBackendConn(c net.Conn) *backendConn {
	br := backendReaders.Get().(*bufio.Reader)
	br.Reset(c)
	return &backendConn{conn: c, br: br}
}

// writer returns the buffered writer for request bodies.
func (bc *backendConn) writer() *bufio.Writer {
	if bc.bw == nil {
		bc.bw = bufio.NewWriterSize(bc.conn, backendWriteBuf)
	}
	return bc.bw
}

func (bc *backendConn) close() {
	_ = bc.conn.Close()
	if bc.br != nil {
		bc.br.Reset(nil)
		backendReaders.Put(bc.br)
		bc.br = nil
	}
}

// pool is an endpoint's idle connections: a LIFO stack, so the connection
// reused is the one most recently known to work, and one short critical
// section per take or return.
type pool struct {
	mu     sync.Mutex
	idle   []*backendConn
	closed bool
}

func (p *pool) pop() *backendConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.idle)
	if n == 0 {
		return nil
	}
	bc := p.idle[n-1]
	p.idle[n-1] = nil
	p.idle = p.idle[:n-1]
	return bc
}

func (p *pool) push(bc *backendConn) bool {
	p.mu.Lock()
	ok := !p.closed && len(p.idle) < maxIdlePerEndpoint
	if ok {
		p.idle = append(p.idle, bc)
	}
	p.mu.Unlock()
	return ok
}

// take removes and returns idle connections matching keep==false.
func (p *pool) take(drop func(*backendConn) bool) []*backendConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*backendConn
	kept := p.idle[:0]
	for _, bc := range p.idle {
		if drop(bc) {
			out = append(out, bc)
		} else {
			kept = append(kept, bc)
		}
	}
	clear(p.idle[len(kept):])
	p.idle = kept
	return out
}

func (p *pool) closeIdle() {
	for _, bc := range p.take(func(*backendConn) bool { return true }) {
		bc.close()
	}
}

// reap closes connections idle for longer than poolIdleTimeout; the
// health checker calls it on each probe.
func (p *pool) reap(now int64) {
	for _, bc := range p.take(func(bc *backendConn) bool { return now-bc.idleSince > int64(poolIdleTimeout) }) {
		bc.close()
	}
}

func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.closeIdle()
}

// conn returns a pooled connection to the endpoint or dials a new one.
func (e *endpoint) conn(dial time.Duration, now int64) (*backendConn, error) {
	for {
		bc := e.pool.pop()
		if bc == nil {
			break
		}
		if now-bc.idleSince > int64(poolIdleTimeout) {
			bc.close()
			continue
		}
		bc.reused = true
		return bc, nil
	}
	c, err := net.DialTimeout("tcp", e.addr, dial)
	if err != nil {
		return nil, err
	}
	return newBackendConn(c), nil
}

// release returns a connection after a request: pooled when it may carry
// another, closed when it may not or the endpoint is draining or gone.
// Bytes left after the response (a misbehaving backend) would be read as
// the next response, so such a connection is closed too.
func (e *endpoint) release(bc *backendConn, reusable bool, now int64) {
	if !reusable || bc.br.Buffered() > 0 || e.draining.Load() || e.removed.Load() {
		bc.close()
		return
	}
	bc.idleSince = now
	if !e.pool.push(bc) {
		bc.close()
	}
}
