package integration

import (
	"strings"
	"testing"
	"time"
)

func TestUpPlanIdempotentDown(t *testing.T) {
	name, file := stackFile(t, "services:\n"+appService("app", `    environment:
      APP_VERSION: v1
    deploy:
      replicas: 2
`))
	plan := berth(t, "plan", "-f", file)
	if strings.Count(plan, "create") != 2 {
		t.Fatalf("plan on an empty host should create 2 slots:\n%s", plan)
	}
	if n := len(containers(t, name)); n != 0 {
		t.Fatalf("plan created %d containers", n)
	}

	berth(t, "up", "-f", file, "--wait")
	first := containers(t, name)
	if len(first) != 2 || first[0].State != "running" || first[1].State != "running" {
		t.Fatalf("after up: %+v", first)
	}

	out := berth(t, "up", "-f", file, "--wait")
	if !strings.Contains(out, "no change") {
		t.Errorf("second up of an unchanged file should say no change:\n%s", out)
	}
	again := containers(t, name)
	if len(again) != 2 || again[0].ID != first[0].ID || again[1].ID != first[1].ID {
		t.Errorf("unchanged up touched containers: before %+v after %+v", first, again)
	}
	if plan := berth(t, "plan", "-f", file); !strings.Contains(plan, "no changes") {
		t.Errorf("plan after up should show no changes:\n%s", plan)
	}

	// A changed environment replaces both replicas with the new spec.
	writeFile(t, file, strings.Replace(readFile(t, file), "APP_VERSION: v1", "APP_VERSION: v2", 1))
	if plan := berth(t, "plan", "-f", file); strings.Count(plan, "replace") != 2 {
		t.Errorf("plan after an env change should replace 2 slots:\n%s", plan)
	}
	berth(t, "up", "-f", file, "--wait")
	replaced := containers(t, name)
	if len(replaced) != 2 || replaced[0].ID == first[0].ID || replaced[1].ID == first[1].ID {
		t.Errorf("env change did not replace containers: %+v", replaced)
	}
	if v := docker(t, "inspect", "-f", "{{range .Config.Env}}{{println .}}{{end}}", replaced[0].ID); !strings.Contains(v, "APP_VERSION=v2") {
		t.Errorf("replaced container env:\n%s", v)
	}
	if ps := berth(t, "ps", name); strings.Count(ps, "running") != 2 {
		t.Errorf("berth ps:\n%s", ps)
	}

	berth(t, "down", name)
	if cs := containers(t, name); len(cs) != 0 {
		t.Errorf("containers left after down: %+v", cs)
	}
	if nets := docker(t, "network", "ls", "-q", "--filter", "label=dev.berth.stack="+name); nets != "" {
		t.Errorf("networks left after down: %s", nets)
	}
}

func TestScaleUpAndDown(t *testing.T) {
	name, file := stackFile(t, "services:\n"+appService("app", ""))
	berth(t, "up", "-f", file, "--wait")
	berth(t, "scale", name, "app=4")
	if n := running(t, name, "app"); n != 4 {
		t.Fatalf("after scale to 4: %d running", n)
	}
	berth(t, "scale", name, "app=2")
	cs := containers(t, name)
	if len(cs) != 2 || cs[0].Slot != 1 || cs[1].Slot != 2 {
		t.Fatalf("scale down should keep slots 1 and 2: %+v", cs)
	}
	// The override holds for an unchanged file.
	if out := berth(t, "up", "-f", file, "--wait"); !strings.Contains(out, "no change") || running(t, name, "app") != 2 {
		t.Errorf("up after scale changed the replica count:\n%s", out)
	}
	if _, code, _ := run(t.Context(), "scale", name, "nope=2"); code == 0 {
		t.Error("scaling an unknown service succeeded")
	}
}

func TestStopIsGracefulThenKills(t *testing.T) {
	name, file := stackFile(t, "services:\n"+appService("stubborn", `    environment:
      APP_IGNORE_TERM: "1"
    stop_grace_period: 2s
`))
	berth(t, "up", "-f", file, "--wait")
	start := time.Now()
	berth(t, "down", name)
	took := time.Since(start)
	if took < 2*time.Second || took > 8*time.Second {
		t.Errorf("down of a container that ignores SIGTERM took %s; want the 2s grace period, then a kill", took)
	}
	if cs := containers(t, name); len(cs) != 0 {
		t.Errorf("containers left: %+v", cs)
	}
}

func TestLogsAndEvents(t *testing.T) {
	name, file := stackFile(t, "services:\n"+appService("app", `    environment:
      APP_VERSION: logs-test
    deploy:
      replicas: 2
`))
	berth(t, "up", "-f", file, "--wait")
	eventually(t, 10*time.Second, "startup lines in berth logs", func() bool {
		out := berth(t, "logs", name)
		return strings.Count(out, "logs-test") >= 2 && strings.Contains(out, name+"-app-1") && strings.Contains(out, name+"-app-2")
	})
	kinds := map[string]int{}
	for _, e := range events(t, name) {
		kinds[e.Kind]++
	}
	if kinds["deploy"] != 1 || kinds["create"] != 2 {
		t.Errorf("events by kind = %v; want 1 deploy and 2 create", kinds)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := readFileBytes(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
