package integration

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A real Prometheus scrapes the daemon's /metrics and sees every replica's
// memory, labelled by stack, service and container; berth stats agrees.
func TestPrometheusScrapesContainerMetrics(t *testing.T) {
	name, file := stackFile(t, "services:\n"+appService("app", "    mem_limit: 64m\n    deploy:\n      replicas: 2\n"))
	berth(t, "up", "-f", file, "--wait")

	promAddr := startPrometheus(t, env.metrics)
	query := fmt.Sprintf(`berth_container_memory_limit_bytes{stack=%q,service="app"}`, name)
	var results []promSample
	eventually(t, 60*time.Second, "Prometheus to scrape both replicas", func() bool {
		results = promQuery(t, promAddr, query)
		return len(results) == 2
	})
	for _, r := range results {
		if r.Metric["container"] == "" || r.Value[1] != fmt.Sprint(64*1024*1024) {
			t.Errorf("scraped sample %+v; want a container label and the 64 MiB limit", r)
		}
	}
	out := berth(t, "stats", name)
	if !strings.Contains(out, name+"-app-1") || !strings.Contains(out, "64.0MiB") {
		t.Errorf("berth stats:\n%s", out)
	}
	resp, err := http.Get("http://" + env.metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	check := exec.Command("promtool", "check", "metrics")
	check.Stdin = resp.Body
	if mout, err := check.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, mout)
	}
}

type promSample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

func promQuery(t *testing.T, addr, q string) []promSample {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var body struct {
		Data struct {
			Result []promSample `json:"result"`
		} `json:"data"`
	}
	if json.NewDecoder(resp.Body).Decode(&body) != nil {
		return nil
	}
	return body.Data.Result
}

// startPrometheus runs Debian's prometheus on loopback, scraping target
// every second, and stops it when the test ends.
func startPrometheus(t *testing.T, target string) string {
	t.Helper()
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Fatal("prometheus is not installed: `make test` installs Debian's prometheus package")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	writeFile(t, cfg, fmt.Sprintf("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: berth\n    static_configs:\n      - targets: [%q]\n", target))
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr)
	log, _ := os.Create(filepath.Join(dir, "prometheus.log"))
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	eventually(t, 30*time.Second, "prometheus to be ready", func() bool {
		resp, err := http.Get("http://" + addr + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return addr
}
