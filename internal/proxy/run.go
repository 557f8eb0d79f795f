package proxy

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"
)

// RunOptions configure the proxy process.
type RunOptions struct {
	// Control is the path of the control socket.
	Control string
	// AccessLog is a file to append access log lines to, "-" for stdout,
	// "" for none.
	AccessLog string
	// AccessLogMaxSize is the size past which the access log file is
	// rotated to AccessLog+".1"; 0 never rotates.
	AccessLogMaxSize int64
	// Takeover takes the sockets and config over from the proxy running
	// on Control (handoff.go), which then exits; with none running it
	// starts afresh.
	Takeover bool
	Version  string
	Logger   *slog.Logger
}

// Run is the proxy process: it serves the control API on a unix socket
// (mode 0600) until ctx ends or a new process takes over, then stops
// accepting and lets requests in flight finish for up to ShutdownGrace.
func Run(ctx context.Context, opts RunOptions) error {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	info := PingInfo{PID: os.Getpid(), Version: opts.Version, Started: time.Now().UTC(), Takeover: true}
	in, ln, lock, err := openControl(ctx, opts, info, log)
	if err != nil {
		return err
	}
	// Whoever serves the socket removes it when it stops, unless it
	// handed it over (or never took it over).
	ownSocket := in == nil
	var ho *handoffSource
	defer func() {
		_ = lock.Close() // the lock lives on in a process that took over
		if ownSocket && (ho == nil || !ho.handedOver()) {
			_ = os.Remove(opts.Control)
		}
	}()
	alw, closeLog, err := openAccessLog(opts.AccessLog, opts.AccessLogMaxSize, log)
	if err != nil {
		in.abort(err)
		_ = ln.Close()
		return err
	}
	defer closeLog()
	s := New(Options{Logger: log, AccessLog: alw})
	if in != nil {
		if err := takeOver(s, in, log); err != nil {
			_ = ln.Close()
			return err
		}
		ownSocket = true
	}
	ho = newHandoffSource(s, ln, lock, info, log)
	mux := http.NewServeMux()
	mux.Handle("/", s.ControlHandler(info))
	mux.Handle("POST "+handoffPath, ho)
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("proxy started", "control", opts.Control, "pid", info.PID, "version", opts.Version)
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-served:
	case <-ho.done:
	}
	if ho.handedOver() {
		serveErr = nil // the handoff closed the control listener under Serve
	}
	stop(log, srv, s)
	// A handoff that began before the stop ends either way before the
	// socket file is removed or kept.
	ho.active.Wait()
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return fmt.Errorf("serving the control API: %w", serveErr)
	}
	return nil
}

// openControl takes the control socket and its lock over from the running
// proxy with opts.Takeover (in is then non-nil), or binds them afresh.
func openControl(ctx context.Context, opts RunOptions, info PingInfo, log *slog.Logger) (in *inheritance, ln *net.UnixListener, lock *os.File, err error) {
	if opts.Takeover {
		in, err = requestHandoff(ctx, opts.Control, info)
		switch {
		case err == nil:
			return in, in.control, in.lock, nil
		case errors.Is(err, errNoProxy):
			log.Info("no proxy to take over; starting afresh", "err", err)
		default:
			return nil, nil, nil, fmt.Errorf("taking over from the running proxy: %w", err)
		}
	}
	ln, lock, err = listenControl(ctx, opts.Control)
	return nil, ln, lock, err
}

// takeOver serves the handed-over config on the inherited sockets and
// tells the old process to let go. On failure the old process serves on
// and s has stopped.
func takeOver(s *Server, in *inheritance, log *slog.Logger) error {
	err := s.restore(in)
	if err != nil {
		in.abort(err)
	} else {
		err = in.commit(log)
	}
	in.release()
	if err != nil {
		// Connections s accepted alongside the old process finish first.
		ctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
		defer cancel()
		s.Shutdown(ctx)
		return fmt.Errorf("taking over from the running proxy: %w", err)
	}
	log.Info("proxy took over", "from_pid", in.state.PID, "from_version", in.state.Version,
		"stacks", len(in.state.Stacks), "listeners", len(in.state.Listeners), "healthy_endpoints", len(in.state.Healthy))
	return nil
}

// stop closes this process's copies of the sockets and lets requests in
// flight finish for up to ShutdownGrace.
func stop(log *slog.Logger, srv *http.Server, s *Server) {
	log.Info("proxy stopping", "grace", ShutdownGrace)
	ctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
	defer cancel()
	_ = srv.Shutdown(ctx)
	s.Shutdown(ctx)
	log.Info("proxy stopped")
}

// listenControl takes the control socket: it refuses when another proxy
// answers on it or holds its lock file, and replaces a stale socket file.
// The socket is created under a temporary name, restricted to 0600 and
// renamed into place, so it is never reachable with wider permissions.
func listenControl(ctx context.Context, path string) (*net.UnixListener, *os.File, error) {
	pctx, cancel := context.WithTimeout(ctx, time.Second)
	info, err := NewClient(path).Ping(pctx)
	cancel()
	if err == nil {
		return nil, nil, fmt.Errorf("another proxy (pid %d) answers on %s", info.PID, path)
	}
	lock, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("opening the control lock: %w", err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = lock.Close()
		return nil, nil, fmt.Errorf("another proxy holds %s.lock: %w", path, err)
	}
	// Closing is the only unlock: a process that takes over holds a
	// duplicate of this descriptor, and with it the lock.
	unlock := func() { _ = lock.Close() }
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		unlock()
		return nil, nil, fmt.Errorf("removing the stale control socket %s: %w", path, err)
	}
	tmp := fmt.Sprintf("%s.%d", path, os.Getpid())
	_ = os.Remove(tmp)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	if err == nil {
		ln.SetUnlinkOnClose(false)
		if err = os.Chmod(tmp, 0o600); err == nil {
			err = os.Rename(tmp, path)
		}
		if err != nil {
			_ = ln.Close()
			_ = os.Remove(tmp)
		}
	}
	if err != nil {
		unlock()
		return nil, nil, fmt.Errorf("listening on the control socket %s: %w", path, err)
	}
	return ln, lock, nil
}
