package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"

	"github.com/berth-dev/berth/internal/proxy"
	"github.com/berth-dev/berth/internal/spec"
	"github.com/berth-dev/berth/internal/store"
)

// balancer is the load balancer process as the reconciler and the API see
// it. The proxy runs as its own process (`berth proxy`) so that a daemon
// restart or upgrade never drops a request: it keeps serving its last
// config until the new daemon pushes the same one again. balancer starts
// it on first use and again should it die.
type balancer struct {
	bin     string
	control string
	version string // the daemon's; a proxy of another version is replaced
	log     *slog.Logger

	mu     sync.Mutex
	client *proxy.Client
}

func newBalancer(dataDir, version string, log *slog.Logger) (*balancer, error) {
	bin, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding berth's own binary to run the load balancer: %w", err)
	}
	return &balancer{bin: bin, control: filepath.Join(dataDir, "proxy.sock"), version: version, log: log}, nil
}

// get returns a client of a running proxy, starting one when none answers
// and replacing one of another version (a berth upgrade) by a takeover
// that drops no connection.
func (b *balancer) get(ctx context.Context, fresh bool) (*proxy.Client, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.client != nil && !fresh {
		return b.client, nil
	}
	c, err := proxy.Ensure(ctx, proxy.Spawn{
		Bin: b.bin, Control: b.control, Version: b.version, Logger: b.log,
		AccessLog: filepath.Join(filepath.Dir(b.control), "access.log"),
	})
	if err != nil {
		return nil, fmt.Errorf("starting the load balancer: %w", err)
	}
	b.client = c
	return c, nil
}

// call runs f against the proxy, starting it again once if it does not
// answer (it died, or was stopped by hand).
func (b *balancer) call(ctx context.Context, f func(*proxy.Client) error) error {
	c, err := b.get(ctx, false)
	if err != nil {
		return err
	}
	err = f(c)
	var op *net.OpError
	if err != nil && errors.As(err, &op) {
		b.log.Warn("load balancer not answering; starting it again", "err", err)
		if c, err = b.get(ctx, true); err != nil {
			return err
		}
		return f(c)
	}
	return err
}

func (b *balancer) Put(ctx context.Context, cfg proxy.StackConfig) error {
	return b.call(ctx, func(c *proxy.Client) error { return c.Put(ctx, cfg) })
}

// Delete removes a stack's routes; with no proxy running there is nothing
// to remove, and none is started for it.
func (b *balancer) Delete(ctx context.Context, stack string) error {
	err := proxy.NewClient(b.control).Delete(ctx, stack)
	var op *net.OpError
	if errors.As(err, &op) {
		return nil
	}
	return err
}

func (b *balancer) Stats(ctx context.Context) (proxy.Stats, error) {
	var s proxy.Stats
	err := b.call(ctx, func(c *proxy.Client) (err error) { s, err = c.Stats(ctx); return err })
	return s, err
}

// running reads the stats of a running proxy without starting one.
func (b *balancer) running(ctx context.Context) (proxy.Stats, error) {
	return proxy.NewClient(b.control).Stats(ctx)
}

// served lists the stacks' configs the proxy serves now, without starting
// one.
func (b *balancer) served(ctx context.Context) ([]proxy.StackConfig, error) {
	return proxy.NewClient(b.control).Stacks(ctx)
}

// routeGuard checks routes against the other stacks and the host.
type routeGuard struct {
	store *store.Store
	lb    *balancer
	log   *slog.Logger
}

// checkRoutes refuses a stack whose routes clash with another stack's or
// whose listen address is taken by something other than the proxy.
func (d *routeGuard) checkRoutes(ctx context.Context, st *spec.Stack) error {
	others, err := d.otherStacks(ctx, st.Name)
	if err != nil {
		return err
	}
	if err := spec.RouteConflicts(st, others); err != nil {
		return err
	}
	held := map[string]bool{}
	if served, err := d.lb.served(ctx); err == nil {
		for _, sc := range served {
			for _, r := range sc.Routes {
				held[r.Listen] = true
			}
		}
	}
	for _, svc := range st.Services {
		for i, rt := range svc.Berth.Routes {
			rt = rt.Resolved()
			if held[rt.Listen] {
				continue
			}
			ln, err := net.Listen("tcp", rt.Listen)
			if err != nil {
				return fmt.Errorf("service %q: field x-berth.routes[%d].listen: %s cannot be used: %w; hint: pick a free port or stop what listens there", svc.Name, i, rt.Listen, err)
			}
			ln.Close()
		}
	}
	return nil
}

// otherStacks loads the current revision of every other stack that is up.
func (d *routeGuard) otherStacks(ctx context.Context, except string) ([]*spec.Stack, error) {
	recs, err := d.store.Stacks()
	if err != nil {
		return nil, err
	}
	var out []*spec.Stack
	for _, rec := range recs {
		if rec.Name == except || rec.Down {
			continue
		}
		rev, err := d.store.Revision(rec.Name, rec.Revision)
		if err != nil {
			return nil, err
		}
		st, err := spec.LoadCanonical(ctx, rec.Name, rev.Spec)
		if err != nil {
			return nil, fmt.Errorf("loading stack %s: %w", rec.Name, err)
		}
		out = append(out, st)
	}
	return out, nil
}

// forgetStale removes from the proxy the stacks the store no longer has up,
// so a daemon restart does not leave routes of vanished stacks serving.
func (d *routeGuard) forgetStale(ctx context.Context) {
	served, err := d.lb.served(ctx)
	if err != nil {
		return // not running: nothing to forget
	}
	for _, sc := range served {
		rec, err := d.store.Stack(sc.Stack)
		if err == nil && !rec.Down {
			continue
		}
		if err := d.lb.Delete(ctx, sc.Stack); err != nil {
			d.log.Warn("removing a stale stack from the load balancer", "stack", sc.Stack, "err", err)
		}
	}
}
