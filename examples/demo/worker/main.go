// Command worker is the demo's background job: every -interval it records a
// heartbeat and a tick count in the kv service and logs one JSON line. On
// SIGTERM it finishes the tick in progress and exits.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	interval := flag.Duration("interval", 5*time.Second, "time between ticks")
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("app", "worker")
	w := &worker{
		kvURL:  strings.TrimRight(envOr("KV_URL", "http://kv:8080"), "/"),
		client: &http.Client{Timeout: 2 * time.Second},
		log:    log,
	}
	w.host, _ = os.Hostname()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	log.Info("starting", "interval", interval.String(), "kv", w.kvURL)
	w.loop(ctx, *interval)
	log.Info("stopped")
}

type worker struct {
	kvURL  string
	host   string
	client *http.Client
	log    *slog.Logger
}

func (w *worker) loop(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		// A tick runs on its own context so SIGTERM never cuts a write in half.
		w.tick(context.WithoutCancel(ctx))
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (w *worker) tick(ctx context.Context) {
	start := time.Now()
	out, err := w.call(ctx, http.MethodPost, "/k/worker.ticks/incr", "")
	if err != nil {
		w.log.Error("tick failed", "err", err)
		return
	}
	n, err := strconv.Atoi(out)
	if err != nil {
		w.log.Error("tick failed", "err", fmt.Errorf("kv returned %q, not a count", out))
		return
	}
	beat := fmt.Sprintf("%s at %s", w.host, start.UTC().Format(time.RFC3339))
	if _, err := w.call(ctx, http.MethodPut, "/k/worker.heartbeat", beat); err != nil {
		w.log.Error("tick failed", "err", err)
		return
	}
	w.log.Info("tick", "ticks", n, "took_ms", time.Since(start).Milliseconds())
}

func (w *worker) call(ctx context.Context, method, path, body string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, method, w.kvURL+path, strings.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("building %s %s: %w", method, path, err)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	if err != nil {
		return "", fmt.Errorf("reading %s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		return "", fmt.Errorf("%s %s: kv answered %s", method, path, resp.Status)
	}
	return string(b), nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
