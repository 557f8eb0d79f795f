package integration

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// routedStack writes a stack with one service "web" of replicas behind the
// load balancer on a free loopback port, running version; extra is added
// to the service's x-berth (indented by six spaces) and env to its
// environment.
func routedStack(t *testing.T, replicas int, version, extra, env string) (name, path, url string) {
	t.Helper()
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	name, path = stackFile(t, routedBody(addr, replicas, version, extra, env))
	return name, path, "http://" + addr + "/"
}

func routedBody(addr string, replicas int, version, extra, env string) string {
	return fmt.Sprintf(`services:
  web:
    image: %s
    deploy: {replicas: %d}
    environment:
      APP_VERSION: %s
%s    x-berth:
      routes:
        - listen: %s
          port: 8080
      lb:
        health: {path: /health, interval: 1s}
%s`, testImage, replicas, version, env, addr, extra)
}

// redeploy rewrites the stack's file with another version and runs up.
func redeploy(t *testing.T, path, addr string, replicas int, version, extra, env string, args ...string) (string, int) {
	t.Helper()
	name := strings.TrimPrefix(strings.SplitN(readFile(t, path), "\n", 2)[0], "name: ")
	writeFile(t, path, "name: "+name+"\n"+routedBody(addr, replicas, version, extra, env))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, code, _ := run(ctx, append([]string{"up", "-f", path}, args...)...)
	return out, code
}

func hostOf(url string) string {
	return strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/")
}

func TestRollingDeployAndUndoUnderLoad(t *testing.T) {
	deploy := "      deploy: {strategy: rolling, max_surge: 1, max_unavailable: 0}\n"
	name, path, url := routedStack(t, 3, "v1", deploy, "")
	berth(t, "up", "-f", path, "--wait")
	waitServing(t, url, "v1")

	l := startLoad(t, url)
	start := time.Now()
	if out, code := redeploy(t, path, hostOf(url), 3, "v2", deploy, "", "--wait"); code != 0 {
		t.Fatalf("rolling deploy: exit %d\n%s", code, out)
	}
	t.Logf("rolling deploy of 3 replicas took %s", time.Since(start).Round(time.Millisecond))
	if v := l.lastVersion(); v != "v2" {
		t.Fatalf("after up --wait the load balancer still answers %q", v)
	}
	if n := running(t, name, "web"); n != 3 {
		t.Fatalf("%d replicas running after the rollout, want 3", n)
	}
	start = time.Now()
	berth(t, "rollout", "undo", name, "--wait")
	t.Logf("undo took %s", time.Since(start).Round(time.Millisecond))
	if v := l.lastVersion(); v != "v1" {
		t.Fatalf("after undo --wait the load balancer answers %q", v)
	}
	l.requireClean(t, 1000)
	hist := berth(t, "rollout", "history", name)
	if !strings.Contains(hist, "ok") || strings.Count(hist, "\n") != 3 {
		t.Fatalf("rollout history:\n%s", hist)
	}
}

func TestBlueGreenSwitchesAtOnceAndUndoIsInstant(t *testing.T) {
	deploy := "      deploy: {strategy: blue_green, keep: 2m}\n"
	name, path, url := routedStack(t, 2, "v1", deploy, "")
	berth(t, "up", "-f", path, "--wait")
	waitServing(t, url, "v1")

	l := startLoad(t, url)
	if out, code := redeploy(t, path, hostOf(url), 2, "v2", deploy, "", "--wait"); code != 0 {
		t.Fatalf("blue-green deploy: exit %d\n%s", code, out)
	}
	if v := l.lastVersion(); v != "v2" {
		t.Fatalf("after the switch the load balancer answers %q", v)
	}
	if n := running(t, name, "web"); n != 4 {
		t.Fatalf("%d replicas running after the switch, want 4 (the old set is kept for an undo)", n)
	}
	start := time.Now()
	berth(t, "rollout", "undo", name, "--wait")
	undo := time.Since(start)
	if v := l.lastVersion(); v != "v1" {
		t.Fatalf("after undo the load balancer answers %q", v)
	}
	if undo > 10*time.Second {
		t.Fatalf("undo with the old set kept took %s; it should only switch traffic", undo)
	}
	l.requireClean(t, 500)
}

func TestBrokenVersionNeverServesAndRollsBack(t *testing.T) {
	deploy := "      deploy: {strategy: rolling, timeout: 6s}\n"
	name, path, url := routedStack(t, 2, "v1", deploy, "")
	berth(t, "up", "-f", path, "--wait")
	waitServing(t, url, "v1")

	l := startLoad(t, url)
	out, code := redeploy(t, path, hostOf(url), 2, "v2", deploy, "      APP_HEALTHY: \"0\"\n", "--wait")
	if code != 4 || !strings.Contains(out, "rolled back") || !strings.Contains(out, "health check") {
		t.Fatalf("up --wait of a broken version: exit %d, want 4 with the rollback named\n%s", code, out)
	}
	eventually(t, 30*time.Second, "the broken replicas to go", func() bool { return running(t, name, "web") == 2 })
	if n := l.seen("v2"); n != 0 {
		t.Fatalf("the unhealthy version answered %d requests", n)
	}
	l.requireClean(t, 500)
	if !hasEvent(t, name, "rollback", "") {
		t.Fatal("no rollback event in the journal")
	}
	if hist := berth(t, "rollout", "history", name); !strings.Contains(hist, "failed:") {
		t.Fatalf("history does not show the failed revision:\n%s", hist)
	}
}

