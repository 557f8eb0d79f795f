package alert

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
	"sync"
	"testing"
	"time"
)

// alertmanagerBinary is where Debian's prometheus-alertmanager package
// installs Alertmanager.
const alertmanagerBinary = "/usr/bin/prometheus-alertmanager"

// TestAlertmanagerIntegration sends alerts through the Manager to a real
// Alertmanager and reads them back from its v2 API: firing, then resolved.
func TestAlertmanagerIntegration(t *testing.T) {
	base := startAlertmanager(t)
	src, rec := newFakeSource(), &recorder{}
	am, err := NewAlertmanager(AlertmanagerConfig{URL: base, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	rule := memRule
	rule.For = 0
	m, err := NewManager(Config{Source: src, Rules: []Rule{rule}, Notifiers: []Notifier{am}, OnEvent: rec.onEvent,
		GeneratorURL: "http://berth.test/alerts"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()

	src.set("a", 0.95)
	if err := m.Evaluate(ctx); err != nil {
		t.Fatalf("evaluating (firing): %v", err)
	}
	got := pollAlerts(t, base, "firing alert to appear", func(as []gettableAlert) bool { return len(as) == 1 })
	a := got[0]
	if a.Status.State != "active" || a.Labels["alertname"] != "MemHigh" || a.Labels["instance"] != "a" ||
		a.Labels["severity"] != "warning" || a.Annotations["summary"] != "a at 95% " ||
		a.GeneratorURL != "http://berth.test/alerts?alert=MemHigh" || !a.EndsAt.After(time.Now()) {
		t.Fatalf("alert read back = %+v", a)
	}

	src.reset()
	if err := m.Evaluate(ctx); err != nil {
		t.Fatalf("evaluating (resolved): %v", err)
	}
	pollAlerts(t, base, "resolved alert to leave the active list", func(as []gettableAlert) bool { return len(as) == 0 })
	check(t, "events", eventStrings(takeEvents(rec)), []string{"a:firing→resolved", "a:inactive→firing"})
}

// gettableAlert is the part of Alertmanager's v2 gettableAlert we check.
type gettableAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Status       struct {
		State string `json:"state"`
	} `json:"status"`
}

// pollAlerts reads GET /api/v2/alerts until ok holds or 20s pass.
func pollAlerts(t *testing.T, base, what string, ok func([]gettableAlert) bool) []gettableAlert {
	t.Helper()
	var last []gettableAlert
	var lastErr error
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		last, lastErr = getAlerts(t.Context(), base)
		if lastErr == nil && ok(last) {
			return last
		}
		time.Sleep(50 * time.Millisecond) // polling an external process, with a deadline
	}
	t.Fatalf("waiting for %s: last read %+v, error %v", what, last, lastErr)
	return nil
}

func getAlerts(ctx context.Context, base string) ([]gettableAlert, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v2/alerts", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /api/v2/alerts: %s", resp.Status)
	}
	var as []gettableAlert
	return as, json.NewDecoder(resp.Body).Decode(&as)
}

const alertmanagerConfig = `route:
  receiver: blackhole
  group_wait: 0s
receivers:
  - name: blackhole
`

// startAlertmanager runs Alertmanager on a free loopback port until the
// test ends and returns its base URL once it is ready.
func startAlertmanager(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(alertmanagerBinary); err != nil {
		t.Fatalf("Alertmanager is required for this test and %s is missing (%v): install the Debian package prometheus-alertmanager (apt-get install -y prometheus-alertmanager)", alertmanagerBinary, err)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(cfg, []byte(alertmanagerConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeLoopbackAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, alertmanagerBinary, "--config.file="+cfg, "--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--cluster.listen-address=")
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting %s: %v", alertmanagerBinary, err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait() // killed: the error only says so
		if t.Failed() {
			t.Logf("alertmanager output:\n%s", out.String())
		}
	})
	base := "http://" + addr
	waitReady(t, base+"/-/ready", &out)
	return base
}

func waitReady(t *testing.T, url string, out *lockedBuffer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond) // polling an external process, with a deadline
	}
	t.Fatalf("alertmanager not ready at %s after 30s; output:\n%s", url, out.String())
}

// freeLoopbackAddr returns a loopback address with a port free right now.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// lockedBuffer collects a child process's output safely.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
