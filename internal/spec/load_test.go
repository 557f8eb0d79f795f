package spec

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// loadFile loads one Compose file the way `berth up -f file` would.
func loadFile(t *testing.T, file string) (*Stack, error) {
	t.Helper()
	return Load(context.Background(), LoadOptions{Files: []string{file}})
}

// loadString writes content to compose.yaml in a fresh directory and
// loads it.
func loadString(t *testing.T, content string) *Stack {
	t.Helper()
	file := filepath.Join(t.TempDir(), "compose.yaml")
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := Load(context.Background(), LoadOptions{Files: []string{file}, ProjectName: "test"})
	if err != nil {
		t.Fatalf("loading:\n%s\nerror: %v", content, err)
	}
	return st
}

func TestLoadGoodFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/*.good.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no good fixtures: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			st, err := loadFile(t, f)
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if len(st.Services) == 0 || st.Hash == "" {
				t.Fatalf("stack has no services or no hash: %+v", st)
			}
		})
	}
}

func TestLoadBadFiles(t *testing.T) {
	for _, tc := range []struct {
		file string
		want string
	}{
		{"syntax.bad.yml", `syntax.bad.yml:3: invalid YAML:`},
		{"not-mapping.bad.yml", `not-mapping.bad.yml:1: a Compose file must be a mapping`},
		{"empty.bad.yml", `empty.bad.yml: empty compose file`},
		{"unknown-field.bad.yml", `unknown-field.bad.yml:6: service "web": field "imagee": unknown field "imagee"; hint: did you mean "image"?`},
		{"unknown-nested.bad.yml", `unknown-nested.bad.yml:5: service "web": field "deploy.replica": unknown field "replica"; hint: did you mean "replicas"?`},
		{"unknown-top.bad.yml", `unknown-top.bad.yml:1: field "servics": unknown field "servics"; hint: did you mean "services"?`},
		{"wrong-type.bad.yml", `wrong-type.bad.yml:5: service "web": field "deploy.replicas": must be an integer (got "three")`},
		{"wrong-bool.bad.yml", `wrong-bool.bad.yml:4: service "web": field "read_only": must be a boolean (got "maybe")`},
		{"wrong-schema-type.bad.yml", `wrong-schema-type.bad.yml:4: service "web": field "cap_add": must be an array (got "7")`},
		{"required-var.bad.yml", `required-var.bad.yml:5: service "worker": field "image": required variable BERTH_TEST_UNSET_IMAGE is not set: set BERTH_TEST_UNSET_IMAGE to the worker image; hint: set BERTH_TEST_UNSET_IMAGE`},
		{"undefined-dep.bad.yml", `undefined-dep.bad.yml:4: service "web": field "depends_on": depends on undefined service "db"`},
		{"cycle.bad.yml", `cycle.bad.yml:4: service "a": field "depends_on": dependency cycle: a -> b -> a`},
		{"undefined-network.bad.yml", `undefined-network.bad.yml:4: service "web": field "networks": refers to undefined network "missing"`},
		{"no-image.bad.yml", `no-image.bad.yml:2: service "web": has neither image nor build`},
		{"restart.bad.yml", `restart.bad.yml:4: service "web": field "restart": invalid restart policy "sometimes"; hint: use one of`},
		{"restart-count.bad.yml", `restart-count.bad.yml:4: service "web": field "restart": invalid restart policy "on-failure:many"`},
		{"bad-port.bad.yml", `bad-port.bad.yml:5: service "web": field "ports": invalid containerPort "def"`},
		{"extends-missing.bad.yml", `extends-missing.bad.yml:4: service "web": field "extends.file": file not found: parts/nope.yml`},
		{"include-missing.bad.yml", `include-missing.bad.yml:2: field "include.0": file not found: parts/nope.yml`},
		{"xberth-unknown.bad.yml", `xberth-unknown.bad.yml:5: service "web": field "x-berth.backof": unknown key "backof"; hint: valid keys: backoff, crash_loop, min_ready, unhealthy_grace`},
		{"xberth-top-unknown.bad.yml", `xberth-top-unknown.bad.yml:2: field "x-berth.paralelism": unknown key "paralelism"; hint: valid keys: parallelism, resync`},
		{"xberth-number.bad.yml", `xberth-number.bad.yml:6: service "web": field "x-berth.backoff.initial": must be a duration string such as "500ms" or "1m30s" (got 5)`},
		{"xberth-garbage.bad.yml", `xberth-garbage.bad.yml:6: service "web": field "x-berth.crash_loop.window": must be a duration such as "500ms" or "1m30s" (got "soon")`},
		{"xberth-order.bad.yml", `xberth-order.bad.yml:5: service "web": field "x-berth.backoff.initial": must not exceed backoff.max (1m0s > 1s)`},
		{"xberth-range.bad.yml", `xberth-range.bad.yml:2: field "x-berth.parallelism": must be between 1 and 64 (got 100)`},
		{"xberth-list.bad.yml", `xberth-list.bad.yml:4: service "web": field "x-berth": must be a mapping (got a list)`},
		{"self-alias.bad.yml", `self-alias.bad.yml:3: alias *defaults is inside its own anchor &defaults`},
		{"does-not-exist.bad.yml", `does-not-exist.bad.yml: file not found`},
	} {
		t.Run(tc.file, func(t *testing.T) {
			st, err := loadFile(t, filepath.Join("testdata", tc.file))
			if err == nil {
				t.Fatalf("loaded %d services, want error %q", len(st.Services), tc.want)
			}
			var le *LoadError
			if !errors.As(err, &le) {
				t.Errorf("error is %T, want *LoadError: %v", err, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error:\n  %v\nwant it to contain:\n  %s", err, tc.want)
			}
		})
	}
}

func TestBadFixturesAreAllListed(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.bad.yml")
	for _, f := range files {
		if _, err := loadFile(t, f); err == nil {
			t.Errorf("%s loaded without error", f)
		}
	}
}

func TestLoadErrorFormat(t *testing.T) {
	for _, tc := range []struct {
		err  LoadError
		want string
	}{
		{LoadError{File: "compose.yaml", Line: 14, Service: "web", Field: "deploy.replicas", Msg: "must be an integer", Hint: "write a number"},
			`compose.yaml:14: service "web": field "deploy.replicas": must be an integer; hint: write a number`},
		{LoadError{File: "compose.yaml", Msg: "empty compose file"}, `compose.yaml: empty compose file`},
		{LoadError{Service: "web", Msg: "has neither image nor build"}, `service "web": has neither image nor build`},
		{LoadError{Msg: "bad"}, `bad`},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
}
