package api

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/berth-dev/berth/internal/engine"
	"github.com/berth-dev/berth/internal/engine/docker"
	"github.com/berth-dev/berth/internal/reconcile"
	"github.com/berth-dev/berth/internal/spec"
	"github.com/berth-dev/berth/internal/store"
)

// Reconciler is what the API needs from the reconcile loop.
type Reconciler interface {
	Kick(stack string)
	Status(stack string) (reconcile.Status, bool)
	Changed(stack string) <-chan struct{}
	Restart(ctx context.Context, stack string, services []string) (int, error)
	Preview(ctx context.Context, st *spec.Stack) (reconcile.Result, error)
}

// Store is what the API reads and writes in the store.
type Store interface {
	Apply(name, hash string, specYAML []byte, sources []string) (store.Revision, bool, error)
	Stack(name string) (store.Stack, error)
	Stacks() ([]store.Stack, error)
	Revision(name string, n int64) (store.Revision, error)
	Revisions(name string) ([]store.Revision, error)
	SetScale(name, service string, replicas int) error
	SetDown(name string, down bool) error
	Undo(name string, to int64) (int64, error)
	Append(e store.Event) (store.Event, error)
	Events(stack string, after uint64, limit int) ([]store.Event, error)
	Tail(stack string, n int) ([]store.Event, error)
	Changed() <-chan struct{}
}

// Engine is what the API reads from the engine directly.
type Engine interface {
	Ping(ctx context.Context) (string, error)
	List(ctx context.Context, stack string) ([]engine.Container, error)
	RemoveVolumes(ctx context.Context, stack string) error
}

// Server serves the API.
type Server struct {
	Rec     Reconciler
	Store   Store
	Engine  Engine
	Load    func(ctx context.Context, name string, canonical []byte) (*spec.Stack, error)
	Version string
	DataDir string
	Log     *slog.Logger
	// Token, when set, is required as "Authorization: Bearer <token>".
	Token string
	// Stats and Metrics, when set, serve /v1/stats and /metrics.
	Stats   StatsSource
	Metrics http.Handler
	// Logs answers /v1/logs.
	Logs LogStore
	// CheckRoutes, when set, refuses a stack whose load balancer routes
	// conflict with other stacks' or whose listen address is taken.
	CheckRoutes func(ctx context.Context, st *spec.Stack) error
}

// Handler returns the API's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/version", s.version)
	mux.HandleFunc("GET /v1/stacks", s.listStacks)
	mux.HandleFunc("GET /v1/stacks/{stack}", s.inspectStack)
	mux.HandleFunc("GET /v1/stacks/{stack}/spec", s.stackSpec)
	mux.HandleFunc("POST /v1/stacks/{stack}/plan", s.plan)
	mux.HandleFunc("POST /v1/stacks/{stack}/up", s.up)
	mux.HandleFunc("POST /v1/stacks/{stack}/down", s.down)
	mux.HandleFunc("POST /v1/stacks/{stack}/scale", s.scale)
	mux.HandleFunc("POST /v1/stacks/{stack}/restart", s.restart)
	mux.HandleFunc("GET /v1/stacks/{stack}/rollout", s.rolloutStatus)
	mux.HandleFunc("GET /v1/stacks/{stack}/revisions", s.revisions)
	mux.HandleFunc("POST /v1/stacks/{stack}/undo", s.undo)
	mux.HandleFunc("GET /v1/containers", s.containers)
	mux.HandleFunc("GET /v1/logs", s.logs)
	mux.HandleFunc("GET /v1/events", s.events)
	mux.HandleFunc("GET /v1/stats", s.stats)
	if s.Metrics != nil {
		mux.Handle("GET /metrics", s.Metrics)
	}
	if s.Token == "" {
		return mux
	}
	return s.auth(mux)
}

// auth requires the bearer token (TCP listeners only).
func (s *Server) auth(next http.Handler) http.Handler {
	want := []byte("Bearer " + s.Token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			writeError(w, http.StatusUnauthorized, errors.New("missing or wrong bearer token"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) version(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	eng, err := s.Engine.Ping(ctx)
	if err != nil {
		eng = "not answering: " + err.Error()
	}
	writeJSON(w, http.StatusOK, VersionInfo{Version: s.Version, Engine: eng, Data: s.DataDir})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, err error) {
	writeJSON(w, code, ErrorBody{Error: err.Error()})
}

// statusFor maps an error to an HTTP status.
func statusFor(err error) int {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, docker.ErrNotAnswering):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 32<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &badRequest{err}
	}
	return nil
}

type badRequest struct{ err error }

func (b *badRequest) Error() string { return "bad request: " + b.err.Error() }

func validName(name string) bool {
	return name != "" && !strings.ContainsAny(name, "/ ")
}