func TestCanaryWithErrorsIsRolledBackByAnalysis(t *testing.T) {
	deploy := "      deploy:\n        strategy: canary\n        steps: [{weight: 50, hold: 3s}]\n        analysis: {max_error_rate: 0.1, min_requests: 20}\n"
	name, path, url := routedStack(t, 2, "v1", deploy, "")
	berth(t, "up", "-f", path, "--wait")
	waitServing(t, url, "v1")

	l := startLoad(t, url)
	out, code := redeploy(t, path, hostOf(url), 2, "v2", deploy, "      APP_ERROR_EVERY: \"2\"\n", "--wait")
	if code != 4 || !strings.Contains(out, "canary") || !strings.Contains(out, "error rate") {
		t.Fatalf("up --wait of a failing canary: exit %d, want 4 naming the analysis\n%s", code, out)
	}
	l.halt()
	if l.seen("v2") == 0 {
		t.Fatal("the canary never got traffic: the analysis had nothing to judge")
	}
	eventually(t, 30*time.Second, "the canary set to go", func() bool { return running(t, name, "web") == 2 })
	waitServing(t, url, "v1")
}

func TestCanaryPromotesAHealthyVersion(t *testing.T) {
	deploy := "      deploy:\n        strategy: canary\n        steps: [{weight: 20, hold: 2s}, {weight: 50, hold: 2s}]\n        analysis: {min_requests: 10}\n"
	name, path, url := routedStack(t, 2, "v1", deploy, "")
	berth(t, "up", "-f", path, "--wait")
	waitServing(t, url, "v1")

	l := startLoad(t, url)
	if out, code := redeploy(t, path, hostOf(url), 2, "v2", deploy, "", "--wait"); code != 0 {
		t.Fatalf("canary deploy: exit %d\n%s", code, out)
	}
	eventually(t, 30*time.Second, "the old set to go", func() bool { return running(t, name, "web") == 2 })
	if v := l.lastVersion(); v != "v2" {
		t.Fatalf("after promotion the load balancer answers %q", v)
	}
	l.requireClean(t, 500)
	steps := 0
	for _, e := range events(t, name) {
		if e.Kind == "rollout" && strings.Contains(e.Message, "passed") {
			steps++
		}
	}
	if steps != 2 {
		t.Fatalf("%d canary steps passed in the journal, want 2", steps)
	}
}

func TestKilledReplicaCostsNoRequest(t *testing.T) {
	name, path, url := routedStack(t, 3, "v1", "", "")
	berth(t, "up", "-f", path, "--wait")
	waitServing(t, url, "v1")
	l := startLoad(t, url)
	eventually(t, 10*time.Second, "some load", func() bool { return l.ok.Load() > 100 })
	kills := []struct {
		how  string
		kill func(id string)
	}{
		{"docker kill", func(id string) { docker(t, "kill", id) }},
		{"its process killed", func(id string) { killPID(t, docker(t, "inspect", "-f", "{{.State.Pid}}", id)) }},
	}
	for i, k := range kills {
		victim := containers(t, name)[i]
		k.kill(victim.ID)
		eventually(t, 30*time.Second, "the replica to run again after "+k.how, func() bool {
			return docker(t, "inspect", "-f", "{{.State.Running}}", victim.ID) == "true"
		})
		before := l.ok.Load()
		eventually(t, 10*time.Second, "more load after "+k.how, func() bool { return l.ok.Load() > before+200 })
	}
	l.requireClean(t, 300)
}

func TestRouteClashWithAnotherStackIsRefused(t *testing.T) {
	_, path, url := routedStack(t, 1, "v1", "", "")
	berth(t, "up", "-f", path, "--wait")
	first := strings.TrimPrefix(strings.SplitN(readFile(t, path), "\n", 2)[0], "name: ")
	second := first + "-b"
	other := filepath.Join(t.TempDir(), "compose.yaml")
	writeFile(t, other, "name: "+second+"\n"+routedBody(hostOf(url), 1, "v1", "", ""))
	t.Cleanup(func() { cleanupStack(t, second) })
	for _, cmd := range []string{"plan", "up"} {
		out, code, _ := run(context.Background(), cmd, "-f", other)
		if code != 2 || !strings.Contains(out, "already served by stack \""+first+"\"") {
			t.Fatalf("%s of a clashing route: exit %d, want 2 naming stack %s\n%s", cmd, code, first, out)
		}
	}
	waitServing(t, url, "v1")
}

