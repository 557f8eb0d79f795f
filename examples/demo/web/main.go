// Command web is the demo's front end: each GET / bumps a hit counter kept
// in the kv service and answers with this replica's hostname, so reloading
// the page shows requests landing on different replicas.
//
// "web -probe URL" is the healthcheck mode for an image FROM scratch, which
// has no curl: it exits 0 if URL answers 200 and 1 otherwise.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	probe := flag.String("probe", "", "GET this URL, exit 0 if it answers 200")
	flag.Parse()
	if *probe != "" {
		os.Exit(probeURL(*probe))
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("app", "web")
	h := &handler{
		kvURL:    strings.TrimRight(envOr("KV_URL", "http://kv:8080"), "/"),
		greeting: envOr("GREETING", "Hello from berth"),
		client:   &http.Client{Timeout: 2 * time.Second},
		log:      log,
	}
	h.host, _ = os.Hostname()
	if err := serve(*addr, h, log); err != nil {
		log.Error("exiting", "err", err)
		os.Exit(1)
	}
}

func serve(addr string, h *handler, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", h.index)
	// Health is this process only: a kv outage degrades the page but must
	// not make every web replica fail its check and restart.
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("serving", "addr", addr, "kv", h.kvURL)
	select {
	case err := <-errc:
		return fmt.Errorf("serving on %s: %w", addr, err)
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests")
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutCtx)
}

type handler struct {
	kvURL    string
	greeting string
	host     string
	client   *http.Client
	log      *slog.Logger
}

func (h *handler) index(w http.ResponseWriter, r *http.Request) {
	hits, err := h.countHit(r.Context())
	if err != nil {
		h.log.Warn("counting hit", "err", err)
		hits = "unknown (kv unavailable)"
	}
	fmt.Fprintf(w, "%s! I am %s.\nPage hits (kept in kv): %s\n", h.greeting, h.host, hits)
}

// countHit increments the "hits" key atomically in kv and returns the total.
func (h *handler) countHit(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.kvURL+"/k/hits/incr", nil)
	if err != nil {
		return "", fmt.Errorf("building kv request: %w", err)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("calling kv: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	if err != nil {
		return "", fmt.Errorf("reading kv answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", errors.New("kv answered " + resp.Status + ": " + strings.TrimSpace(string(b)))
	}
	return string(b), nil
}

func probeURL(url string) int {
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		fmt.Fprintf(os.Stderr, "probe %s: %v\n", url, err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(os.Stderr, "probe %s: status %d\n", url, resp.StatusCode)
		return 1
	}
	return 0
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
