package logstore

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/moby/moby/client"
)

// LogsAPI is the one engine call the collector makes; *client.Client
// implements it and tests may fake it.
type LogsAPI interface {
	ContainerLogs(ctx context.Context, containerID string, options client.ContainerLogsOptions) (client.ContainerLogsResult, error)
}

var _ LogsAPI = (*client.Client)(nil)

// Target is a container whose log the collector follows.
type Target struct {
	ID, Stack, Service, Name string
}

// CollectorOptions configure a Collector. Zero fields take the defaults noted.
type CollectorOptions struct {
	// Targets lists the containers to follow. It is called at start,
	// every Interval and after Refresh. Required.
	Targets func(ctx context.Context) ([]Target, error)
	// Interval re-lists the targets (default 10 s); it also caps the
	// pause before re-reading a log whose stream ended (a stopped container).
	Interval time.Duration
	// MaxLineBytes cuts longer lines, marking them Truncated (default 16 KiB).
	MaxLineBytes int
	// RateLimit is each container's sustained lines per second (default
	// 5000; negative: unlimited) and Burst its bucket size (default
	// RateLimit). Lines over it are dropped and counted (Dropped).
	RateLimit float64
	Burst     int
}

func (o CollectorOptions) withDefaults() CollectorOptions {
	if o.Interval <= 0 {
		o.Interval = 10 * time.Second
	}
	if o.MaxLineBytes <= 0 {
		o.MaxLineBytes = 16 << 10
	}
	if o.RateLimit == 0 {
		o.RateLimit = 5000
	}
	if o.Burst <= 0 {
		o.Burst = max(int(o.RateLimit), 1)
	}
	return o
}

// Collector follows the stdout and stderr of every target container
// into a Store, resuming each from the store's cursor.
type Collector struct {
	api     LogsAPI
	store   *Store
	opts    CollectorOptions
	log     *slog.Logger
	refresh chan struct{}

	mu    sync.Mutex
	tails map[string]*tail
}

// tail is the follower of one container.
type tail struct {
	target  Target
	cancel  context.CancelFunc
	done    chan struct{}
	dropped atomic.Uint64
	cur     cursor // lines met so far, stored or dropped (follow's goroutine only)
}

// NewCollector prepares a collector; Run starts it.
func NewCollector(api LogsAPI, store *Store, opts CollectorOptions, log *slog.Logger) (*Collector, error) {
	if opts.Targets == nil {
		return nil, errors.New("log collector: no Targets function")
	}
	return &Collector{
		api: api, store: store, opts: opts.withDefaults(),
		log:     log.With("component", "logcollector"),
		refresh: make(chan struct{}, 1),
		tails:   map[string]*tail{},
	}, nil
}

// Refresh asks Run to re-list the targets now.
func (c *Collector) Refresh() {
	select {
	case c.refresh <- struct{}{}:
	default:
	}
}

// Dropped returns, per followed container ID, how many lines the rate
// limit dropped since the collector started following it.
func (c *Collector) Dropped() map[string]uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]uint64, len(c.tails))
	for id, t := range c.tails {
		out[id] = t.dropped.Load()
	}
	return out
}

// Run follows the targets until ctx ends, then stops every follower and
// returns once they have handed their last lines to the store.
func (c *Collector) Run(ctx context.Context) error {
	tick := time.NewTicker(c.opts.Interval)
	defer tick.Stop()
	defer c.stopAll()
	for {
		c.sync(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		case <-c.refresh:
		}
	}
}
