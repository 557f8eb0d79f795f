package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	Version   string
	Logger    *slog.Logger
}

// Run is the proxy process: it serves the control API on a unix socket
// (mode 0600) until ctx ends, then stops accepting and lets requests in
// flight finish for up to ShutdownGrace.
func Run(ctx context.Context, opts RunOptions) error {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ln, unlock, err := listenControl(ctx, opts.Control)
	if err != nil {
		return err
	}
	defer unlock()
	defer os.Remove(opts.Control)
	alw, closeLog, err := openAccessLog(opts.AccessLog)
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer closeLog()
	s := New(Options{Logger: log, AccessLog: alw})
	info := PingInfo{PID: os.Getpid(), Version: opts.Version, Started: time.Now().UTC()}
	srv := &http.Server{
		Handler:           s.ControlHandler(info),
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
	}
	log.Info("proxy stopping", "grace", ShutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
	defer cancel()
	_ = srv.Shutdown(sctx)
	s.Shutdown(sctx)
	log.Info("proxy stopped")
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return fmt.Errorf("serving the control API: %w", serveErr)
	}
	return nil
}

// listenControl takes the control socket: it refuses when another proxy
// answers on it or holds its lock file, and replaces a stale socket file.
// The socket is created under a temporary name, restricted to 0600 and
// renamed into place, so it is never reachable with wider permissions.
func listenControl(ctx context.Context, path string) (net.Listener, func(), error) {
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
	unlock := func() { _ = lock.Close() }
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		unlock()
		return nil, nil, fmt.Errorf("removing the stale control socket %s: %w", path, err)
	}
	tmp := fmt.Sprintf("%s.%d", path, os.Getpid())
	_ = os.Remove(tmp)
	ln, err := net.Listen("unix", tmp)
	if err == nil {
		ln.(*net.UnixListener).SetUnlinkOnClose(false)
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
	return ln, unlock, nil
}

func openAccessLog(path string) (io.Writer, func(), error) {
	switch path {
	case "":
		return nil, func() {}, nil
	case "-":
		return os.Stdout, func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o640)
	if err != nil {
		return nil, nil, fmt.Errorf("opening the access log: %w", err)
	}
	return f, func() { _ = f.Close() }, nil
}
