package docker

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"
)

// fakeImages is an imageAPI that records calls and answers canned streams.
type fakeImages struct {
	present   bool
	pullBody  string
	buildBody string
	pulled    []string
	built     []client.ImageBuildOptions
	tarFiles  map[string]string // name -> content of the last build context
}

var _ imageAPI = (*fakeImages)(nil)

func (f *fakeImages) ImageInspect(_ context.Context, _ string, _ ...client.ImageInspectOption) (client.ImageInspectResult, error) {
	if f.present {
		return client.ImageInspectResult{}, nil
	}
	return client.ImageInspectResult{}, cerrdefs.ErrNotFound.WithMessage("no such image")
}

func (f *fakeImages) ImagePull(_ context.Context, ref string, _ client.ImagePullOptions) (client.ImagePullResponse, error) {
	f.pulled = append(f.pulled, ref)
	return fakePullResponse{io.NopCloser(strings.NewReader(f.pullBody))}, nil
}

func (f *fakeImages) ImageBuild(_ context.Context, ctxTar io.Reader, opts client.ImageBuildOptions) (client.ImageBuildResult, error) {
	f.built = append(f.built, opts)
	f.tarFiles = map[string]string{}
	tr := tar.NewReader(ctxTar)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return client.ImageBuildResult{}, err
		}
		b, _ := io.ReadAll(tr)
		f.tarFiles[hdr.Name] = string(b)
	}
	return client.ImageBuildResult{Body: io.NopCloser(strings.NewReader(f.buildBody))}, nil
}

// fakePullResponse satisfies client.ImagePullResponse over a canned body.
type fakePullResponse struct{ io.ReadCloser }

func (fakePullResponse) JSONMessages(context.Context) iter.Seq2[jsonstream.Message, error] {
	return func(func(jsonstream.Message, error) bool) {}
}

func (fakePullResponse) Wait(context.Context) error { return nil }

func TestEnsureImagePull(t *testing.T) {
	const okPull = `{"status":"Pulling from library/redis","id":"7"}
{"status":"Downloading","progress":"[=>   ]","progressDetail":{"current":1,"total":9},"id":"abc"}
{"status":"Pull complete","id":"abc"}
{"status":"Status: Downloaded newer image for redis:7"}
`
	tests := []struct {
		name       string
		policy     string
		present    bool
		body       string
		wantPulled []string
		wantErr    string
		wantLines  []string
	}{
		{name: "missing pulls short name", body: okPull, wantPulled: []string{"docker.io/library/redis:7"},
			wantLines: []string{"7: Pulling from library/redis", "abc: Pull complete", "Status: Downloaded newer image for redis:7"}},
		{name: "present is kept", present: true},
		{name: "always pulls", policy: "always", present: true, body: okPull, wantPulled: []string{"docker.io/library/redis:7"}},
		{name: "never fails when absent", policy: "never", wantErr: `service "cache": image "redis:7" is not on the engine and pull_policy is never`},
		{name: "never keeps present", policy: "never", present: true},
		{name: "stream error names service and quotes engine", body: `{"errorDetail":{"message":"manifest unknown"},"error":"manifest unknown"}`,
			wantPulled: []string{"docker.io/library/redis:7"}, wantErr: `service "cache": pulling image "redis:7": manifest unknown`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &fakeImages{present: tt.present, pullBody: tt.body}
			st := loadTestStack(t, testDir, "services:\n  cache:\n    image: redis:7\n")
			svc := testService(t, st, "cache")
			svc.Config.PullPolicy = tt.policy
			var lines []string
			err := ensureImage(context.Background(), api, st, svc, func(l string) { lines = append(lines, l) })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatalf("ensureImage: %v", err)
			}
			eq(t, "pulled", api.pulled, tt.wantPulled)
			if tt.wantLines != nil {
				eq(t, "progress", lines, tt.wantLines)
			}
		})
	}
}

