// Command benchrollout (run by scripts/bench-rollout.sh, make bench-rollout)
// measures what a new version and a crashed replica cost clients, for berth
// and for the plain-Docker references, side by side in one run:
//
//   - berth rolling (max_surge 1, max_unavailable 0), blue_green and canary
//     deploys of v2 over v1 (3 replicas, lb health interval 1 s) with
//     `berth up --wait` under load, and `berth rollout undo --wait` of the
//     rolling one;
//   - docker-compose's recreate (`docker-compose up -d` of a changed
//     service, one replica published on a loopback port) under load;
//   - a replica's process killed under load: berth's time until the
//     replacement is back in the load balancer's rotation and answering,
//     against `docker run --restart=always` until its published port
//     answers again.
//
// Swarm's start-first update is not measured (no IPVS in this kernel, so
// its routing mesh refuses connections); the issue's 8.7 s is the
// reference. The load is keep-alive GETs from a few workers, each pacing
// itself at one request per millisecond, bounded in count and time.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The issue's figures: Swarm's start-first update of 3 replicas (no request
// lost), restart=always from crash to serving, and the crash target.
const (
	swarmUpdate   = 8.7
	issueRestart  = 0.94
	crashTarget   = 0.9
	defaultSettle = 11 * time.Second
)

type bench struct {
	berthBin, socket, image, work  string
	daemonLog, proxySock, proxyLog string
	runs, workers, crashCount      int
	settle                         time.Duration

	results []result
	crashes []crash
}

func main() {
	var b bench
	var data string
	flag.StringVar(&b.berthBin, "berth", "", "the berth binary")
	flag.StringVar(&b.socket, "socket", "", "the daemon's socket")
	flag.StringVar(&data, "data", "", "the daemon's data directory (the proxy's control socket is proxy.sock in it)")
	flag.StringVar(&b.daemonLog, "daemon-log", "", "the daemon's log, shown when berth misbehaves")
	flag.StringVar(&b.work, "work", "", "a scratch directory for stack files")
	flag.StringVar(&b.image, "image", "berth-test-app:latest", "the test app image")
	flag.Parse()
	if b.berthBin == "" || b.socket == "" || data == "" || b.work == "" {
		fmt.Fprintln(os.Stderr, "usage: benchrollout -berth BIN -socket SOCK -data DIR -work DIR [-daemon-log FILE]")
		os.Exit(2)
	}
	b.proxySock = filepath.Join(data, "proxy.sock")
	b.proxyLog = b.proxySock + ".log"
	var err error
	if b.runs, err = envInt("BENCH_RUNS", 1); err == nil {
		if b.workers, err = envInt("BENCH_WORKERS", 8); err == nil {
			b.crashCount, err = envInt("BENCH_CRASHES", 5)
		}
	}
	b.settle = defaultSettle
	if v := os.Getenv("BENCH_CRASH_SETTLE"); v != "" && err == nil {
		b.settle, err = time.ParseDuration(v)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-rollout:", err)
		os.Exit(2)
	}

	parts := strings.Fields(os.Getenv("BENCH_PARTS"))
	want := func(p string) bool { return len(parts) == 0 || slices.Contains(parts, p) }

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	for run := 1; run <= b.runs && ctx.Err() == nil && want("rollouts"); run++ {
		say("rollouts, run %d/%d", run, b.runs)
		b.berthRollout(ctx, "berth rolling", "brr-rolling", deployRolling, true)
		b.berthRollout(ctx, "berth blue_green", "brr-bluegreen", deployBlueGreen, false)
		b.berthRollout(ctx, "berth canary", "brr-canary", deployCanary, false)
		b.composeRecreate(ctx)
	}
	if want("crash") && ctx.Err() == nil {
		say("crash to serving, %d kills each, %s apart", b.crashCount, b.settle)
		b.crashBerth(ctx)
		b.crashRestartAlways(ctx)
	}

	b.report(os.Stdout)
	if b.failed() || ctx.Err() != nil {
		os.Exit(1)
	}
}

