package docker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/moby/moby/client"
)

// ErrNotAnswering is returned when the engine did not answer within a call's
// deadline.
var ErrNotAnswering = errors.New("container engine is not answering")

// Options configure a Driver.
type Options struct {
	// Host is the engine address (unix:///var/run/docker.sock); empty means
	// DOCKER_HOST or the platform default.
	Host string
	// CallTimeout bounds every short engine call (list, create, start...).
	CallTimeout time.Duration
	// Parallel bounds concurrent mutating calls (create, start, stop).
	Parallel int
	// ParallelRemove bounds concurrent removals (see the package comment).
	ParallelRemove int
}

// Driver runs berth's engine operations against one Docker-compatible engine.
type Driver struct {
	api     *client.Client
	log     *slog.Logger
	timeout time.Duration
	mutate  chan struct{}
	remove  chan struct{}
}

// New connects to the engine (lazily: no call is made yet).
func New(opts Options, log *slog.Logger) (*Driver, error) {
	copts := []client.Opt{client.FromEnv, client.WithAPIVersionNegotiation()}
	if opts.Host != "" {
		copts = append(copts, client.WithHost(opts.Host))
	}
	api, err := client.New(copts...)
	if err != nil {
		return nil, fmt.Errorf("connecting to the container engine: %w", err)
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = 30 * time.Second
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 8
	}
	if opts.ParallelRemove <= 0 {
		opts.ParallelRemove = 4
	}
	return &Driver{
		api:     api,
		log:     log,
		timeout: opts.CallTimeout,
		mutate:  make(chan struct{}, opts.Parallel),
		remove:  make(chan struct{}, opts.ParallelRemove),
	}, nil
}

// Close releases the client's connections.
func (d *Driver) Close() error { return d.api.Close() }

// Ping checks that the engine answers and returns its version.
func (d *Driver) Ping(ctx context.Context) (string, error) {
	ctx, cancel := d.deadline(ctx)
	defer cancel()
	v, err := d.api.ServerVersion(ctx, client.ServerVersionOptions{})
	if err != nil {
		return "", d.wrap(ctx, "asking the engine for its version", err)
	}
	name := v.Platform.Name
	if name == "" {
		name = "Docker Engine"
	}
	return fmt.Sprintf("%s %s (API %s)", name, v.Version, v.APIVersion), nil
}

// deadline gives one engine call its time budget.
func (d *Driver) deadline(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d.timeout)
}

// wrap names the failed operation and turns a deadline into ErrNotAnswering.
func (d *Driver) wrap(ctx context.Context, what string, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w (no answer within %s)", what, ErrNotAnswering, d.timeout)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// acquire takes a slot of sem, or fails when ctx ends first.
func acquire(ctx context.Context, sem chan struct{}) (func(), error) {
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