func TestEnsureImageBuild(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"app/Dockerfile":    "FROM scratch\nCOPY bin /bin\n",
		"app/bin":           "binary",
		"app/notes.md":      "docs",
		"app/.git/HEAD":     "ref",
		"app/.dockerignore": "*.md\n.git\n",
		"Dockerfile.shared": "FROM scratch\n",
	})
	const okBuild = `{"stream":"Step 1/2 : FROM scratch\n"}
{"stream":"\n"}
{"stream":"Successfully built 123\nSuccessfully tagged demo-app:latest\n"}
`
	tests := []struct {
		name      string
		build     string
		policy    string
		present   bool
		wantBuild bool
		wantDF    string
		wantFiles []string
		wantLines []string
	}{
		{name: "absent is built", build: "build: ./app", wantBuild: true, wantDF: "Dockerfile",
			wantFiles: []string{".dockerignore", "Dockerfile", "bin"},
			wantLines: []string{"Step 1/2 : FROM scratch", "Successfully built 123", "Successfully tagged demo-app:latest"}},
		{name: "present is kept", build: "build: ./app", present: true},
		{name: "pull_policy build rebuilds", build: "build: ./app", policy: "build", present: true, wantBuild: true, wantDF: "Dockerfile"},
		{name: "inline dockerfile", build: "build:\n      context: ./app\n      dockerfile_inline: |\n        FROM scratch\n", wantBuild: true,
			wantDF: inlineDockerfileName, wantFiles: []string{".berth.inline.Dockerfile", ".dockerignore", "Dockerfile", "bin"}},
		{name: "dockerfile outside context", build: "build:\n      context: ./app\n      dockerfile: ../Dockerfile.shared", wantBuild: true,
			wantDF: externalDockerfileName, wantFiles: []string{".berth.external.Dockerfile", ".dockerignore", "Dockerfile", "bin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &fakeImages{present: tt.present, buildBody: okBuild}
			st := loadTestStack(t, dir, "services:\n  app:\n    "+tt.build+"\n")
			svc := testService(t, st, "app")
			svc.Config.PullPolicy = tt.policy
			var lines []string
			if err := ensureImage(context.Background(), api, st, svc, func(l string) { lines = append(lines, l) }); err != nil {
				t.Fatalf("ensureImage: %v", err)
			}
			if !tt.wantBuild {
				eq(t, "builds", len(api.built), 0)
				return
			}
			eq(t, "builds", len(api.built), 1)
			opts := api.built[0]
			eq(t, "builder", opts.Version, build.BuilderV1)
			eq(t, "tags", opts.Tags, []string{"demo-app"})
			eq(t, "dockerfile", opts.Dockerfile, tt.wantDF)
			if tt.wantFiles != nil {
				eq(t, "context files", slices.Sorted(mapsKeys(api.tarFiles)), tt.wantFiles)
			}
			if tt.wantLines != nil {
				eq(t, "progress", lines, tt.wantLines)
			}
		})
	}
}

func TestBuildArgsLabelsTarget(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"Dockerfile": "FROM scratch\n"})
	st := loadTestStack(t, dir, `
services:
  app:
    image: registry.test/app:1
    build:
      context: .
      target: prod
      args: {VERSION: "1.2"}
      labels: {org.test: "yes"}
`)
	api := &fakeImages{}
	if err := ensureImage(context.Background(), api, st, testService(t, st, "app"), nil); err != nil {
		t.Fatalf("ensureImage: %v", err)
	}
	opts := api.built[0]
	eq(t, "tags", opts.Tags, []string{"registry.test/app:1"})
	eq(t, "target", opts.Target, "prod")
	eq(t, "arg", *opts.BuildArgs["VERSION"], "1.2")
	eq(t, "labels", opts.Labels, map[string]string{"org.test": "yes"})
}

func TestBuildErrorNamesService(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"Dockerfile": "FROM scratch\n"})
	st := loadTestStack(t, dir, "services:\n  app:\n    build: .\n")
	api := &fakeImages{buildBody: `{"stream":"Step 1/1 : FROM scratch\n"}
{"errorDetail":{"code":1,"message":"COPY failed: file not found"},"error":"COPY failed: file not found"}
`}
	err := ensureImage(context.Background(), api, st, testService(t, st, "app"), nil)
	want := `service "app": building image "demo-app": COPY failed: file not found`
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %q", err, want)
	}
	var je *jsonstream.Error
	if !errors.As(err, &je) || je.Code != 1 {
		t.Fatalf("error %v does not carry the engine's jsonstream.Error", err)
	}
}

// writeFiles creates files (slash paths relative to dir) with content.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// mapsKeys lists the keys of m, skipping directory entries.
func mapsKeys(m map[string]string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for k := range m {
			if strings.HasSuffix(k, "/") {
				continue
			}
			if !yield(k) {
				return
			}
		}
	}
}