func envInt(key string, def int) (int, error) {
	v := os.Getenv(key)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s must be a positive integer, not %q", key, v)
	}
	return n, nil
}

func (b *bench) failed() bool {
	return slices.ContainsFunc(b.results, func(r result) bool { return r.err != nil }) ||
		slices.ContainsFunc(b.crashes, func(c crash) bool { return c.err != nil })
}

// --- report ----------------------------------------------------------------

func (b *bench) report(w io.Writer) {
	engine, _ := docker(context.Background(), "version", "--format", "{{.Server.Version}}")
	compose, _ := command(context.Background(), 30*time.Second, nil, "docker-compose", "version", "--short")
	fmt.Fprintf(w, "\nrollouts under load: 3 replicas, lb health every 1s; load %d workers x 1 req/ms, keep-alive\n", b.workers)
	fmt.Fprintf(w, "engine %s, docker-compose %s, %d CPUs, BENCH_RUNS=%d\n", engine, compose, runtime.NumCPU(), b.runs)

	walls := map[string]float64{}
	if len(b.results) > 0 {
		walls = b.rolloutTable(w)
	}
	var berthLB, always float64
	if len(b.crashes) > 0 {
		berthLB, always = b.crashTable(w)
	}

	fmt.Fprintln(w, "\nratios")
	if berthLB > 0 && always > 0 {
		fmt.Fprintf(w, "  berth crash-to-serving / restart=always = %.2f  (%.3fs vs %.3fs; target: under %.1fs, no failed request)\n",
			berthLB/always, berthLB, always, crashTarget)
	}
	for _, k := range []string{"berth rolling", "berth rolling undo", "berth blue_green", "berth canary"} {
		if v, ok := walls[k]; ok {
			fmt.Fprintf(w, "  %-20s wall / Swarm %.1fs = %.2f\n", k, swarmUpdate, v/swarmUpdate)
		}
	}
	if c, ok := walls["compose recreate (1 replica)"]; ok {
		if r, ok := walls["berth rolling"]; ok {
			fmt.Fprintf(w, "  berth rolling wall / compose recreate wall = %.2f  (compose: 1 replica, and it loses requests)\n", r/c)
		}
	}
}

// rolloutTable prints the rollouts and returns each kind's median wall time.
func (b *bench) rolloutTable(w io.Writer) map[string]float64 {
	fmt.Fprintf(w, "\n%-30s %4s %18s %9s %9s %9s %9s\n", "rollout", "runs", "failed/total", "lost", "returned", "wall", "vs Swarm")
	kinds := []string{"berth rolling", "berth rolling undo", "berth blue_green", "berth canary", "compose recreate (1 replica)"}
	walls := map[string]float64{}
	for _, k := range kinds {
		rs := filter(b.results, func(r result) bool { return r.kind == k })
		if len(rs) == 0 {
			continue
		}
		var failed, total int64
		var lost time.Duration
		var rets, ws []float64
		var errs []string
		for _, r := range rs {
			failed, total, lost = failed+r.failed, total+r.total, max(lost, r.lost)
			if r.err != nil {
				errs = append(errs, firstLine(r.err))
				continue
			}
			rets, ws = append(rets, r.ret.Seconds()), append(ws, r.wall.Seconds())
		}
		label := k
		if k == "berth canary" {
			label = fmt.Sprintf("berth canary (holds %s)", canaryHolds)
		}
		if len(ws) == 0 {
			fmt.Fprintf(w, "%-30s %4d %18s  ERROR: %s\n", label, len(rs), fmt.Sprintf("%d/%d", failed, total), strings.Join(errs, "; "))
			continue
		}
		walls[k] = median(ws)
		fmt.Fprintf(w, "%-30s %4d %18s %8.3fs %8.3fs %8.3fs %9.2f\n", label, len(rs), fmt.Sprintf("%d/%d", failed, total),
			lost.Seconds(), median(rets), walls[k], walls[k]/swarmUpdate)
		for _, e := range errs {
			fmt.Fprintf(w, "%-30s      ERROR in a run: %s\n", "", e)
		}
	}
	fmt.Fprintf(w, "%-30s %4s %18s %9s %9s %8.3fs %9s\n", "swarm start-first (reference)", "-", "0 (issue)", "-", "-", swarmUpdate, "1.00")
	fmt.Fprintln(w, "  swarm: not measured here (no IPVS in this kernel: the routing mesh refuses connections); the issue's figure")
	fmt.Fprintln(w, "  lost: first to last failed request; returned: until the command (up --wait, rollout undo --wait, compose up -d)")
	fmt.Fprintln(w, "  returned; wall: until it returned and the load saw only the new version answering (medians over runs)")
	if c, ok := walls["berth canary"]; ok {
		fmt.Fprintf(w, "  canary: %.3fs of its wall time are not the holds it was told to wait\n", c-canaryHolds.Seconds())
	}
	return walls
}

