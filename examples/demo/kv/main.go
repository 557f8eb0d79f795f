// Command kv is the demo's tiny stateful key-value store. It keeps every key
// in one JSON file under -data (a named volume in compose.yaml) and replaces
// that file atomically on each write: temp file, fsync, rename, fsync dir.
//
//	GET  /k/{key}        the value, or 404
//	PUT  /k/{key}        store the request body (at most 64 KiB)
//	POST /k/{key}/incr   add 1 to an integer value and return it
//	GET  /health         200 once the data file is loaded
//
// "kv -probe URL" is the healthcheck mode: exit 0 if URL answers 200.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

const maxValue = 64 << 10

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	dir := flag.String("data", "/data", "directory holding the data file")
	probe := flag.String("probe", "", "GET this URL, exit 0 if it answers 200")
	flag.Parse()
	if *probe != "" {
		os.Exit(probeURL(*probe))
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("app", "kv")
	if err := run(*addr, *dir, log); err != nil {
		log.Error("exiting", "err", err)
		os.Exit(1)
	}
}

func run(addr, dir string, log *slog.Logger) error {
	st, err := openStore(filepath.Join(dir, "kv.json"))
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	srv := &http.Server{Addr: addr, Handler: st.routes(), ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("serving", "addr", addr, "file", st.path, "keys", st.len())
	select {
	case err := <-errc:
		return fmt.Errorf("serving on %s: %w", addr, err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// Every write is durable before it is acknowledged, so draining the
	// in-flight requests is all a clean stop needs.
	return srv.Shutdown(shutCtx)
}

// store is a map persisted as a whole to one file on every change.
type store struct {
	path string
	mu   sync.Mutex
	data map[string]string
}

func openStore(path string) (*store, error) {
	st := &store{path: path, data: map[string]string{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if err := json.Unmarshal(b, &st.data); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", path, err)
	}
	return st, nil
}

func (st *store) len() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.data)
}

func (st *store) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /k/{key}", st.get)
	mux.HandleFunc("PUT /k/{key}", st.put)
	mux.HandleFunc("POST /k/{key}/incr", st.incr)
	return mux
}

func (st *store) get(w http.ResponseWriter, r *http.Request) {
	st.mu.Lock()
	v, ok := st.data[r.PathValue("key")]
	st.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	fmt.Fprint(w, v)
}

func (st *store) put(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxValue))
	if err != nil {
		http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.setLocked(r.PathValue("key"), string(b)); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (st *store) incr(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	st.mu.Lock()
	defer st.mu.Unlock()
	n := 0
	if v, ok := st.data[key]; ok {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			http.Error(w, fmt.Sprintf("key %q holds %q, not an integer", key, v), http.StatusConflict)
			return
		}
	}
	if err := st.setLocked(key, strconv.Itoa(n+1)); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprint(w, n+1)
}

// setLocked changes one key and persists the whole map; on failure the map
// is left as it was, so memory never runs ahead of disk.
func (st *store) setLocked(key, value string) error {
	old, had := st.data[key]
	st.data[key] = value
	if err := st.saveLocked(); err != nil {
		if had {
			st.data[key] = old
		} else {
			delete(st.data, key)
		}
		return err
	}
	return nil
}

func (st *store) saveLocked() error {
	b, err := json.Marshal(st.data)
	if err != nil {
		return fmt.Errorf("encoding data: %w", err)
	}
	dir := filepath.Dir(st.path)
	tmp, err := os.CreateTemp(dir, ".kv-*.tmp")
	if err != nil {
		return fmt.Errorf("creating temp file in %s: %w", dir, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("syncing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), st.path); err != nil {
		return fmt.Errorf("renaming into %s: %w", st.path, err)
	}
	return syncDir(dir)
}

// syncDir makes the rename itself durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("opening %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return nil
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
