package proxy

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

const (
	ensureDeadline   = 5 * time.Second
	takeoverDeadline = 15 * time.Second
	ensurePoll       = 25 * time.Millisecond
)

// Spawn says how Ensure starts the proxy process.
type Spawn struct {
	// Bin is the berth binary to run `proxy` from.
	Bin     string
	Control string
	// AccessLog is passed as --access-log when set.
	AccessLog string
	// Version is the caller's own version. A running proxy reporting
	// another one is replaced by Bin's through a takeover (handoff.go).
	// "" keeps whatever runs.
	Version string
	Logger  *slog.Logger
}

// Ensure returns a client for the proxy on sp.Control, starting one
// (bin proxy --control PATH) when none answers and replacing one of
// another version without dropping a connection (--takeover). The proxy
// runs in its own session with output appended to Control+".log", so it
// outlives the caller: a restarting daemon finds it serving the last
// config it pushed.
//
// A failed replacement is logged and leaves the running proxy serving.
func Ensure(ctx context.Context, sp Spawn) (*Client, error) {
	log := sp.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := NewClient(sp.Control)
	info, err := c.ping(ctx)
	if err != nil {
		// Any proxy answering will do: another may win the race to the
		// socket.
		if _, err := sp.start(ctx, false, func(int, PingInfo) bool { return true }); err != nil {
			return nil, err
		}
		return c, nil
	}
	if sp.Version == "" || info.Version == sp.Version {
		return c, nil
	}
	if !info.Takeover {
		log.Warn("the running load balancer cannot hand over to a new version; it keeps serving until it stops",
			"pid", info.PID, "version", info.Version, "want", sp.Version)
		return c, nil
	}
	log.Info("replacing the load balancer", "pid", info.PID, "version", info.Version, "with", sp.Version)
	// Done when the child answers: the old process answers alongside it
	// until it has let go.
	now, err := sp.start(ctx, true, func(child int, p PingInfo) bool { return p.PID == child })
	if err != nil {
		log.Warn("replacing the load balancer failed; the running one keeps serving", "pid", info.PID, "err", err)
		return c, nil
	}
	if now.Version != sp.Version {
		log.Warn("the new load balancer reports another version than this berth", "version", now.Version, "want", sp.Version, "bin", sp.Bin)
	}
	log.Info("load balancer replaced", "old_pid", info.PID, "old_version", info.Version, "pid", now.PID, "version", now.Version)
	return c, nil
}

// start runs bin proxy detached and waits until a ping satisfies ready,
// which is given the child's pid.
func (sp Spawn) start(ctx context.Context, takeover bool, ready func(child int, p PingInfo) bool) (PingInfo, error) {
	c := NewClient(sp.Control)
	logPath := sp.Control + ".log"
	logf, err := os.OpenFile(logPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return PingInfo{}, fmt.Errorf("opening the proxy log: %w", err)
	}
	args := []string{"proxy", "--control", sp.Control}
	if sp.AccessLog != "" {
		args = append(args, "--access-log", sp.AccessLog)
	}
	limit := ensureDeadline
	if takeover {
		args = append(args, "--takeover")
		limit = takeoverDeadline
	}
	cmd := exec.Command(sp.Bin, args...) // not CommandContext: it must outlive ctx
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = cmd.Start()
	_ = logf.Close() // the child has its own descriptor
	if err != nil {
		return PingInfo{}, fmt.Errorf("starting %s proxy: %w", sp.Bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }() // reaps it should it die
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	tick := time.NewTicker(ensurePoll)
	defer tick.Stop()
	for {
		if info, err := c.ping(ctx); err == nil && ready(cmd.Process.Pid, info) {
			return info, nil
		}
		select {
		case err := <-exited:
			if info, perr := c.ping(ctx); perr == nil && ready(cmd.Process.Pid, info) {
				return info, nil
			}
			return PingInfo{}, fmt.Errorf("the proxy exited at start (%v); %s ends with:\n%s", err, logPath, tail(logPath))
		case <-deadline.C:
			return PingInfo{}, fmt.Errorf("the proxy did not answer on %s within %s; %s ends with:\n%s", sp.Control, limit, logPath, tail(logPath))
		case <-ctx.Done():
			return PingInfo{}, ctx.Err()
		case <-tick.C:
		}
	}
}

func (c *Client) ping(ctx context.Context) (PingInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	return c.Ping(ctx)
}

// tail returns the end of a log file for an error message.
func tail(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	const n = 2048
	if st, err := f.Stat(); err == nil && st.Size() > n {
		_, _ = f.Seek(st.Size()-n, io.SeekStart)
	}
	b, _ := io.ReadAll(f)
	return strings.TrimSpace(string(b))
}
