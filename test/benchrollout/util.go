package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func say(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench-rollout: "+format+"\n", args...)
}

// command runs name with args, bounded by limit, and returns its combined
// output (trimmed).
func command(ctx context.Context, limit time.Duration, env []string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	s := strings.TrimSpace(out.String())
	if err != nil {
		return s, fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, s)
	}
	return s, nil
}

func docker(ctx context.Context, args ...string) (string, error) {
	return command(ctx, 2*time.Minute, nil, "docker", args...)
}

// killPID sends SIGKILL to a container's main process, found by
// `docker inspect`: a crash as the engine sees it (`docker kill` would be
// a stop by the user, which restart policies and berth leave alone).
func killPID(ctx context.Context, container string) (time.Time, error) {
	out, err := docker(ctx, "inspect", "-f", "{{.State.Pid}}", container)
	if err != nil {
		return time.Time{}, err
	}
	pid, err := strconv.Atoi(out)
	if err != nil || pid <= 0 {
		return time.Time{}, fmt.Errorf("container %s has no process (pid %q)", container, out)
	}
	t := time.Now()
	return t, syscall.Kill(pid, syscall.SIGKILL)
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitServing polls url until it answers 200 with version, for up to d.
func waitServing(ctx context.Context, url, version string, d time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(d)
	last := "no answer"
	for time.Now().Before(deadline) && ctx.Err() == nil {
		resp, err := client.Get(url)
		if err == nil {
			var body struct{ Version string }
			derr := json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && derr == nil && body.Version == version {
				return nil
			}
			last = fmt.Sprintf("status %d, version %q", resp.StatusCode, body.Version)
		} else {
			last = err.Error()
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer version %s within %s (last: %s)", url, version, d, last)
}

var probeClient = &http.Client{
	Timeout:   100 * time.Millisecond,
	Transport: &http.Transport{DisableKeepAlives: true},
}

// probe is one GET on a fresh connection that must answer 200 quickly.
func probe(url string) bool {
	resp, err := probeClient.Get(url)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// logMark remembers where some log files ended, to show what was appended
// to them during one measurement.
type logMark map[string]int64

func markLogs(paths ...string) logMark {
	m := logMark{}
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil {
			m[p] = fi.Size()
		} else {
			m[p] = 0
		}
	}
	return m
}

// show prints to stderr the lines appended since the mark (at most max
// per file, the last ones).
func (m logMark) show(max int) {
	for p, off := range m {
		b, err := os.ReadFile(p)
		if err != nil || int64(len(b)) <= off {
			continue
		}
		lines := strings.Split(strings.TrimRight(string(b[off:]), "\n"), "\n")
		say("%s during this measurement (%d lines):", p, len(lines))
		if len(lines) > max {
			say("  ... only the last %d shown", max)
			lines = lines[len(lines)-max:]
		}
		for _, l := range lines {
			fmt.Fprintln(os.Stderr, "    "+l)
		}
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3fs", d.Seconds()) }
