package daemon

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/berth-dev/berth/internal/api"
	"github.com/berth-dev/berth/internal/engine/docker"
	"github.com/berth-dev/berth/internal/reconcile"
	"github.com/berth-dev/berth/internal/spec"
	"github.com/berth-dev/berth/internal/store"
)

// Config configures the daemon.
type Config struct {
	Socket  string
	DataDir string
	// EngineHost overrides DOCKER_HOST.
	EngineHost string
	// TCP, when set, also serves the API there; it requires TLSCert,
	// TLSKey and TokenFile.
	// Metrics, when set, serves Prometheus' /metrics on this TCP address
	// (plain HTTP: bind it to loopback or a trusted network).
	Metrics   string
	TCP       string
	TLSCert   string
	TLSKey    string
	TokenFile string
	Resync    time.Duration
	Version   string
	Alerts    AlertConfig
	// Ready, when set, is called once the API serves, with the TCP
	// listener's address (nil without TCP): tests listen on port 0.
	Ready func(tcp net.Addr)
}

// Run runs the daemon until ctx ends.
func Run(ctx context.Context, cfg Config, log *slog.Logger) error {
	if cfg.TCP != "" && (cfg.TLSCert == "" || cfg.TLSKey == "" || cfg.TokenFile == "") {
		return errors.New("--tcp needs --tls-cert, --tls-key and --token-file: the API is never served on TCP without TLS and a token")
	}
	st, err := store.Open(cfg.DataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	eng, err := docker.New(docker.Options{Host: cfg.EngineHost}, log.With("component", "engine"))
	if err != nil {
		return err
	}
	defer eng.Close()
	if v, err := eng.Ping(ctx); err != nil {
		log.Warn("engine not answering yet; will keep trying", "err", err)
	} else {
		log.Info("engine answers", "engine", v)
	}
	reg := prometheus.NewRegistry()
	rec := reconcile.New(eng, st, spec.LoadCanonical, log.With("component", "reconcile"), cfg.Resync)
	rec.Observer = newReconcileMetrics(reg)
	lb, err := newBalancer(cfg.DataDir, cfg.Version, log.With("component", "proxy"))
	if err != nil {
		return err
	}
	rec.Traffic = lb
	reg.MustRegister(newLBMetrics(lb.running))
	guard := &routeGuard{store: st, lb: lb, log: log}
	coll, err := newCollector(eng, reg, log.With("component", "metrics"))
	if err != nil {
		return err
	}
	logs, logColl, err := openLogs(cfg.DataDir, eng, reg, log.With("component", "logs"))
	if err != nil {
		return err
	}
	defer logs.Close()
	watch, err := newWatcher(coll, st)
	if err != nil {
		return err
	}
	alerts, err := newAlerts(cfg.Alerts, &alertSource{coll: coll, rec: rec, store: st, list: eng.List, dataDir: cfg.DataDir,
		proxy: newProxyRatios(lb.running, log.With("component", "alert"))}, st, log.With("component", "alert"))
	if err != nil {
		return err
	}
	srv := &api.Server{
		Rec: rec, Store: st, Engine: eng, Load: spec.LoadCanonical, Version: cfg.Version, DataDir: cfg.DataDir,
		Log: log.With("component", "api"), Stats: coll, Metrics: coll.Handler(), Logs: logs,
		CheckRoutes: guard.checkRoutes,
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	guard.forgetStale(ctx)
	recDone := make(chan error, 1)
	go func() { recDone <- rec.Run(ctx) }()
	collDone := make(chan error, 4)
	go func() { collDone <- watch.Run(ctx) }()
	go func() { collDone <- coll.Run(ctx) }()
	go func() { collDone <- logColl.Run(ctx) }()
	go func() { collDone <- alerts.Run(ctx) }()

	ln, err := listenUnix(cfg.Socket)
	if err != nil {
		return err
	}
	unixSrv := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	servers := []*http.Server{unixSrv}
	errs := make(chan error, 3) // one per server: none blocks at shutdown
	go func() { errs <- unixSrv.Serve(ln) }()
	log.Info("berth daemon ready", "socket", cfg.Socket, "data", cfg.DataDir)

	if cfg.Metrics != "" {
		hs, addr, err := serveMetrics(cfg.Metrics, coll.Handler(), errs)
		if err != nil {
			return err
		}
		servers = append(servers, hs)
		log.Info("serving Prometheus metrics", "addr", "http://"+addr.String()+"/metrics")
	}
	var tcpAddr net.Addr
	if cfg.TCP != "" {
		hs, addr, err := serveTCP(cfg, srv, errs)
		if err != nil {
			return err
		}
		servers, tcpAddr = append(servers, hs), addr
		log.Info("serving the API on TCP with TLS", "addr", addr.String())
	}
	if cfg.Ready != nil {
		cfg.Ready(tcpAddr)
	}

	select {
	case <-ctx.Done():
	case err := <-errs:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Error("API server failed", "err", err)
		}
	}
	log.Info("shutting down")
	shCtx, shCancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer shCancel()
	for _, s := range servers {
		s.Shutdown(shCtx)
	}
	cancel()
	<-recDone
	for range cap(collDone) {
		<-collDone
	}
	os.Remove(cfg.Socket)
	return nil
}

// listenUnix listens on the socket with mode 0660: only root and the
// socket's group may drive the daemon, which holds the engine's socket.
// A stale socket from a crashed daemon is replaced; a live one is an error.
func listenUnix(path string) (net.Listener, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("creating socket directory: %w", err)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("another berth daemon already listens on %s", path)
	}
	os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o660); err != nil {
		ln.Close()
		return nil, fmt.Errorf("setting permissions of %s: %w", path, err)
	}
	return ln, nil
}

// serveTCP serves the API over TLS with bearer-token authentication.
func serveTCP(cfg Config, srv *api.Server, errs chan<- error) (*http.Server, net.Addr, error) {
	tok, err := os.ReadFile(cfg.TokenFile)
	if err != nil {
		return nil, nil, fmt.Errorf("reading token file: %w", err)
	}
	token := strings.TrimSpace(string(tok))
	if len(token) < 16 {
		return nil, nil, fmt.Errorf("token in %s is too short: use at least 16 random characters", cfg.TokenFile)
	}
	cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
	if err != nil {
		return nil, nil, fmt.Errorf("loading TLS certificate: %w", err)
	}
	tcpSrv := *srv
	tcpSrv.Token = token
	hs := &http.Server{
		Addr:              cfg.TCP,
		Handler:           tcpSrv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}},
	}
	ln, err := net.Listen("tcp", cfg.TCP)
	if err != nil {
		return nil, nil, fmt.Errorf("listening on %s: %w", cfg.TCP, err)
	}
	go func() { errs <- hs.ServeTLS(ln, "", "") }()
	return hs, ln.Addr(), nil
}

// serveMetrics serves /metrics over plain HTTP for Prometheus to scrape.
func serveMetrics(addr string, h http.Handler, errs chan<- error) (*http.Server, net.Addr, error) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("listening for metrics on %s: %w", addr, err)
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { errs <- hs.Serve(ln) }()
	return hs, ln.Addr(), nil
}
