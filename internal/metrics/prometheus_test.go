package metrics

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
)

// scrape runs one sweep over shopTargets and returns the text exposition.
func scrape(t *testing.T) string {
	t.Helper()
	c, err := New(Config{Targets: staticTargets(shopTargets...), Sampler: newFakeSampler(map[string]float64{"c1": 1})})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c.Handler())
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %d, %v", resp.StatusCode, err)
	}
	return string(body)
}

func TestPrometheusExposition(t *testing.T) {
	out := scrape(t)
	const web1 = `{container="shop-web-1",service="web",stack="shop"}`
	for _, want := range []string{
		"# TYPE berth_container_cpu_usage_seconds_total counter",
		"berth_container_cpu_usage_seconds_total" + web1,
		"# TYPE berth_container_memory_working_set_bytes gauge",
		"berth_container_memory_working_set_bytes" + web1 + " 524288",
		"berth_container_memory_usage_bytes" + web1 + " 1.048576e+06",
		"berth_container_memory_limit_bytes" + web1 + " 4.194304e+06",
		"berth_container_oom_kills_total" + web1 + " 0",
		"berth_container_network_receive_bytes_total" + web1,
		"berth_container_network_transmit_bytes_total" + web1,
		"berth_container_fs_reads_bytes_total" + web1 + " 0",
		"berth_container_fs_writes_bytes_total" + web1 + " 0",
		"berth_container_pids" + web1 + " 2",
		`berth_container_pids{container="shop-db-1",service="db",stack="shop"} 2`,
		"# TYPE berth_collector_sweep_duration_seconds histogram",
		"berth_collector_sweep_duration_seconds_count 1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("exposition lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("exposition:\n%s", out)
	}
}

// TestPrometheusPromtool lints the exposition. promtool comes with the
// Debian package prometheus (apt-get install -y prometheus).
func TestPrometheusPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatalf("promtool not found (install it with: apt-get install -y prometheus): %v", err)
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(scrape(t))
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("promtool check metrics: %v\n%s", err, stderr.String())
	}
}
