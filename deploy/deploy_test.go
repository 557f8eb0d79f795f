package deploy

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// promtool comes with Debian's prometheus package.
const promtool = "/usr/bin/promtool"

func TestPrometheusRulesPassPromtool(t *testing.T) {
	if _, err := os.Stat(promtool); err != nil {
		t.Fatalf("promtool is required for this test and %s is missing (%v): install the Debian package prometheus (apt-get install -y prometheus)", promtool, err)
	}
	out, err := exec.CommandContext(t.Context(), promtool, "check", "rules", "prometheus/berth-alerts.yml").CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
	t.Logf("%s", strings.TrimSpace(string(out)))
}

// dashboard is the part of Grafana's dashboard model the test checks.
type dashboard struct {
	UID    string `json:"uid"`
	Title  string `json:"title"`
	Panels []struct {
		ID      int    `json:"id"`
		Title   string `json:"title"`
		Type    string `json:"type"`
		GridPos *struct {
			W, H int
		} `json:"gridPos"`
		Targets []struct {
			RefID string `json:"refId"`
			Expr  string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
}

func TestGrafanaDashboard(t *testing.T) {
	data, err := os.ReadFile("grafana/berth-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("parsing dashboard: %v", err)
	}
	if d.UID == "" || d.Title == "" || len(d.Panels) == 0 {
		t.Fatalf("dashboard needs a uid, a title and panels: %+v", d)
	}
	ids := map[int]bool{}
	for _, p := range d.Panels {
		if ids[p.ID] || p.Title == "" || p.Type == "" || p.GridPos == nil || p.GridPos.W == 0 || len(p.Targets) == 0 {
			t.Errorf("panel %d %q: needs a unique id, title, type, gridPos and targets", p.ID, p.Title)
		}
		ids[p.ID] = true
		for _, tg := range p.Targets {
			if tg.RefID == "" || !strings.Contains(tg.Expr, "berth_") {
				t.Errorf("panel %q target %q: expression %q references no berth_ metric", p.Title, tg.RefID, tg.Expr)
			}
		}
	}
	for _, m := range []string{"berth_container_cpu_usage_seconds_total", "berth_container_memory_working_set_bytes",
		"berth_container_memory_limit_bytes", "berth_container_oom_kills_total", "berth_container_network_receive_bytes_total",
		"berth_container_restarts_total", "berth_container_health"} {
		if !strings.Contains(string(data), m) {
			t.Errorf("dashboard does not chart %s", m)
		}
	}
}
