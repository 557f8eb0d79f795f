package proxy

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

const (
	ensureDeadline = 5 * time.Second
	ensurePoll     = 25 * time.Millisecond
)

// Ensure returns a client for the proxy on controlPath, starting one
// (bin proxy --control controlPath) when none answers. The proxy runs in
// its own session with output appended to controlPath+".log", so it
// outlives the caller: a restarting daemon finds it serving the last
// config it pushed.
func Ensure(ctx context.Context, bin, controlPath, accessLog string) (*Client, error) {
	c := NewClient(controlPath)
	if c.answers(ctx) {
		return c, nil
	}
	logPath := controlPath + ".log"
	logf, err := os.OpenFile(logPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the proxy log: %w", err)
	}
	args := []string{"proxy", "--control", controlPath}
	if accessLog != "" {
		args = append(args, "--access-log", accessLog)
	}
	cmd := exec.Command(bin, args...) // not CommandContext: it must outlive ctx
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = cmd.Start()
	_ = logf.Close() // the child has its own descriptor
	if err != nil {
		return nil, fmt.Errorf("starting %s proxy: %w", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }() // reaps it should it die
	deadline := time.NewTimer(ensureDeadline)
	defer deadline.Stop()
	tick := time.NewTicker(ensurePoll)
	defer tick.Stop()
	for {
		if c.answers(ctx) {
			return c, nil
		}
		select {
		case err := <-exited:
			// Another proxy may have won a race to the socket.
			if c.answers(ctx) {
				return c, nil
			}
			return nil, fmt.Errorf("the proxy exited at start (%v); %s ends with:\n%s", err, logPath, tail(logPath))
		case <-deadline.C:
			return nil, fmt.Errorf("the proxy did not answer on %s within %s; %s ends with:\n%s", controlPath, ensureDeadline, logPath, tail(logPath))
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
}

func (c *Client) answers(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	_, err := c.Ping(ctx)
	return err == nil
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
