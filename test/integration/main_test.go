package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// env is the shared test environment: one berth binary and one daemon.
var env struct {
	root   string // repository root
	berth  string // built binary
	dir    string // temp dir for socket and data
	socket string
	// metrics is the daemon's Prometheus address (host:port).
	metrics string
	// webhook receives the daemon's alert notifications.
	webhook *receiver
	daemon  *exec.Cmd
	exited  chan struct{} // closed when the daemon process has exited
	log     string
}

// testImage is built by scripts/build-images.sh from test/app.
const testImage = "berth-test-app:latest"

func TestMain(m *testing.M) {
	code, err := setup()
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration setup failed:", err)
		os.Exit(1)
	}
	if code == 0 {
		code = m.Run()
	}
	stopDaemon()
	stopProxy()
	sweep()
	if code != 0 && env.log != "" {
		if data, err := os.ReadFile(env.log); err == nil {
			tail := data[max(0, len(data)-6000):]
			fmt.Fprintf(os.Stderr, "--- last daemon log lines ---\n%s\n", tail)
		}
	}
	os.RemoveAll(env.dir)
	os.Exit(code)
}

func setup() (int, error) {
	_, file, _, _ := runtime.Caller(0)
	env.root = filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
	if out, err := exec.Command("docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput(); err != nil {
		return 1, fmt.Errorf("no Docker engine answers (run the tests with `make test`, which starts one): %v: %s", err, out)
	}
	var err error
	env.dir, err = os.MkdirTemp("", "berth-it-")
	if err != nil {
		return 1, err
	}
	env.berth = filepath.Join(env.dir, "berth")
	build := exec.Command("go", "build", "-race", "-o", env.berth, "./cmd/berth")
	build.Dir = env.root
	if out, err := build.CombinedOutput(); err != nil {
		return 1, fmt.Errorf("building berth: %v\n%s", err, out)
	}
	images := exec.Command("bash", "scripts/build-images.sh")
	images.Dir = env.root
	if out, err := images.CombinedOutput(); err != nil {
		return 1, fmt.Errorf("building test images: %v\n%s", err, out)
	}
	env.socket = filepath.Join(env.dir, "berth.sock")
	env.webhook = newReceiver()
	if err := os.WriteFile(filepath.Join(env.dir, "rules.yml"), []byte(alertRules), 0o644); err != nil {
		return 1, err
	}
	if env.metrics, err = freeAddr(); err != nil {
		return 1, err
	}
	env.log = filepath.Join(env.dir, "daemon.log")
	return 0, startDaemon()
}

// startDaemon starts `berth daemon` and waits until it answers.
func startDaemon() error {
	logf, err := os.OpenFile(env.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	cmd := exec.Command(env.berth, "daemon", "--socket", env.socket, "--data", filepath.Join(env.dir, "data"), "--resync", "2s", "--metrics", env.metrics,
		"--alert-rules", filepath.Join(env.dir, "rules.yml"), "--alert-webhook", env.webhook.url, "--alert-interval", "1s")
	cmd.Stdout, cmd.Stderr = logf, logf
	// The daemon dies with the test binary, even when that is killed: the
	// kernel signals it when the (locked) thread that started it exits.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	started := make(chan error)
	exited := make(chan struct{})
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the daemon
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		cmd.Wait()
		close(exited)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("starting daemon: %w", err)
	}
	env.daemon, env.exited = cmd, exited
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if _, _, err := run(context.Background(), "version"); err == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("daemon did not answer within 30s (log: %s)", env.log)
}

// stopDaemon stops the daemon gracefully.
func stopDaemon() {
	if env.daemon == nil || env.daemon.Process == nil {
		return
	}
	env.daemon.Process.Signal(syscall.SIGTERM)
	select {
	case <-env.exited:
	case <-time.After(15 * time.Second):
		env.daemon.Process.Kill()
		<-env.exited
	}
	env.daemon = nil
}

// killDaemon kills the daemon with SIGKILL, as a crash would.
func killDaemon(t *testing.T) {
	t.Helper()
	env.daemon.Process.Kill()
	<-env.exited
	env.daemon = nil
}

// run runs the berth CLI against the test daemon.
func run(ctx context.Context, args ...string) (string, int, error) {
	cmd := exec.CommandContext(ctx, env.berth, args...)
	cmd.Env = append(os.Environ(), "BERTH_SOCKET="+env.socket)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	return out.String(), code, err
}

// berth runs the CLI and fails the test unless it succeeds.
func berth(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, _, err := run(ctx, args...)
	if err != nil {
		t.Fatalf("berth %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// docker runs the docker CLI and returns its trimmed output.
func docker(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// eventually polls cond every 100 ms until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sweep removes whatever the tests' stacks left on the engine (a test that
// failed before its cleanup, say), once the daemon is gone.
func sweep() {
	for _, kind := range []string{"container", "network", "volume"} {
		id := map[string]string{"network": "{{.ID}}", "volume": "{{.Name}}"}[kind]
		out, _ := exec.Command("docker", kind, "ls", "--filter", "label=dev.berth.managed=true", "--format", "{{.Label \"dev.berth.stack\"}} "+id).CombinedOutput()
		if kind == "container" {
			out, _ = exec.Command("docker", "ps", "-a", "--filter", "label=dev.berth.managed=true", "--format", "{{.Label \"dev.berth.stack\"}} {{.ID}}").CombinedOutput()
		}
		var ids []string
		for _, line := range strings.Split(string(out), "\n") {
			stack, id, ok := strings.Cut(strings.TrimSpace(line), " ")
			if ok && strings.HasPrefix(stack, "it") {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			continue
		}
		args := map[string][]string{"container": {"rm", "-f"}, "network": {"network", "rm"}, "volume": {"volume", "rm", "-f"}}[kind]
		exec.Command("docker", append(args, ids...)...).Run()
	}
}

// freeAddr finds a free loopback port for a listener the test cannot ask
// for port 0 (another process's).
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// stopProxy stops the load balancer process the daemon started: it is
// meant to outlive the daemon, so the tests end it themselves.
func stopProxy() {
	sock := filepath.Join(env.dir, "data", "proxy.sock")
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		},
	}}
	resp, err := client.Get("http://proxy/v1/ping")
	if err != nil {
		return
	}
	defer resp.Body.Close()
	var ping struct{ PID int }
	if json.NewDecoder(resp.Body).Decode(&ping) != nil || ping.PID <= 0 {
		return
	}
	p, err := os.FindProcess(ping.PID)
	if err != nil {
		return
	}
	p.Signal(syscall.SIGTERM)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) && p.Signal(syscall.Signal(0)) == nil && !zombie(ping.PID) {
		time.Sleep(50 * time.Millisecond)
	}
	p.Kill()
}

// zombie reports whether pid has exited and waits to be reaped (by an init
// that may never do it, in a container).
func zombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	return err != nil || strings.Contains(string(b), ") Z ")
}
