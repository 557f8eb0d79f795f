package proxy

import (
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// serveH2 hands an HTTP/2 connection (TLS with ALPN h2, or h2c with prior
// knowledge) to the listener's net/http server, started on first use.
func (l *listener) serveH2(c net.Conn) {
	h := l.h2server()
	if h == nil {
		_ = c.Close()
		return
	}
	select {
	case h.ln.ch <- c:
	case <-h.ln.done:
		_ = c.Close()
	}
}

func (l *listener) h2server() *h2Server {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.h2 != nil || l.closing.Load() {
		return l.h2
	}
	var p http.Protocols
	p.SetHTTP2(true)
	p.SetUnencryptedHTTP2(true)
	srv := &http.Server{
		Handler:           &h2Handler{l: l},
		Protocols:         &p,
		ReadHeaderTimeout: defaultHeader,
		IdleTimeout:       l.router.Load().idle,
		ErrorLog:          slog.NewLogLogger(l.log.Handler(), slog.LevelDebug),
	}
	cl := &chanListener{ch: make(chan net.Conn), done: make(chan struct{}), addr: l.ln.Addr()}
	l.h2 = &h2Server{srv: srv, ln: cl}
	go func() { _ = srv.Serve(cl) }()
	return l.h2
}

// chanListener feeds connections accepted elsewhere to an http.Server.
type chanListener struct {
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
	addr net.Addr
}

func (c *chanListener) Accept() (net.Conn, error) {
	select {
	case conn := <-c.ch:
		return conn, nil
	case <-c.done:
		return nil, net.ErrClosed
	}
}

func (c *chanListener) Close() error {
	c.once.Do(func() { close(c.done) })
	return nil
}

func (c *chanListener) Addr() net.Addr { return c.addr }

// h2Handler serves HTTP/2 requests through the same routes, endpoint
// selection, retries and stats as HTTP/1.1; only the client side is
// net/http's.
type h2Handler struct{ l *listener }

func (h *h2Handler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	x := &exchange{}
	x.reset(h.l.router.Load().match([]byte(req.Host), []byte(req.URL.Path)), time.Now())
	hop := hopInfo{clientIP: hostOfString(req.RemoteAddr), https: req.TLS != nil, host: []byte(req.Host)}
	b := &h2Body{req: req, chunked: req.ContentLength < 0}
	x.out = buildH2Out(x.out, req, &hop, b, &x.log)
	x.stream = req.ContentLength != 0
	x.replayable = !x.stream && idempotent(req.Method)
	x.body = b
	code := http.StatusNotFound
	if x.route != nil {
		code = x.forward()
		x.bodyIn = b.n
	}
	if code != 0 {
		w.Header().Set("X-Request-Id", string(x.log.requestID.of(x.out)))
		http.Error(w, errorText(code)[:len(errorText(code))-1], code)
		h.l.logH2(x, req, code, 0)
		return
	}
	n, reusable, err := writeH2Response(w, req, x)
	if err != nil {
		// Headers are out: abort the stream so the client sees the body
		// end early rather than a clean end.
		x.finish(false, n)
		h.l.logH2(x, req, x.resp.status, n)
		panic(http.ErrAbortHandler)
	}
	status := x.resp.status
	x.finish(reusable, n)
	h.l.logH2(x, req, status, n)
}

func idempotent(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

func hostOfString(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}
