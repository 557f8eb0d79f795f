package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/berth-dev/berth/internal/proxy"
)

// Crash measurements: a replica's main process is killed (SIGKILL by PID)
// under load, and the clock runs until a replacement serves traffic.
const (
	crashLimit = 30 * time.Second      // the longest a recovery may take
	pollEvery  = 5 * time.Millisecond  // proxy stats and /health probes
	probeLanes = 4                     // staggered probers, for resolution
	laneOffset = 25 * time.Millisecond // while one waits on a dead address
)

// crash is one killed replica.
type crash struct {
	kind string
	// serve is from the kill to the replacement serving: for berth, the
	// load balancer has it healthy in rotation and it answered a client
	// request with 2xx; for restart=always, GET /health on the published
	// port answers 200.
	serve time.Duration
	// direct (berth only) is from the kill to GET /health answering 200 on
	// the replica's own address, bypassing the load balancer.
	direct time.Duration
	// started is from the kill to the engine's StartedAt of the container
	// once it serves again: when the new process was started.
	started       time.Duration
	failed, total int64
	err           error
}

// crashBerth kills a replica of a 3-replica berth stack, crashes times,
// a different slot each time (so that no slot accrues restart backoff or
// a crash loop).
func (b *bench) crashBerth(ctx context.Context) {
	s, err := b.newStack("brr-crash", deployRolling)
	if err == nil {
		defer b.down(ctx, s)
		err = b.start(ctx, s)
	}
	if err != nil {
		b.crashes = append(b.crashes, crash{kind: "berth", err: err})
		return
	}
	stats := statsClient(b.proxySock)
	for i := range b.crashCount {
		c := b.berthCrashOnce(ctx, s, stats, i)
		say("berth crash %d: started again after %s, its /health answered after %s, serving through the load balancer after %s; %d/%d requests failed%s",
			i+1, ms(c.started), ms(c.direct), ms(c.serve), c.failed, c.total, errSuffix(c.err))
		b.crashes = append(b.crashes, c)
		if i < b.crashCount-1 {
			time.Sleep(b.settle)
		}
	}
}

func (b *bench) berthCrashOnce(ctx context.Context, s *stack, stats *http.Client, i int) (c crash) {
	c = crash{kind: "berth", serve: -1, direct: -1, started: -1}
	mark := markLogs(b.daemonLog, b.proxyLog)
	out, err := docker(ctx, "ps", "--filter", "label=dev.berth.stack="+s.name, "--filter", "status=running", "--format", "{{.Names}}")
	names := strings.Fields(out)
	if err != nil || len(names) != s.replicas {
		c.err = fmt.Errorf("want %d running replicas before the kill, have %q (%v)", s.replicas, names, err)
		return c
	}
	slices.Sort(names)
	victim := names[i%len(names)]
	l := startLoad(s.url(), b.workers)
	defer func() {
		time.Sleep(time.Second) // and the load runs on a moment longer
		l.halt()
		c.failed, c.total = l.failed.Load(), l.total()
		if c.failed > 0 {
			say("berth crash %d: first failures: %s", i+1, strings.Join(l.firstErrors(), "; "))
		}
		if c.err != nil || c.failed > 0 {
			mark.show(40)
		}
	}()
	if !l.waitFor(1000, 10*time.Second) {
		c.err = fmt.Errorf("the load got only %d answers before the kill", l.ok.Load())
		return c
	}
	before, err := endpoint(stats, s.name, victim)
	if err != nil || before == nil || !before.Healthy {
		c.err = fmt.Errorf("%s is not a healthy endpoint of the load balancer before the kill: %+v (%v)", victim, before, err)
		return c
	}
	t0, err := killPID(ctx, victim)
	if err != nil {
		c.err = err
		return c
	}
	direct := make(chan time.Duration, 1)
	go func() { direct <- recovery(t0, "http://"+before.Addr+"/health") }()
	c.serve, c.err = lbRecovery(stats, s.name, victim, t0, before.Errors)
	c.direct = <-direct
	c.started = startedSince(ctx, victim, t0)
	return c
}

// lbRecovery polls the proxy's stats until the victim, after being seen
// out of service (gone from the config, unhealthy, ejected, weight 0, or
// with new connection errors), is back in rotation and has answered a
// client request with 2xx since. It returns the time from t0.
func lbRecovery(stats *http.Client, stack, victim string, t0 time.Time, errs0 uint64) (time.Duration, error) {
	down := false
	var floor uint64 // 2xx count of the victim when it was seen down
	for time.Since(t0) < crashLimit {
		e, err := endpoint(stats, stack, victim)
		now := time.Now()
		if err != nil {
			return -1, err
		}
		in := e != nil && e.Healthy && !e.Ejected && e.Weight > 0
		switch {
		case down && in && e.Requests[1] > floor:
			return now.Sub(t0), nil
		case e == nil:
			down, floor = true, 0 // a re-added endpoint counts from 0
		case !down && (!in || e.Errors > errs0):
			down, floor = true, e.Requests[1]
		}
		time.Sleep(pollEvery)
	}
	return -1, fmt.Errorf("%s not serving through the load balancer %s after the kill (seen down: %v)", victim, crashLimit, down)
}

