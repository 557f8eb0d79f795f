package integration

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDriftIsCorrected(t *testing.T) {
	name, file := stackFile(t, "services:\n"+appService("app", "    deploy:\n      replicas: 2\n"))
	berth(t, "up", "-f", file, "--wait")
	victim := name + "-app-2"
	old := docker(t, "inspect", "-f", "{{.Id}}", victim)

	// Removed by hand: put back within seconds, recorded as drift.
	docker(t, "rm", "-f", victim)
	eventually(t, 10*time.Second, "the removed replica to come back", func() bool {
		id := dockerQuiet("inspect", "-f", "{{.Id}} {{.State.Running}}", victim)
		return id != "" && !strings.HasPrefix(id, old) && strings.HasSuffix(id, "true")
	})
	if !hasEvent(t, name, "drift", victim) {
		t.Errorf("no drift event for the removed container: %+v", events(t, name))
	}

	// Stopped by hand: started again.
	docker(t, "stop", "-t", "1", name+"-app-1")
	eventually(t, 10*time.Second, "the stopped replica to run again", func() bool {
		return dockerQuiet("inspect", "-f", "{{.State.Running}}", name+"-app-1") == "true"
	})
	eventually(t, 5*time.Second, "a drift event for the stopped container", func() bool {
		for _, e := range events(t, name) {
			if e.Kind == "drift" && e.Container == name+"-app-1" && strings.Contains(e.Message, "stopped outside berth") {
				return true
			}
		}
		return false
	})
}

func TestCrashIsRestarted(t *testing.T) {
	name, file := stackFile(t, "services:\n"+appService("app", ""))
	berth(t, "up", "-f", file, "--wait")
	c := name + "-app-1"
	started := docker(t, "inspect", "-f", "{{.State.StartedAt}}", c)
	// docker kill counts as a user stop; a crash is the process dying.
	pid := docker(t, "inspect", "-f", "{{.State.Pid}}", c)
	killPID(t, pid)
	eventually(t, 10*time.Second, "the crashed container to run again", func() bool {
		out := dockerQuiet("inspect", "-f", "{{.State.Running}} {{.State.StartedAt}}", c)
		return strings.HasPrefix(out, "true ") && !strings.HasSuffix(out, started)
	})
	var restart *event
	for _, e := range events(t, name) {
		if e.Kind == "restart" && e.Container == c {
			restart = &e
		}
	}
	if restart == nil || !strings.Contains(restart.Message, "exited with code 137") {
		t.Errorf("restart event = %+v; want one naming exit code 137", restart)
	}
}

func TestCrashLoopBacksOffAndFailsUp(t *testing.T) {
	name, file := stackFile(t, "services:\n"+appService("app", `    environment:
      APP_EXIT_AFTER: 100ms
      APP_EXIT_CODE: "3"
    x-berth:
      backoff: {initial: 300ms, max: 2s}
      crash_loop: {restarts: 4, window: 1m}
      min_ready: 2s
`))
	out, code, _ := run(t.Context(), "up", "-f", file, "--wait", "--timeout", "90s")
	if code != 4 || !strings.Contains(out, "crash looping") {
		t.Fatalf("up --wait of a crash-looping service: exit %d, want 4 with a crash loop message:\n%s", code, out)
	}
	var restarts []time.Time
	sawLoop := false
	for _, e := range events(t, name) {
		switch e.Kind {
		case "restart":
			restarts = append(restarts, e.Time)
		case "crashloop":
			sawLoop = true
		}
	}
	if !sawLoop || len(restarts) < 4 {
		t.Fatalf("want a crashloop event after >= 4 restarts; got crashloop=%v restarts=%d", sawLoop, len(restarts))
	}
	// Exponential backoff: the gap before the 4th restart is at least the
	// 300ms * 2^2 it should wait, and longer than the first gap.
	first, third := restarts[1].Sub(restarts[0]), restarts[3].Sub(restarts[2])
	if third < 1200*time.Millisecond || third <= first {
		t.Errorf("restart gaps %v then %v: want growing gaps, the third >= 1.2s", first, third)
	}
	if ps := berth(t, "stacks"); !strings.Contains(ps, "failing") {
		t.Errorf("berth stacks should show the stack failing:\n%s", ps)
	}
}

func TestUnhealthyReplicaIsReplaced(t *testing.T) {
	name, file := stackFile(t, "services:\n"+appService("app", `    environment:
      APP_HEALTHY: "0"
    healthcheck:
      test: ["CMD", "/app", "-probe", "http://127.0.0.1:8080/health"]
      interval: 500ms
      timeout: 1s
      retries: 2
    x-berth:
      backoff: {initial: 1s, max: 2s}
`))
	berth(t, "up", "-f", file) // no --wait: it never becomes healthy
	var first string
	eventually(t, 20*time.Second, "the first container", func() bool {
		first = dockerQuiet("inspect", "-f", "{{.Id}}", name+"-app-1")
		return first != ""
	})
	eventually(t, 30*time.Second, "the unhealthy container to be replaced", func() bool {
		id := dockerQuiet("inspect", "-f", "{{.Id}}", name+"-app-1")
		return id != "" && id != first && hasEvent(t, name, "unhealthy", name+"-app-1")
	})
}

func TestDependencyOrder(t *testing.T) {
	name, file := stackFile(t, `services:
  migrate:
    image: `+testImage+`
    environment:
      APP_MODE: job
  db:
    image: `+testImage+`
    environment:
      APP_READY_AFTER: 1500ms
    healthcheck:
      test: ["CMD", "/app", "-probe", "http://127.0.0.1:8080/health"]
      interval: 300ms
      retries: 20
  web:
    image: `+testImage+`
    depends_on:
      db: {condition: service_healthy}
      migrate: {condition: service_completed_successfully}
`)
	berth(t, "up", "-f", file, "--wait", "--timeout", "60s")
	created := map[string]uint64{}
	for _, e := range events(t, name) {
		if e.Kind == "create" {
			created[e.Container] = e.Seq
		}
	}
	web, db, migrate := created[name+"-web-1"], created[name+"-db-1"], created[name+"-migrate-1"]
	if web == 0 || db == 0 || migrate == 0 || web < db || web < migrate {
		t.Fatalf("creation order by journal sequence: migrate=%d db=%d web=%d; web must come last", migrate, db, web)
	}
	// web started only once db was healthy and migrate had finished.
	webStart := inspectTime(t, name+"-web-1", "{{.State.StartedAt}}")
	migrateEnd := inspectTime(t, name+"-migrate-1", "{{.State.FinishedAt}}")
	dbStart := inspectTime(t, name+"-db-1", "{{.State.StartedAt}}")
	if webStart.Before(migrateEnd) || webStart.Sub(dbStart) < 1500*time.Millisecond {
		t.Errorf("web started %v after db (db needs 1.5s to be healthy) and %v after migrate ended", webStart.Sub(dbStart), webStart.Sub(migrateEnd))
	}
	if st := dockerQuiet("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", name+"-migrate-1"); st != "exited 0" {
		t.Errorf("migrate job state %q: a completed job must stay exited, not restart", st)
	}
}

func inspectTime(t *testing.T, container, format string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339Nano, docker(t, "inspect", "-f", format, container))
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func killPID(t *testing.T, pid string) {
	t.Helper()
	n, err := strconv.Atoi(pid)
	if err != nil || n <= 0 {
		t.Fatalf("bad pid %q", pid)
	}
	if out, err := execOutput("kill", "-9", pid); err != nil {
		t.Fatalf("kill -9 %s: %v %s", pid, err, out)
	}
}
