package spec

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func serviceByName(t *testing.T, st *Stack, name string) Service {
	t.Helper()
	for _, s := range st.Services {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("stack %q has no service %q", st.Name, name)
	return Service{}
}

func serviceNames(st *Stack) []string {
	var names []string
	for _, s := range st.Services {
		names = append(names, s.Name)
	}
	return names
}

func TestLoadFullFeatures(t *testing.T) {
	st, err := loadFile(t, "testdata/full.good.yml")
	if err != nil {
		t.Fatal(err)
	}
	if st.Name != "full" {
		t.Errorf("name = %q, want full (top-level name)", st.Name)
	}
	if want := (StackOptions{Parallelism: 4, Resync: Duration(30 * time.Second)}); !reflect.DeepEqual(st.Berth, want) {
		t.Errorf("stack x-berth = %+v, want %+v", st.Berth, want)
	}
	web := serviceByName(t, st, "web")
	if web.Berth.Backoff.Initial.D() != time.Second || web.Berth.CrashLoop.Restarts != 3 || web.Berth.UnhealthyGrace.D() != 30*time.Second {
		t.Errorf("web x-berth = %+v", web.Berth)
	}
	if got := web.Config.Command; !slices.Contains(got, "${NOT_INTERPOLATED}") {
		t.Errorf("$$ escape lost: command = %q", got)
	}
	if web.Config.Labels["com.example.team"] != "payments" {
		t.Errorf("anchor merge lost labels: %v", web.Config.Labels)
	}
	if web.Image != "registry.local/web:1.2" {
		t.Errorf("interpolation default: image = %q", web.Image)
	}
	worker := serviceByName(t, st, "worker")
	if q := worker.Config.Environment["QUEUE"]; q == nil || *q != "jobs" || worker.Image != "registry.local/worker:2" {
		t.Errorf("extends not applied: image %q env %v", worker.Image, worker.Config.Environment)
	}
	if migrate := serviceByName(t, st, "migrate"); migrate.Image != "full-migrate" {
		t.Errorf("build-only image = %q, want full-migrate", migrate.Image)
	}
	serviceByName(t, st, "db") // from include
	if slices.Contains(serviceNames(st), "debug") {
		t.Errorf("profile service debug enabled without its profile")
	}
	if len(st.Project.Secrets) != 1 || len(st.Project.Configs) != 1 {
		t.Errorf("secrets/configs: %v %v", st.Project.Secrets, st.Project.Configs)
	}
	if web.Config.Develop == nil {
		t.Errorf("develop section lost")
	}
}

func TestDerivedServiceFields(t *testing.T) {
	st, err := loadFile(t, "testdata/full.good.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		service    string
		replicas   int
		restart    string
		maxRetries int
	}{
		{"web", 3, RestartUnlessStopped, 0},
		{"worker", 2, RestartOnFailure, 4},  // scale; deploy.restart_policy
		{"migrate", 1, RestartOnFailure, 0}, // awaited with service_completed_successfully
		{"cache", 0, RestartAlways, 0},
		{"db", 1, RestartAlways, 0},
	} {
		s := serviceByName(t, st, tc.service)
		if s.Replicas != tc.replicas || s.Restart != tc.restart || s.MaxRetries != tc.maxRetries {
			t.Errorf("%s: replicas %d restart %s:%d, want %d %s:%d", tc.service,
				s.Replicas, s.Restart, s.MaxRetries, tc.replicas, tc.restart, tc.maxRetries)
		}
	}
}

func TestDefaultOptions(t *testing.T) {
	st := loadString(t, "services:\n  web:\n    image: nginx\n")
	if !reflect.DeepEqual(st.Berth, DefaultStackOptions()) {
		t.Errorf("stack options = %+v, want defaults", st.Berth)
	}
	if got := st.Services[0].Berth; !reflect.DeepEqual(got, DefaultServiceOptions()) {
		t.Errorf("service options = %+v, want defaults", got)
	}
	if d := DefaultServiceOptions(); d.Backoff.Initial.D() != 500*time.Millisecond || d.CrashLoop.Window.D() != 2*time.Minute {
		t.Errorf("defaults changed: %+v", d)
	}
}

func TestLoadOptions(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     LoadOptions
		setenv   map[string]string
		service  string
		image    string
		env      map[string]string
		replicas int
		services []string
	}{
		{name: "dotenv", opts: LoadOptions{WorkDir: "testdata/dotenv"},
			service: "app", image: "registry.local/app:from-dotenv", env: map[string]string{"GREETING": "from-dotenv"}, replicas: 1},
		{name: "os env beats dotenv", opts: LoadOptions{WorkDir: "testdata/dotenv"}, setenv: map[string]string{"GREETING": "from-os"},
			service: "app", image: "registry.local/app:from-dotenv", env: map[string]string{"GREETING": "from-os"}, replicas: 1},
		{name: "extra env beats os env", opts: LoadOptions{WorkDir: "testdata/dotenv", Env: []string{"APP_IMAGE=x:1", "GREETING=extra"}},
			setenv: map[string]string{"GREETING": "from-os"}, service: "app", image: "x:1", env: map[string]string{"GREETING": "extra"}, replicas: 1},
		{name: "default discovery merges override", opts: LoadOptions{WorkDir: "testdata/multi"},
			service: "app", image: "registry.local/app:1", env: map[string]string{"LEVEL": "override"}, replicas: 1},
		{name: "explicit files merge in order", opts: LoadOptions{WorkDir: "testdata/multi", Files: []string{"compose.yaml", "prod.yaml"}},
			service: "app", image: "registry.local/app:2", env: map[string]string{"LEVEL": "base"}, replicas: 4},
		{name: "profile enables service", opts: LoadOptions{Files: []string{"testdata/full.good.yml"}, Profiles: []string{"debug"}},
			service: "debug", image: "registry.local/debug", replicas: 1},
		{name: "project name option wins", opts: LoadOptions{Files: []string{"testdata/full.good.yml"}, ProjectName: "other"},
			service: "migrate", image: "other-migrate", replicas: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.setenv {
				t.Setenv(k, v)
			}
			st, err := Load(context.Background(), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			s := serviceByName(t, st, tc.service)
			if s.Image != tc.image || s.Replicas != tc.replicas {
				t.Errorf("image %q replicas %d, want %q %d", s.Image, s.Replicas, tc.image, tc.replicas)
			}
			for k, want := range tc.env {
				if got := s.Config.Environment[k]; got == nil || *got != want {
					t.Errorf("env %s = %v, want %q", k, got, want)
				}
			}
		})
	}
}

func TestLoadMissingEnvFile(t *testing.T) {
	_, err := Load(context.Background(), LoadOptions{WorkDir: "testdata/dotenv", EnvFiles: []string{"nope.env"}})
	if err == nil || !contains(err.Error(), "nope.env: file not found") {
		t.Fatalf("err = %v, want nope.env: file not found", err)
	}
}

func TestLoadNoFile(t *testing.T) {
	_, err := Load(context.Background(), LoadOptions{WorkDir: t.TempDir()})
	if err == nil || !contains(err.Error(), "no compose file found") {
		t.Fatalf("err = %v, want no compose file found", err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
