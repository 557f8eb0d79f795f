package docker

import (
	"context"
	"sort"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/internal/spec"
)

// loadTestStack loads a compose file as project "demo".
func loadTestStack(t *testing.T, dir, yaml string) *spec.Stack {
	t.Helper()
	return loadNamedStack(t, dir, "demo", yaml)
}

// loadNamedStack loads a compose file the way spec does (compose-go, paths
// resolved against dir) and wraps it by hand in a spec.Stack.
func loadNamedStack(t *testing.T, dir, project, yaml string) *spec.Stack {
	t.Helper()
	details := types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: dir + "/compose.yaml", Content: []byte(yaml)}},
		Environment: types.Mapping{},
	}
	p, err := loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SetProjectName(project, true)
		o.ResolvePaths = true
	})
	if err != nil {
		t.Fatalf("loading compose file: %v", err)
	}
	st := &spec.Stack{Name: p.Name, Project: p}
	names := make([]string, 0, len(p.Services))
	for name := range p.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		sc := p.Services[name]
		image := sc.Image
		if image == "" {
			image = p.Name + "-" + name
		}
		st.Services = append(st.Services, spec.Service{Name: name, Config: sc, Image: image, Replicas: 1, Restart: "always"})
	}
	return st
}

// testService returns the named service of st.
func testService(t *testing.T, st *spec.Stack, name string) *spec.Service {
	t.Helper()
	for i := range st.Services {
		if st.Services[i].Name == name {
			return &st.Services[i]
		}
	}
	t.Fatalf("no service %q in stack", name)
	return nil
}
