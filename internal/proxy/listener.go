package proxy

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

const (
	handshakeTimeout = 10 * time.Second
	shutdownPoll     = 20 * time.Millisecond
)

// tracked is a connection a listener closes when it shuts down.
type tracked interface {
	closeIdle() bool // close now if idle; reports whether it did
	forceClose()
}

// listener is one listen address, shared by every route on it. Its
// routing table is swapped atomically by config pushes; the socket stays
// open as long as some route uses the address.
type listener struct {
	addr       string
	ln         net.Listener
	log        *slog.Logger
	router     atomic.Pointer[router]
	closing    atomic.Bool
	acceptDone chan struct{}
	// serving counts connections from accept until served, so shutdown
	// also waits for those not tracked yet.
	serving atomic.Int64

	mu    sync.Mutex
	conns map[tracked]struct{}
	h2    *h2Server
	alog  *accessLog
}

func listen(addr string, log *slog.Logger, alog *accessLog) (*listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return newListener(addr, ln, log, alog), nil
}

// newListener serves a bound socket: one bound here, or one inherited from
// the proxy this process took over from (handoff.go).
func newListener(addr string, ln net.Listener, log *slog.Logger, alog *accessLog) *listener {
	return &listener{
		addr: addr, ln: ln, alog: alog, log: log.With("listen", addr),
		acceptDone: make(chan struct{}), conns: map[tracked]struct{}{},
	}
}

func (l *listener) acceptLoop() {
	defer close(l.acceptDone)
	var delay time.Duration
	for {
		c, err := l.ln.Accept()
		if err != nil {
			if l.closing.Load() || errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: back off as net/http
			// does rather than spin.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			l.log.Warn("accept failed", "err", err, "retry_in", delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		l.serving.Add(1)
		go func() {
			defer l.serving.Add(-1)
			l.serve(c)
		}()
	}
}

func (l *listener) serve(c net.Conn) {
	rt := l.router.Load()
	switch {
	case rt.tcp != nil:
		l.serveTCP(c, rt.tcp)
	case rt.tls != nil:
		l.serveTLS(c, rt.tls)
	default:
		l.serveHTTP1(c, false)
	}
}

func (l *listener) serveTLS(c net.Conn, cfg *tls.Config) {
	tc := tls.Server(c, cfg)
	_ = c.SetDeadline(time.Now().Add(handshakeTimeout))
	if err := tc.Handshake(); err != nil {
		l.log.Debug("TLS handshake failed", "remote", c.RemoteAddr(), "err", err)
		_ = c.Close()
		return
	}
	_ = c.SetDeadline(time.Time{})
	if tc.ConnectionState().NegotiatedProtocol == "h2" {
		l.serveH2(tc)
		return
	}
	l.serveHTTP1(tc, true)
}

func (l *listener) track(t tracked) {
	l.mu.Lock()
	l.conns[t] = struct{}{}
	l.mu.Unlock()
}

func (l *listener) untrack(t tracked) {
	l.mu.Lock()
	delete(l.conns, t)
	l.mu.Unlock()
}

// shutdown stops accepting, closes keep-alive connections as they go
// idle and, when ctx ends, whatever is left.
func (l *listener) shutdown(ctx context.Context) {
	l.closing.Store(true)
	_ = l.ln.Close()
	<-l.acceptDone
	l.mu.Lock()
	h2 := l.h2
	l.mu.Unlock()
	h2done := make(chan struct{})
	go func() {
		defer close(h2done)
		if h2 != nil {
			if err := h2.srv.Shutdown(ctx); err != nil {
				_ = h2.srv.Close()
			}
		}
	}()
	tick := time.NewTicker(shutdownPoll)
	defer tick.Stop()
	for {
		if l.closeIdle() == 0 && l.serving.Load() == 0 {
			<-h2done
			return
		}
		select {
		case <-ctx.Done():
			l.forceClose()
			<-h2done
			return
		case <-tick.C:
		}
	}
}

// closeIdle closes idle connections and returns how many remain open.
func (l *listener) closeIdle() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	for t := range l.conns {
		if t.closeIdle() {
			delete(l.conns, t)
		}
	}
	return len(l.conns)
}

func (l *listener) forceClose() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for t := range l.conns {
		t.forceClose()
	}
}

// h2Server is net/http serving the listener's HTTP/2 connections.
type h2Server struct {
	srv *http.Server
	ln  *chanListener
}
