// Command app is the one static test program behind berth's integration
// tests and benchmarks. Its behaviour is chosen by environment variables so
// that a compose file, not a rebuild, decides what a container does:
//
//	APP_VERSION=v2       reported at startup and by GET / (any path but /health)
//	APP_HEALTHY=0        GET /health answers 500
//	APP_READY_AFTER=3s   GET /health answers 503 until this long after start
//	APP_EXIT_AFTER=2s    exit by itself after this long, with APP_EXIT_CODE
//	APP_EXIT_CODE=3      exit code for APP_EXIT_AFTER and APP_MODE=job
//	APP_MODE=job         print one line and exit at once (a one-shot job)
//	APP_IGNORE_TERM=1    ignore SIGTERM, so only SIGKILL stops it
//	APP_STOP_DELAY=2s    take this long to shut down after SIGTERM
//	APP_ADDR=:8080       listen address
//	APP_ERROR_EVERY=4    every 4th GET / answers 500 (a bad canary)
//
// "app -probe URL" is the healthcheck mode for images FROM scratch, which
// have no curl: it exits 0 when URL answers 200 and 1 otherwise.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

// config is the behaviour read from the environment.
type config struct {
	addr       string
	version    string
	mode       string
	healthy    bool
	readyAfter time.Duration
	exitAfter  time.Duration
	exitCode   int
	ignoreTerm bool
	stopDelay  time.Duration
	errorEvery int
}

func main() {
	probe := flag.String("probe", "", "GET this URL, exit 0 if it answers 200, 1 otherwise")
	flag.Parse()
	if *probe != "" {
		os.Exit(probeURL(*probe))
	}
	cfg, err := loadConfig()
	if err != nil {
		fmt.Fprintf(os.Stderr, "app: %v\n", err)
		os.Exit(2)
	}
	os.Exit(run(cfg))
}

func loadConfig() (config, error) {
	cfg := config{
		addr:       envOr("APP_ADDR", ":8080"),
		version:    envOr("APP_VERSION", "v1"),
		mode:       envOr("APP_MODE", "serve"),
		healthy:    os.Getenv("APP_HEALTHY") != "0",
		ignoreTerm: os.Getenv("APP_IGNORE_TERM") == "1",
	}
	var err error
	if cfg.readyAfter, err = envDuration("APP_READY_AFTER"); err != nil {
		return cfg, err
	}
	if cfg.exitAfter, err = envDuration("APP_EXIT_AFTER"); err != nil {
		return cfg, err
	}
	if cfg.stopDelay, err = envDuration("APP_STOP_DELAY"); err != nil {
		return cfg, err
	}
	if v := os.Getenv("APP_ERROR_EVERY"); v != "" {
		if cfg.errorEvery, err = strconv.Atoi(v); err != nil || cfg.errorEvery < 0 {
			return cfg, fmt.Errorf("parsing APP_ERROR_EVERY %q: want a count >= 0", v)
		}
	}
	if v := os.Getenv("APP_EXIT_CODE"); v != "" {
		if cfg.exitCode, err = strconv.Atoi(v); err != nil {
			return cfg, fmt.Errorf("parsing APP_EXIT_CODE %q: %w", v, err)
		}
	}
	if cfg.mode != "serve" && cfg.mode != "job" {
		return cfg, fmt.Errorf("APP_MODE %q: want serve or job", cfg.mode)
	}
	return cfg, nil
}

func run(cfg config) int {
	host, _ := os.Hostname()
	if cfg.mode == "job" {
		fmt.Printf("app job host=%s version=%s done exit=%d\n", host, cfg.version, cfg.exitCode)
		return cfg.exitCode
	}

	// A container's PID 1 gets no default signal handling, so both choices
	// are explicit: ignore SIGTERM, or catch it and shut down. Notify would
	// undo Ignore, so an ignored SIGTERM is left out of it.
	sigs := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if cfg.ignoreTerm {
		signal.Ignore(syscall.SIGTERM)
		sigs = sigs[:1]
	}
	ctx, stop := signal.NotifyContext(context.Background(), sigs...)
	defer stop()

	srv := &http.Server{Addr: cfg.addr, Handler: newMux(cfg, host), ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	fmt.Printf("app starting host=%s version=%s addr=%s\n", host, cfg.version, cfg.addr)

	var exitTimer <-chan time.Time
	if cfg.exitAfter > 0 {
		exitTimer = time.After(cfg.exitAfter)
	}
	select {
	case err := <-errc:
		fmt.Fprintf(os.Stderr, "app: serving on %s: %v\n", cfg.addr, err)
		return 1
	case <-exitTimer:
		fmt.Printf("app exiting after %s with code %d\n", cfg.exitAfter, cfg.exitCode)
		return cfg.exitCode
	case <-ctx.Done():
	}
	fmt.Printf("app got a stop signal, shutting down (delay %s)\n", cfg.stopDelay)
	time.Sleep(cfg.stopDelay)
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		fmt.Fprintf(os.Stderr, "app: shutting down: %v\n", err)
		return 1
	}
	fmt.Println("app stopped")
	return 0
}

func newMux(cfg config, host string) *http.ServeMux {
	started := time.Now()
	mux := http.NewServeMux()
	var served atomic.Int64
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		if n := served.Add(1); cfg.errorEvery > 0 && n%int64(cfg.errorEvery) == 0 {
			http.Error(w, "failing on purpose (APP_ERROR_EVERY)", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"hostname": host, "version": cfg.version})
	})
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		switch {
		case !cfg.healthy:
			http.Error(w, "unhealthy (APP_HEALTHY=0)", http.StatusInternalServerError)
		case time.Since(started) < cfg.readyAfter:
			http.Error(w, "starting", http.StatusServiceUnavailable)
		default:
			fmt.Fprintln(w, "ok")
		}
	})
	return mux
}

func probeURL(url string) int {
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		fmt.Fprintf(os.Stderr, "probe %s: %v\n", url, err)
		return 1
	}
	defer resp.Body.Close()
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

func envDuration(key string) (time.Duration, error) {
	v := os.Getenv(key)
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("parsing %s %q: %w", key, v, err)
	}
	if d < 0 {
		return 0, errors.New(key + " must not be negative")
	}
	return d, nil
}
