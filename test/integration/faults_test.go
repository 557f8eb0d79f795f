package integration

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestDaemonKilledDuringUpConverges(t *testing.T) {
	const replicas = 12
	name, file := stackFile(t, fmt.Sprintf(`x-berth:
  parallelism: 2
services:
  app:
    image: %s
    deploy:
      replicas: %d
`, testImage, replicas))
	berth(t, "up", "-f", file) // returns once the revision is stored
	eventually(t, 30*time.Second, "the first containers", func() bool { return len(containers(t, name)) >= 2 })
	killDaemon(t)
	during := len(containers(t, name))
	if err := startDaemon(); err != nil {
		t.Fatal(err)
	}
	berth(t, "up", "-f", file, "--wait", "--timeout", "90s")
	cs := containers(t, name)
	slots := map[int]bool{}
	for _, c := range cs {
		if c.State != "running" || slots[c.Slot] || c.Slot < 1 || c.Slot > replicas {
			t.Errorf("bad container after recovery: %+v", c)
		}
		slots[c.Slot] = true
	}
	if len(cs) != replicas {
		t.Errorf("after the crash (%d containers existed) and restart: %d containers, want exactly %d", during, len(cs), replicas)
	}
	if during >= replicas {
		t.Logf("note: all %d containers existed before the kill landed", during)
	}
}

func TestEngineRestartUnderDaemon(t *testing.T) {
	name, file := stackFile(t, "services:\n"+appService("app", "    deploy:\n      replicas: 2\n"))
	berth(t, "up", "-f", file, "--wait")

	stopEngine(t)
	// The daemon's API keeps answering, and says the engine does not.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	out, _, err := run(ctx, "version")
	cancel()
	if err != nil || !strings.Contains(out, "not answering") {
		t.Errorf("berth version with the engine down: %v\n%s", err, out)
	}
	startEngine(t)

	deadline := time.Now().Add(90 * time.Second)
	for running(t, name, "app") != 2 {
		if time.Now().After(deadline) {
			evs, _, _ := run(context.Background(), "events", name, "-n", "40")
			t.Fatalf("replicas not running 90s after the engine restart\ncontainers: %+v\nevents:\n%s", containers(t, name), evs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if out := berth(t, "up", "-f", file, "--wait", "--timeout", "60s"); !strings.Contains(out, "no change") {
		t.Errorf("up after engine restart:\n%s", out)
	}
}

// stopEngine stops dockerd gracefully (an unclean stop can damage its
// network store) and waits until it is gone.
func stopEngine(t *testing.T) {
	t.Helper()
	pid := strings.TrimSpace(mustOutput(t, "sh", "-c", `ps -eo pid=,stat=,comm= | awk '$3 == "dockerd" && $2 !~ /^Z/ {print $1; exit}'`))
	if pid == "" {
		t.Fatal("no dockerd process found: this test restarts the engine started by scripts/engine.sh")
	}
	mustOutput(t, "kill", "-TERM", pid)
	eventually(t, 60*time.Second, "dockerd to exit", func() bool {
		out, _ := execOutput("sh", "-c", "ps -o stat= -p "+pid)
		return out == "" || strings.HasPrefix(strings.TrimSpace(out), "Z")
	})
}

func startEngine(t *testing.T) {
	t.Helper()
	cmd := exec.Command("bash", "scripts/engine.sh")
	cmd.Dir = env.root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("restarting the engine: %v\n%s", err, out)
	}
}

func mustOutput(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := execOutput(name, args...)
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return out
}