// recovery probes url (a fresh connection each time) from a few staggered
// lanes until it answers 200 after having failed, and returns the time
// from t0 to that answer, or -1 after crashLimit. Only a probe started
// after the first failure counts, so none that raced the kill does.
func recovery(t0 time.Time, url string) time.Duration {
	var (
		mu     sync.Mutex
		downAt time.Time // the first failed probe's end
		got    = time.Duration(-1)
		wg     sync.WaitGroup
	)
	for lane := range probeLanes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(lane) * laneOffset)
			for time.Since(t0) < crashLimit {
				start := time.Now()
				ok := probe(url)
				end := time.Now()
				mu.Lock()
				switch {
				case got >= 0:
					mu.Unlock()
					return
				case !ok && downAt.IsZero():
					downAt = end
				case ok && !downAt.IsZero() && start.After(downAt):
					got = end.Sub(t0)
					mu.Unlock()
					return
				}
				mu.Unlock()
				time.Sleep(pollEvery)
			}
		}()
	}
	wg.Wait()
	return got
}

// crashRestartAlways is the reference: one container run by the engine
// with --restart=always, published on a loopback port, killed the same
// way; the clock stops when GET /health on the published port answers.
func (b *bench) crashRestartAlways(ctx context.Context) {
	const name = "brr-restart"
	addr, err := freeAddr()
	if err == nil {
		_, _ = docker(ctx, "rm", "-f", name)
		_, err = docker(ctx, "run", "-d", "--name", name, "--label", benchLabel+"=1",
			"--restart=always", "-p", addr+":8080", b.image)
	}
	if err == nil {
		defer func() { _, _ = docker(context.WithoutCancel(ctx), "rm", "-f", name) }()
		err = waitServing(ctx, "http://"+addr+"/", "v1", time.Minute)
	}
	if err != nil {
		b.crashes = append(b.crashes, crash{kind: "restart=always", err: err})
		return
	}
	for i := range b.crashCount {
		c := crash{kind: "restart=always", serve: -1, direct: -1, started: -1}
		l := startLoad("http://"+addr+"/", b.workers)
		if l.waitFor(1000, 10*time.Second) {
			var t0 time.Time
			if t0, c.err = killPID(ctx, name); c.err == nil {
				if c.serve = recovery(t0, "http://"+addr+"/health"); c.serve < 0 {
					c.err = fmt.Errorf("%s not answering %s after the kill", name, crashLimit)
				}
				c.started = startedSince(ctx, name, t0)
			}
			time.Sleep(time.Second)
		} else {
			c.err = fmt.Errorf("the load got only %d answers before the kill", l.ok.Load())
		}
		l.halt()
		c.failed, c.total = l.failed.Load(), l.total()
		say("restart=always crash %d: started again after %s, serving after %s; %d/%d requests failed%s",
			i+1, ms(c.started), ms(c.serve), c.failed, c.total, errSuffix(c.err))
		b.crashes = append(b.crashes, c)
		if i < b.crashCount-1 {
			// The engine doubles its restart delay (from 100 ms) unless the
			// container ran 10 s: let it, so every kill is a first crash.
			time.Sleep(b.settle)
		}
	}
}

// startedSince is from t0 to the engine's start of the container's
// current process (-1 when it started before t0 or cannot be read).
func startedSince(ctx context.Context, container string, t0 time.Time) time.Duration {
	out, err := docker(ctx, "inspect", "-f", "{{.State.StartedAt}}", container)
	if err != nil {
		return -1
	}
	t, err := time.Parse(time.RFC3339Nano, out)
	if err != nil || t.Before(t0) {
		return -1
	}
	return t.Sub(t0)
}

// statsClient talks to the proxy's control socket.
func statsClient(sock string) *http.Client {
	return &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		},
	}}
}

// endpoint returns the proxy's stats of one endpoint (by container name)
// of a stack's routes, or nil when the proxy does not have it.
func endpoint(c *http.Client, stack, id string) (*proxy.EndpointStats, error) {
	resp, err := c.Get("http://proxy/v1/stats")
	if err != nil {
		return nil, fmt.Errorf("reading the proxy's stats: %w", err)
	}
	defer resp.Body.Close()
	var st proxy.Stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return nil, fmt.Errorf("decoding the proxy's stats: %w", err)
	}
	for _, r := range st.Routes {
		if r.Stack != stack {
			continue
		}
		for i := range r.Endpoints {
			if r.Endpoints[i].ID == id {
				return &r.Endpoints[i], nil
			}
		}
	}
	return nil, nil
}

func errSuffix(err error) string {
	if err == nil {
		return ""
	}
	return " — error: " + err.Error()
}
