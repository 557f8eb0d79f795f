package metrics

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// These helpers need the Docker Engine: a missing engine fails the test.
// Containers run berth-test-app:latest (scripts/build-images.sh), are named
// with a random prefix so that other tests sharing the engine are not
// touched, and are removed in Cleanup.

const testImage = "berth-test-app:latest"

// engineClient connects to the local engine, failing if it does not answer.
func engineClient(tb testing.TB) *client.Client {
	tb.Helper()
	cli, err := client.New(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		tb.Fatalf("creating engine client: %v", err)
	}
	tb.Cleanup(func() { _ = cli.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
		tb.Fatalf("the docker engine must be running for this test: %v", err)
	}
	return cli
}

// randomPrefix returns "mtx-<8 hex>-".
func randomPrefix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "mtx-" + hex.EncodeToString(b) + "-"
}

// startApps runs n containers of the test app with a memory limit, at most
// 8 creations at a time (runc has hung here under more), and removes them
// in Cleanup, at most 4 at a time (dockerd 20.10 deadlocks under parallel
// removals).
func startApps(tb testing.TB, cli *client.Client, n int, memLimit int64) []Target {
	tb.Helper()
	prefix := randomPrefix()
	targets := make([]Target, n)
	errs := make([]error, n)
	var mu sync.Mutex
	var created []string
	tb.Cleanup(func() { removeAll(tb, cli, created) })
	forEachBounded(n, 8, func(i int) {
		name := fmt.Sprintf("%sapp-%d", prefix, i)
		var id string
		id, errs[i] = createStart(cli, name, memLimit)
		if id != "" {
			mu.Lock()
			created = append(created, id)
			mu.Unlock()
		}
		if errs[i] == nil {
			targets[i], errs[i] = inspectTarget(cli, id, name)
		}
	})
	for _, err := range errs {
		if err != nil {
			tb.Fatal(err)
		}
	}
	return targets
}

// createStart creates and starts one container; the ID is returned even
// when the start fails, so that it gets removed.
func createStart(cli *client.Client, name string, memLimit int64) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name:       name,
		Config:     &container.Config{Image: testImage},
		HostConfig: &container.HostConfig{Resources: container.Resources{Memory: memLimit}},
	})
	if err != nil {
		return "", fmt.Errorf("creating container %s: %w", name, err)
	}
	if _, err := cli.ContainerStart(ctx, res.ID, client.ContainerStartOptions{}); err != nil {
		return res.ID, fmt.Errorf("starting container %s: %w", name, err)
	}
	return res.ID, nil
}

func inspectTarget(cli *client.Client, id, name string) (Target, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return Target{}, fmt.Errorf("inspecting container %s: %w", name, err)
	}
	st := res.Container.State
	if st == nil || !st.Running || st.Pid == 0 {
		return Target{}, fmt.Errorf("container %s is not running: %+v", name, st)
	}
	return Target{ID: res.Container.ID, PID: st.Pid, Stack: "mtx", Service: "app", Name: name}, nil
}

func removeAll(tb testing.TB, cli *client.Client, ids []string) {
	forEachBounded(len(ids), 4, func(i int) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if _, err := cli.ContainerRemove(ctx, ids[i], client.ContainerRemoveOptions{Force: true}); err != nil {
			tb.Errorf("removing container %s: %v", ids[i], err)
		}
	})
}

// forEachBounded calls fn(0..n-1) with at most limit calls at a time.
func forEachBounded(n, limit int, fn func(i int)) {
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			fn(i)
		})
	}
	wg.Wait()
}
