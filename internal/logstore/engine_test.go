package logstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// chattyImage is the test image built from testdata/chatty.
const chattyImage = "berth-logstore-chatty:test"

var buildOnce struct {
	sync.Once
	err error
}

// testEngine is the real engine; a missing engine fails the test.
type testEngine struct {
	cli    *client.Client
	prefix string   // random container name prefix of this test
	binds  []string // bind mounts of the containers started from now on
}

func newTestEngine(t testing.TB) *testEngine {
	t.Helper()
	cli, err := client.New(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatalf("engine client: %v", err)
	}
	t.Cleanup(func() { _ = cli.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
		t.Fatalf("no container engine answers (start one with scripts/engine.sh): %v", err)
	}
	buildOnce.Do(func() { buildOnce.err = buildChatty() })
	if buildOnce.err != nil {
		t.Fatal(buildOnce.err)
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return &testEngine{cli: cli, prefix: "lst" + hex.EncodeToString(b)}
}

// buildChatty compiles testdata/chatty statically and wraps it in a
// FROM scratch image with the docker CLI.
func buildChatty() error {
	dir, err := os.MkdirTemp("", "chatty")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	_, file, _, _ := runtime.Caller(0)
	gobuild := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, "chatty"), "./testdata/chatty")
	gobuild.Dir = filepath.Dir(file)
	gobuild.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := gobuild.CombinedOutput(); err != nil {
		return fmt.Errorf("building chatty: %v\n%s", err, out)
	}
	df := "FROM scratch\nCOPY chatty /chatty\nENTRYPOINT [\"/chatty\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		return err
	}
	build := exec.Command("docker", "build", "-q", "-t", chattyImage, dir)
	build.Env = append(os.Environ(), "DOCKER_BUILDKIT=0")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building %s: %v\n%s", chattyImage, err, out)
	}
	return nil
}

// runChatty starts containers of chatty, at most 8 engine calls at a
// time, removed at cleanup. args(i) are container i's flags.
func (e *testEngine) runChatty(t testing.TB, service string, n int, args func(i int) []string) []Target {
	t.Helper()
	targets := make([]Target, n)
	errs := make([]error, n)
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			name := fmt.Sprintf("%s-%s-%d", e.prefix, service, i)
			targets[i], errs[i] = e.start(name, service, args(i))
		})
	}
	wg.Wait()
	t.Cleanup(func() { e.removeAll(targets) })
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return targets
}

func (e *testEngine) start(name, service string, args []string) (Target, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := e.cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name:       name,
		Config:     &container.Config{Image: chattyImage, Cmd: args, Labels: map[string]string{"dev.berth.test": "logstore"}},
		HostConfig: &container.HostConfig{NetworkMode: "none", Binds: e.binds},
	})
	if err != nil {
		return Target{}, fmt.Errorf("creating %s: %w", name, err)
	}
	tg := Target{ID: res.ID, Stack: e.prefix, Service: service, Name: name}
	if _, err := e.cli.ContainerStart(ctx, res.ID, client.ContainerStartOptions{}); err != nil {
		return tg, fmt.Errorf("starting %s: %w", name, err)
	}
	return tg, nil
}

// removeAll force-removes containers, 4 at a time (dockerd 20.10
// deadlocks under more parallel removals).
func (e *testEngine) removeAll(targets []Target) {
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for _, tg := range targets {
		if tg.ID == "" {
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			_, _ = e.cli.ContainerRemove(ctx, tg.ID, client.ContainerRemoveOptions{Force: true})
		})
	}
	wg.Wait()
}

// startCollector runs a collector over targets until the returned stop
// is called (stop waits for it to hand over its last lines).
func startCollector(t testing.TB, e *testEngine, s *Store, opts CollectorOptions, targets []Target) (*Collector, func()) {
	t.Helper()
	opts.Targets = func(context.Context) ([]Target, error) { return targets, nil }
	c, err := NewCollector(e.cli, s, opts, testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("collector: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return c, stop
}

// testLog logs through t, so a failing test shows the collector's warnings.
func testLog(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}