func TestDaemonRestartUnderLoadDropsNothing(t *testing.T) {
	_, path, url := routedStack(t, 2, "v1", "", "")
	berth(t, "up", "-f", path, "--wait")
	waitServing(t, url, "v1")
	l := startLoad(t, url)
	eventually(t, 10*time.Second, "some load", func() bool { return l.ok.Load() > 100 })
	stopDaemon()
	before := l.ok.Load()
	eventually(t, 10*time.Second, "load served without a daemon", func() bool { return l.ok.Load() > before+100 })
	if err := startDaemon(); err != nil {
		t.Fatal(err)
	}
	before = l.ok.Load()
	eventually(t, 10*time.Second, "load served after the restart", func() bool { return l.ok.Load() > before+100 })
	l.requireClean(t, 300)
}

func TestRouteChangesDropNothing(t *testing.T) {
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	body := func(extraRoute string) string {
		return fmt.Sprintf(`services:
  web:
    image: %s
    deploy: {replicas: 2}
    x-berth:
      routes:
        - {listen: "%s", port: 8080}
  api:
    image: %s
    environment: {APP_VERSION: api}
    x-berth:
      routes:
        - {listen: "%s", path: /api, port: 8080}%s
`, testImage, addr, testImage, addr, extraRoute)
	}
	name, path := stackFile(t, body(""))
	berth(t, "up", "-f", path, "--wait")
	waitServing(t, "http://"+addr+"/", "v1")
	l := startLoad(t, "http://"+addr+"/")
	// Strangler fig: a new path moves to the api service, by editing routes only.
	writeFile(t, path, "name: "+name+"\n"+body("\n        - {listen: \""+addr+"\", path: /v2, port: 8080}"))
	berth(t, "up", "-f", path, "--wait")
	waitServing(t, "http://"+addr+"/v2", "api")
	l.requireClean(t, 300)
}

func TestRouteOnTakenPortIsRefusedAtPlan(t *testing.T) {
	taken, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := listenTCP(taken)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, path := stackFile(t, routedBody(taken, 1, "v1", "", ""))
	out, code, _ := run(context.Background(), "plan", "-f", path)
	if code != 2 || !strings.Contains(out, taken) || !strings.Contains(out, "listen") {
		t.Fatalf("plan with a taken port: exit %d, want 2 naming %s\n%s", code, taken, out)
	}
}

func TestDaemonKilledMidRolloutResumesIt(t *testing.T) {
	deploy := "      deploy: {strategy: rolling, max_surge: 1, max_unavailable: 0}\n"
	name, path, url := routedStack(t, 3, "v1", deploy, "")
	berth(t, "up", "-f", path, "--wait")
	waitServing(t, url, "v1")
	l := startLoad(t, url)
	if out, code := redeploy(t, path, hostOf(url), 3, "v2", deploy, ""); code != 0 {
		t.Fatalf("up without --wait: exit %d\n%s", code, out)
	}
	// Kill the daemon once the rollout is under way: a new replica exists
	// beside the old ones.
	eventually(t, 30*time.Second, "the rollout to start", func() bool { return len(containers(t, name)) > 3 })
	killDaemon(t)
	if err := startDaemon(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var last string
	deadline := time.Now().Add(90 * time.Second)
	for {
		out, _, err := run(ctx, "rollout", "status", name)
		cs := containers(t, name)
		if err == nil && strings.Contains(out, "no rollout in progress") && l.lastVersion() == "v2" && len(cs) == 3 {
			break
		}
		last = fmt.Sprintf("%s\nlast version %q, containers %v", out, l.lastVersion(), cs)
		if time.Now().After(deadline) {
			t.Fatalf("the rollout did not finish after the restart:\n%s", last)
		}
		time.Sleep(200 * time.Millisecond)
	}
	l.requireClean(t, 500)
}

func TestLoadBalancerMetricsAreExposed(t *testing.T) {
	name, path, url := routedStack(t, 2, "v1", "", "")
	berth(t, "up", "-f", path, "--wait")
	waitServing(t, url, "v1")
	for range 50 {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	resp, err := http.Get("http://" + env.metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var served float64
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "berth_lb_requests_total{") && strings.Contains(line, `code="2xx"`) && strings.Contains(line, `stack="`+name+`"`) {
			f := strings.Fields(line)
			v, _ := strconv.ParseFloat(f[len(f)-1], 64)
			served += v
		}
	}
	if served < 50 {
		t.Fatalf("berth_lb_requests_total counts %v 2xx answers for %s, want at least 50", served, name)
	}
	for _, m := range []string{"berth_lb_request_duration_seconds_bucket{", "berth_lb_endpoint_up{", "berth_lb_active_requests{"} {
		if !strings.Contains(string(body), m) {
			t.Errorf("/metrics lacks %s", m)
		}
	}
	check := exec.Command("promtool", "check", "metrics")
	check.Stdin = strings.NewReader(string(body))
	if out, err := check.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}
