package proxy

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net"
	"slices"
	"sync"
	"time"
)

// ShutdownGrace bounds how long requests in flight may take to finish
// when a listener closes or the proxy stops.
const ShutdownGrace = 10 * time.Second

var (
	errShuttingDown = errors.New("the proxy is shutting down")
	errHandingOver  = errors.New("the proxy is handing over to a new process; retry shortly")
)

// Options configure a Server.
type Options struct {
	Logger *slog.Logger
	// AccessLog receives one JSON line per request; nil disables it.
	AccessLog io.Writer
}

// Server is the proxy: the config pushed per stack, the listeners it
// needs and the endpoints they send to. Config changes are serialised by
// mu; the request path never takes it.
type Server struct {
	log  *slog.Logger
	alog *accessLog
	ctx  context.Context // ends health checks on shutdown
	stop context.CancelFunc

	mu        sync.Mutex
	closed    bool
	frozen    bool                   // a handoff is in progress: the config must not change
	pushed    map[string]StackConfig // as pushed, for GET /v1/stacks
	stacks    map[string]StackConfig // normalized
	listeners map[string]*listener
	endpoints map[epKey]*endpoint
	certs     map[[2]string]*certPair
	counters  map[string]*routeCounters
	routes    []*route // in stack then push order, for stats
	closingWG sync.WaitGroup
	// inherited are sockets and endpoint health taken over from the
	// previous proxy process, used up by restore (handoff.go).
	inherited        map[string]net.Listener
	inheritedHealthy map[epKey]bool
}

// New returns a Server with no routes.
func New(opts Options) *Server {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, stop := context.WithCancel(context.Background())
	s := &Server{
		log: log, ctx: ctx, stop: stop,
		pushed: map[string]StackConfig{}, stacks: map[string]StackConfig{},
		listeners: map[string]*listener{}, endpoints: map[epKey]*endpoint{},
		certs: map[[2]string]*certPair{}, counters: map[string]*routeCounters{},
	}
	if opts.AccessLog != nil {
		s.alog = newAccessLog(opts.AccessLog)
	}
	return s
}

// Apply replaces a stack's config. It is all or nothing: when the config
// is invalid, clashes with another stack or needs an address that cannot
// be bound, nothing changes and the error says why (an *applyError with
// the HTTP status for the control API).
func (s *Server) Apply(cfg StackConfig) error {
	n, err := normalize(cfg)
	if err != nil {
		return badConfig(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.changeable(); err != nil {
		return err
	}
	next := maps.Clone(s.stacks)
	next[n.Stack] = n
	if err := s.commit(next, n.Stack); err != nil {
		return err
	}
	s.pushed[n.Stack] = cfg
	return nil
}

// Delete removes a stack's routes; deleting an unknown stack is a no-op.
func (s *Server) Delete(stack string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.changeable(); err != nil {
		return err
	}
	if _, ok := s.stacks[stack]; !ok {
		return nil
	}
	next := maps.Clone(s.stacks)
	delete(next, stack)
	if err := s.commit(next, stack); err != nil {
		return err
	}
	delete(s.pushed, stack)
	return nil
}

// changeable refuses config changes once shutting down or while the
// config is being handed over; the caller holds s.mu.
func (s *Server) changeable() error {
	switch {
	case s.closed:
		return errShuttingDown
	case s.frozen:
		return errHandingOver
	}
	return nil
}

// Stacks returns every stack's config as it was pushed, by name.
func (s *Server) Stacks() []StackConfig {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stacksLocked()
}

func (s *Server) stacksLocked() []StackConfig {
	out := slices.Collect(maps.Values(s.pushed))
	slices.SortFunc(out, func(a, b StackConfig) int { return cmpString(a.Stack, b.Stack) })
	return out
}

// Shutdown stops accepting, lets requests in flight finish until ctx ends
// and then closes what is left.
func (s *Server) Shutdown(ctx context.Context) {
	s.mu.Lock()
	s.closed = true
	ls := slices.Collect(maps.Values(s.listeners))
	s.listeners = map[string]*listener{}
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, l := range ls {
		wg.Go(func() { l.shutdown(ctx) })
	}
	wg.Wait()
	s.closingWG.Wait()
	s.stop()
	s.mu.Lock()
	for _, ep := range s.endpoints {
		ep.retire()
	}
	s.mu.Unlock()
	if s.alog != nil {
		s.alog.close()
	}
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
