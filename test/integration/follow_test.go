package integration

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer collects a background command's output safely.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// follow starts a long-running berth command (logs -f, events -f) and
// stops it when the test ends.
func follow(t *testing.T, args ...string) *lockedBuffer {
	t.Helper()
	out := &lockedBuffer{}
	cmd := exec.Command(env.berth, args...)
	cmd.Env = append(os.Environ(), "BERTH_SOCKET="+env.socket)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	return out
}

func TestFollowLogsAndEvents(t *testing.T) {
	name, file := stackFile(t, "services:\n"+appService("app", "    environment:\n      APP_VERSION: follow-me\n"))
	berth(t, "up", "-f", file, "--wait")
	eventually(t, 10*time.Second, "the startup line", func() bool {
		return strings.Contains(berth(t, "logs", name), "follow-me")
	})
	logs := follow(t, "logs", "-f", name)
	evs := follow(t, "events", "-f", name, "-n", "0")
	eventually(t, 10*time.Second, "the followed backlog", func() bool {
		return strings.Count(logs.String(), "follow-me") == 1
	})

	berth(t, "restart", name)
	eventually(t, 15*time.Second, "the restarted container's startup line in logs -f", func() bool {
		return strings.Count(logs.String(), "follow-me") >= 2
	})
	eventually(t, 10*time.Second, "the restart in events -f", func() bool {
		return strings.Contains(evs.String(), "restarted on request")
	})
}
