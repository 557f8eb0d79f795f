package integration

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// stackFile writes a compose file for a stack named after the test and
// takes the stack down (volumes too) when the test ends.
func stackFile(t *testing.T, body string) (name, path string) {
	t.Helper()
	name = stackName(t)
	dir := t.TempDir()
	path = filepath.Join(dir, "compose.yaml")
	writeFile(t, path, "name: "+name+"\n"+body)
	t.Cleanup(func() { cleanupStack(t, name) })
	return name, path
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// stackName derives a valid, unique Compose project name from the test.
func stackName(t *testing.T) string {
	n := strings.ToLower(t.Name())
	n = strings.NewReplacer("/", "-", "_", "-").Replace(n)
	n = strings.TrimPrefix(n, "test")
	if len(n) > 40 {
		n = n[:40]
	}
	return "it" + n
}

func cleanupStack(t *testing.T, name string) {
	if env.daemon != nil {
		// t.Context is already canceled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		if out, code, _ := run(ctx, "down", name, "--volumes", "--timeout", "60s"); code != 0 && !strings.Contains(out, "no stack named") {
			t.Logf("down %s at cleanup: exit %d\n%s", name, code, out)
		}
	}
	// Whatever is left (a failed test) goes too, so tests stay independent.
	ids := dockerQuiet("ps", "-aq", "--filter", "label=dev.berth.stack="+name)
	if ids != "" {
		dockerQuiet(append([]string{"rm", "-f"}, strings.Fields(ids)...)...)
	}
}

func dockerQuiet(args ...string) string {
	out, _ := execOutput("docker", args...)
	return strings.TrimSpace(out)
}

// ctr is a container as docker reports it.
type ctr struct {
	ID, Name, State, Status, Service string
	Slot                             int
}

// containers lists the stack's containers, sorted by name.
func containers(t *testing.T, stack string) []ctr {
	t.Helper()
	out := docker(t, "ps", "-a", "--no-trunc", "--filter", "label=dev.berth.stack="+stack, "--format",
		`{{.ID}}|{{.Names}}|{{.State}}|{{.Status}}|{{.Label "dev.berth.service"}}|{{.Label "dev.berth.slot"}}`)
	var cs []ctr
	for _, line := range strings.Split(out, "\n") {
		f := strings.Split(line, "|")
		if len(f) != 6 {
			continue
		}
		slot, _ := strconv.Atoi(f[5])
		cs = append(cs, ctr{ID: f[0], Name: f[1], State: f[2], Status: f[3], Service: f[4], Slot: slot})
	}
	slices.SortFunc(cs, func(a, b ctr) int { return strings.Compare(a.Name, b.Name) })
	return cs
}

// running counts the stack's running containers of a service.
func running(t *testing.T, stack, service string) int {
	n := 0
	for _, c := range containers(t, stack) {
		if c.Service == service && c.State == "running" {
			n++
		}
	}
	return n
}

// event is a journal entry as `berth events -o json` prints it.
type event struct {
	Seq       uint64    `json:"seq"`
	Time      time.Time `json:"time"`
	Service   string    `json:"service"`
	Container string    `json:"container"`
	Kind      string    `json:"kind"`
	Message   string    `json:"message"`
}

func events(t *testing.T, stack string) []event {
	t.Helper()
	out := berth(t, "events", stack, "-n", "1000", "-o", "json")
	var evs []event
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var e event
		if err := dec.Decode(&e); err != nil {
			t.Fatalf("decoding events: %v\n%s", err, out)
		}
		evs = append(evs, e)
	}
	return evs
}

func hasEvent(t *testing.T, stack, kind, container string) bool {
	for _, e := range events(t, stack) {
		if e.Kind == kind && (container == "" || e.Container == container) {
			return true
		}
	}
	return false
}

// appService is a compose service running the test app.
func appService(name string, extra string) string {
	return "  " + name + ":\n    image: " + testImage + "\n" + extra
}
