package docker

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// These tests need the Docker Engine: a missing engine is a failure, not
// a skip. They never pull from a public registry.

// engineClient connects to the local engine and fails the test if it does
// not answer.
func engineClient(t *testing.T) *client.Client {
	t.Helper()
	cli, err := client.New(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatalf("creating engine client: %v", err)
	}
	t.Cleanup(func() { _ = cli.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
		t.Fatalf("the docker engine must be running for this test: %v", err)
	}
	return cli
}

// uniqueName gives each test run its own engine object names, since other
// tests may share the engine.
func uniqueName(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// buildHello compiles testdata/hello statically into dir/hello.
func buildHello(t *testing.T, dir string) {
	t.Helper()
	src, err := filepath.Abs("testdata/hello/main.go")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "hello"), src)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building testdata/hello: %v\n%s", err, out)
	}
}

func TestIntegrationBuildCreateRun(t *testing.T) {
	cli := engineClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"app/Dockerfile":    "FROM scratch\nCOPY hello /hello\nCMD [\"/hello\"]\n",
		"app/.dockerignore": "*.tmp\n",
		"app/junk.tmp":      "not sent",
		"token.txt":         "s3cret",
	})
	buildHello(t, filepath.Join(dir, "app"))
	project := uniqueName("berthit")
	st := loadNamedStack(t, dir, project, `
services:
  hello:
    build: ./app
    environment:
      GREETING: hi
    secrets: [token]
    networks: [front, back]
secrets:
  token:
    file: ./token.txt
networks:
  front: {}
  back: {}
`)
	svc := testService(t, st, "hello")
	t.Cleanup(func() { removeImage(t, cli, svc.Image) })

	var lines []string
	if err := ensureImage(ctx, cli, st, svc, func(l string) { lines = append(lines, l) }); err != nil {
		t.Fatalf("ensureImage: %v", err)
	}
	if !strings.Contains(strings.Join(lines, "\n"), "Successfully built") {
		t.Errorf("build progress did not report success:\n%s", strings.Join(lines, "\n"))
	}

	plan, err := createRequest(st, svc, project+"-hello-1", map[string]string{"dev.berth.stack": project})
	if err != nil {
		t.Fatalf("createRequest: %v", err)
	}
	if len(plan.Extra) != 1 {
		t.Fatalf("want one extra network, got %+v", plan.Extra)
	}
	for _, key := range []string{"front", "back"} {
		createNetwork(t, cli, st.Project.Networks[key].Name)
	}
	id := runPlan(ctx, t, cli, plan)

	code, logs := waitExit(ctx, t, cli, id)
	if code != 3 {
		t.Errorf("exit code = %d, want 3 (logs: %q)", code, logs)
	}
	want := "greeting=hi token=s3cret err=<nil> ifaces=3" // lo + two networks
	if !strings.Contains(logs, want) {
		t.Errorf("logs = %q, want %q", logs, want)
	}
}

func TestIntegrationBadDockerfile(t *testing.T) {
	cli := engineClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"Dockerfile": "FORM scratch\n"})
	st := loadNamedStack(t, dir, uniqueName("berthit"), "services:\n  broken:\n    build: .\n")
	svc := testService(t, st, "broken")
	t.Cleanup(func() { removeImage(t, cli, svc.Image) })

	err := ensureImage(ctx, cli, st, svc, nil)
	if err == nil {
		t.Fatal("building a bad Dockerfile succeeded")
	}
	msg := err.Error()
	if !strings.Contains(msg, `service "broken"`) || !strings.Contains(msg, "unknown instruction: FORM") {
		t.Fatalf("error %q should name the service and quote the engine", msg)
	}
}

func TestIntegrationPullUnreachableRegistry(t *testing.T) {
	cli := engineClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st := loadNamedStack(t, t.TempDir(), uniqueName("berthit"), "services:\n  ghost:\n    image: 127.0.0.1:1/nope:latest\n")

	err := ensureImage(ctx, cli, st, testService(t, st, "ghost"), nil)
	if err == nil {
		t.Fatal("pulling from an unreachable registry succeeded")
	}
	msg := err.Error()
	if !strings.Contains(msg, `service "ghost": pulling image "127.0.0.1:1/nope:latest"`) || !strings.Contains(msg, "127.0.0.1:1") {
		t.Fatalf("error %q should name the service, the image and the registry", msg)
	}
}

// createNetwork creates a bridge network and removes it after the test.
func createNetwork(t *testing.T, cli *client.Client, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := cli.NetworkCreate(ctx, name, client.NetworkCreateOptions{Driver: "bridge"}); err != nil {
		t.Fatalf("creating network %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := cli.NetworkRemove(ctx, name, client.NetworkRemoveOptions{}); err != nil {
			t.Errorf("removing network %s: %v", name, err)
		}
	})
}

// runPlan creates the container, connects its extra networks and starts
// it, the way the driver does; the container is removed after the test.
func runPlan(ctx context.Context, t *testing.T, cli *client.Client, plan createPlan) string {
	t.Helper()
	res, err := cli.ContainerCreate(ctx, plan.Options)
	if err != nil {
		t.Fatalf("creating container: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := cli.ContainerRemove(ctx, res.ID, client.ContainerRemoveOptions{Force: true}); err != nil {
			t.Errorf("removing container: %v", err)
		}
	})
	for _, n := range plan.Extra {
		if _, err := cli.NetworkConnect(ctx, n.Network, client.NetworkConnectOptions{Container: res.ID, EndpointConfig: n.Endpoint}); err != nil {
			t.Fatalf("connecting network %s: %v", n.Network, err)
		}
	}
	if _, err := cli.ContainerStart(ctx, res.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatalf("starting container: %v", err)
	}
	return res.ID
}

// waitExit waits for the container to stop and returns its exit code and
// output.
func waitExit(ctx context.Context, t *testing.T, cli *client.Client, id string) (int64, string) {
	t.Helper()
	wait := cli.ContainerWait(ctx, id, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
	var code int64
	select {
	case r := <-wait.Result:
		code = r.StatusCode
	case err := <-wait.Error:
		t.Fatalf("waiting for container: %v", err)
	}
	rc, err := cli.ContainerLogs(ctx, id, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		t.Fatalf("reading logs: %v", err)
	}
	defer func() { _ = rc.Close() }()
	var out bytes.Buffer
	if _, err := stdcopy.StdCopy(&out, &out, rc); err != nil {
		t.Fatalf("demultiplexing logs: %v", err)
	}
	return code, out.String()
}

// removeImage removes a test image if it exists.
func removeImage(t *testing.T, cli *client.Client, ref string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := cli.ImageRemove(ctx, ref, client.ImageRemoveOptions{Force: true, PruneChildren: true})
	if err != nil && !strings.Contains(err.Error(), "No such image") {
		t.Errorf("removing image %s: %v", ref, err)
	}
}
