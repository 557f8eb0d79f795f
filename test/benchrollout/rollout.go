package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// benchLabel marks every container this benchmark starts, berth's included
// (compose labels pass through), so that cleanup can find them all.
const benchLabel = "dev.berth-bench.rollout"

// The deploy settings measured, as the service's x-berth.deploy.
const (
	deployRolling   = "{strategy: rolling, max_surge: 1, max_unavailable: 0}"
	deployBlueGreen = "{strategy: blue_green, keep: 5m}"
	deployCanary    = "{strategy: canary, steps: [{weight: 20, hold: 2s}, {weight: 50, hold: 2s}]}"
	canaryHolds     = 4 * time.Second
)

// result is one measured change of version under load.
type result struct {
	kind          string
	failed, total int64
	lost          time.Duration // first to last failed request
	ret           time.Duration // until the command returned
	wall          time.Duration // until it returned and the load saw only the new version
	versions      map[string]int64
	err           error
}

// stack is a berth stack of one service "web" behind a route on a free
// loopback port, with the lb health check of the issue (1 s interval).
type stack struct {
	name, file, addr string
	replicas         int
	deploy           string
}

func (s *stack) url() string { return "http://" + s.addr + "/" }

func (s *stack) yaml(image, version string) string {
	return fmt.Sprintf(`services:
  web:
    image: %s
    deploy: {replicas: %d}
    environment: {APP_VERSION: %s}
    labels: {%s: "1"}
    x-berth:
      routes:
        - {listen: "%s", port: 8080}
      lb:
        health: {path: /health, interval: 1s}
      deploy: %s
`, image, s.replicas, version, benchLabel, s.addr, s.deploy)
}

func (b *bench) berth(ctx context.Context, args ...string) (string, error) {
	return command(ctx, 4*time.Minute, []string{"BERTH_SOCKET=" + b.socket}, b.berthBin, args...)
}

func (b *bench) newStack(name, deploy string) (*stack, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(b.work, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return &stack{name: name, file: filepath.Join(dir, "compose.yaml"), addr: addr, replicas: 3, deploy: deploy}, nil
}

// up deploys version with `berth up --wait`.
func (b *bench) up(ctx context.Context, s *stack, version string) (string, error) {
	if err := os.WriteFile(s.file, []byte(s.yaml(b.image, version)), 0o644); err != nil {
		return "", err
	}
	return b.berth(ctx, "up", "-p", s.name, "-f", s.file, "--wait", "--timeout", "3m")
}

// start deploys v1 and waits until the route answers it.
func (b *bench) start(ctx context.Context, s *stack) error {
	if _, err := b.up(ctx, s, "v1"); err != nil {
		return err
	}
	return waitServing(ctx, s.url(), "v1", time.Minute)
}

// down takes the stack down, even after an interrupt.
func (b *bench) down(ctx context.Context, s *stack) {
	if _, err := b.berth(context.WithoutCancel(ctx), "down", s.name); err != nil {
		say("berth down %s: %v", s.name, err)
	}
}

// berthRollout measures v1 -> v2 of a 3-replica stack under one strategy,
// then (undo) `berth rollout undo` back to v1.
func (b *bench) berthRollout(ctx context.Context, kind, name, deploy string, undo bool) {
	s, err := b.newStack(name, deploy)
	if err == nil {
		defer b.down(ctx, s)
		err = b.start(ctx, s)
	}
	if err != nil {
		b.results = append(b.results, result{kind: kind, err: err})
		return
	}
	r := b.measure(ctx, kind, s.url(), "v2", true, func(ctx context.Context) error {
		_, err := b.up(ctx, s, "v2")
		return err
	})
	if undo && r.err == nil {
		b.measure(ctx, kind+" undo", s.url(), "v1", true, func(ctx context.Context) error {
			_, err := b.berth(ctx, "rollout", "undo", s.name, "--wait", "--timeout", "3m")
			return err
		})
	}
}

// composeRecreate measures `docker-compose up -d` of a changed service: the
// recreate a user of plain compose gets, with one replica published on a
// loopback port (compose cannot put several replicas behind one port).
func (b *bench) composeRecreate(ctx context.Context) {
	const kind, project = "compose recreate (1 replica)", "brr-compose"
	addr, err := freeAddr()
	if err != nil {
		b.results = append(b.results, result{kind: kind, err: err})
		return
	}
	dir := filepath.Join(b.work, project)
	file := filepath.Join(dir, "compose.yaml")
	write := func(version string) error {
		return os.WriteFile(file, []byte(fmt.Sprintf(`services:
  web:
    image: %s
    environment: {APP_VERSION: %s}
    labels: {%s: "1"}
    ports: ["%s:8080"]
`, b.image, version, benchLabel, addr)), 0o644)
	}
	compose := func(ctx context.Context, args ...string) error {
		_, err := command(ctx, 3*time.Minute, nil, "docker-compose", append([]string{"-p", project, "-f", file}, args...)...)
		return err
	}
	url := "http://" + addr + "/"
	err = os.MkdirAll(dir, 0o755)
	if err == nil {
		err = write("v1")
	}
	if err == nil {
		defer func() {
			if err := compose(context.WithoutCancel(ctx), "down", "-t", "2"); err != nil {
				say("docker-compose down: %v", err)
			}
		}()
		err = compose(ctx, "up", "-d")
	}
	if err == nil {
		err = waitServing(ctx, url, "v1", time.Minute)
	}
	if err != nil {
		b.results = append(b.results, result{kind: kind, err: err})
		return
	}
	b.measure(ctx, kind, url, "v2", false, func(ctx context.Context) error {
		if err := write("v2"); err != nil {
			return err
		}
		return compose(ctx, "up", "-d")
	})
}

// measure runs change under load on url and records what the clients saw:
// failed requests, the span they covered, and the wall time until change
// returned and only successful answers from version followed. berth's
// daemon and proxy logs of the measurement are shown when something went
// wrong (berthLogs).
func (b *bench) measure(ctx context.Context, kind, url, version string, berthLogs bool, change func(context.Context) error) result {
	r := result{kind: kind}
	mark := markLogs(b.daemonLog, b.proxyLog)
	l := startLoad(url, b.workers)
	defer l.halt()
	if !l.waitFor(1000, 10*time.Second) {
		l.halt()
		r.err = fmt.Errorf("the load got only %d answers before the change (first errors: %v)", l.ok.Load(), l.firstErrors())
		b.results = append(b.results, r)
		return r
	}
	say("%s: changing to %s under load", kind, version)
	start := time.Now()
	err := change(ctx)
	ret := time.Now()
	done, settled := l.settle(version, ret, time.Second, time.Minute)
	l.halt()
	r.failed, r.total, r.lost = l.failed.Load(), l.total(), l.lost()
	r.ret, r.wall, r.versions = ret.Sub(start), done.Sub(start), l.versions()
	switch {
	case err != nil:
		r.err = err
	case !settled:
		r.err = fmt.Errorf("the load did not see only %s within a minute after the command returned (last answer %q)", version, l.lastVersion())
	}
	say("%s: returned after %s, clients settled after %s; %d/%d requests failed over %s; answers %v",
		kind, ms(r.ret), ms(r.wall), r.failed, r.total, ms(r.lost), r.versions)
	if r.failed > 0 {
		say("%s: first failures: %s", kind, strings.Join(l.firstErrors(), "; "))
	}
	if r.err != nil {
		say("%s: %v", kind, r.err)
	}
	if berthLogs && (r.err != nil || r.failed > 0 || r.wall-r.ret > 50*time.Millisecond) {
		mark.show(60)
	}
	b.results = append(b.results, r)
	return r
}