// crashTable prints the crash measurements and returns the medians of
// berth's and restart=always's crash to serving.
func (b *bench) crashTable(w io.Writer) (berthLB, always float64) {
	fmt.Fprintf(w, "\n%-36s %16s %8s %8s %8s  %s\n", fmt.Sprintf("crash to serving (%d kills)", b.crashCount), "failed/total", "median", "min", "max", "each kill")
	berthLB = b.crashRow(w, "berth: in rotation, answered 2xx", "berth", true, func(c crash) time.Duration { return c.serve })
	b.crashRow(w, "  its own /health answered", "berth", false, func(c crash) time.Duration { return c.direct })
	b.crashRow(w, "  engine started it again", "berth", false, func(c crash) time.Duration { return c.started })
	always = b.crashRow(w, "restart=always: published /health", "restart=always", true, func(c crash) time.Duration { return c.serve })
	b.crashRow(w, "  engine started it again", "restart=always", false, func(c crash) time.Duration { return c.started })
	fmt.Fprintf(w, "%-36s %16s %7.3fs\n", "restart=always (the issue's figure)", "-", issueRestart)
	fmt.Fprintln(w, "  berth's clock stops when the proxy's stats (control socket) show the killed replica healthy in rotation")
	fmt.Fprintln(w, "  again and it has answered a client request with 2xx; \"its own /health\" bypasses the load balancer;")
	fmt.Fprintln(w, "  \"engine started it\" is the container's StartedAt")
	return berthLB, always
}

// crashRow prints one row of the crash table (with the failed requests
// when counted) and returns its median (0 without a measurement).
func (b *bench) crashRow(w io.Writer, label, kind string, counted bool, pick func(crash) time.Duration) float64 {
	var failed, total int64
	var ds []float64
	var each, errs []string
	for _, c := range b.crashes {
		if c.kind != kind {
			continue
		}
		failed, total = failed+c.failed, total+c.total
		switch d := pick(c); {
		case c.err != nil:
			errs = append(errs, firstLine(c.err))
			each = append(each, "err")
		case d < 0:
			each = append(each, "-")
		default:
			ds = append(ds, d.Seconds())
			each = append(each, fmt.Sprintf("%.2f", d.Seconds()))
		}
	}
	ft := ""
	if counted {
		ft = fmt.Sprintf("%d/%d", failed, total)
	}
	if len(ds) == 0 {
		fmt.Fprintf(w, "%-36s %16s  no measurement: %s\n", label, ft, strings.Join(errs, "; "))
		return 0
	}
	fmt.Fprintf(w, "%-36s %16s %7.3fs %7.3fs %7.3fs  %s\n", label, ft, median(ds), slices.Min(ds), slices.Max(ds), strings.Join(each, " "))
	if counted {
		for _, e := range errs {
			fmt.Fprintf(w, "%-36s ERROR in a kill: %s\n", "", e)
		}
	}
	return median(ds)
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func filter[T any](s []T, keep func(T) bool) []T {
	var out []T
	for _, v := range s {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
