package spec

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const hashBase = `
services:
  web:
    image: registry.local/web:1
    environment:
      MODE: prod
    ports: ["8080:80"]
    deploy:
      replicas: 2
  db:
    image: registry.local/db:1
`

func TestServiceHash(t *testing.T) {
	base := loadString(t, hashBase)
	for _, tc := range []struct {
		name    string
		from    string
		to      string
		changes bool
	}{
		{"replicas", "replicas: 2", "replicas: 5", false},
		{"scale instead of replicas", "deploy:\n      replicas: 2", "scale: 7", false},
		{"image", "web:1", "web:2", true},
		{"env", "MODE: prod", "MODE: dev", true},
		{"port", `"8080:80"`, `"8081:80"`, true},
		{"command", "MODE: prod", "MODE: prod\n    command: [serve]", true},
		{"x-berth", "MODE: prod", "MODE: prod\n    x-berth:\n      unhealthy_grace: 5s", true},
		{"other x- extension", "MODE: prod", "MODE: prod\n    x-note: hello", false},
		// load balancer settings: a new revision, but no container replaced
		{"x-berth routes", "MODE: prod", "MODE: prod\n    x-berth:\n      routes: [{port: 80}]\n      deploy: {strategy: recreate}", false},
		{"x-berth lb", "MODE: prod", "MODE: prod\n    x-berth:\n      lb: {policy: least_conn}", false},
		{"x-berth deploy", "MODE: prod", "MODE: prod\n    x-berth:\n      deploy: {strategy: rolling, max_surge: 0, max_unavailable: 2}", false},
		{"x-berth routes and grace", "MODE: prod", "MODE: prod\n    x-berth:\n      routes: [{port: 80}]\n      deploy: {strategy: recreate}\n      unhealthy_grace: 5s", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(hashBase, tc.from) {
				t.Fatalf("base has no %q", tc.from)
			}
			st := loadString(t, strings.Replace(hashBase, tc.from, tc.to, 1))
			before, after := serviceByName(t, base, "web").Hash, serviceByName(t, st, "web").Hash
			if (before != after) != tc.changes {
				t.Errorf("web hash %s -> %s, want changed=%v", before, after, tc.changes)
			}
			if serviceByName(t, base, "db").Hash != serviceByName(t, st, "db").Hash {
				t.Errorf("db hash changed by an edit to web")
			}
			if base.Hash == st.Hash {
				t.Errorf("stack hash unchanged by an edit")
			}
		})
	}
}

// TestServiceHashPinned: these hashes were computed by berth before the
// traffic settings existed. A service hash that changes across berth
// versions replaces every running container on upgrade.
func TestServiceHashPinned(t *testing.T) {
	for _, tc := range []struct {
		name, content string
		want          map[string]string
	}{
		{"plain", hashBase, map[string]string{"web": "2283d05c61b20f11", "db": "5812d0e45e0894ab"}},
		{"x-berth", hashBase + "    x-berth:\n      unhealthy_grace: 5s\n", map[string]string{"db": "098133dcf99cf52f"}},
		{"x-berth with traffic settings", hashBase + "    x-berth:\n      unhealthy_grace: 5s\n      routes: [{port: 80}]\n" +
			"      lb: {retries: 1}\n      deploy: {strategy: blue_green}\n", map[string]string{"db": "098133dcf99cf52f"}},
	} {
		st := loadString(t, tc.content)
		for name, want := range tc.want {
			if got := serviceByName(t, st, name).Hash; got != want {
				t.Errorf("%s: service %s hash = %s, want %s", tc.name, name, got, want)
			}
		}
	}
}

func TestHashIsStable(t *testing.T) {
	a, b := loadString(t, hashBase), loadString(t, hashBase)
	if a.Hash != b.Hash || len(a.Hash) != hashLen {
		t.Errorf("stack hashes %q and %q differ or have the wrong length", a.Hash, b.Hash)
	}
	for i := range a.Services {
		if a.Services[i].Hash != b.Services[i].Hash {
			t.Errorf("service %s hash not stable", a.Services[i].Name)
		}
	}
}

// roundTrip loads st's canonical form and checks every hash survives.
func roundTrip(t testing.TB, st *Stack) {
	t.Helper()
	data, err := st.Canonical()
	if err != nil {
		t.Fatalf("canonical: %v", err)
	}
	again, err := LoadCanonical(context.Background(), st.Name, data)
	if err != nil {
		t.Fatalf("reloading canonical form: %v\n%s", err, data)
	}
	if again.Hash != st.Hash {
		data2, _ := again.Canonical()
		t.Fatalf("stack hash %s -> %s\nfirst:\n%s\nsecond:\n%s", st.Hash, again.Hash, data, data2)
	}
	if len(again.Services) != len(st.Services) {
		t.Fatalf("services %v -> %v", serviceNames(st), serviceNames(again))
	}
	for i, s := range st.Services {
		r := again.Services[i]
		if r.Name != s.Name || r.Hash != s.Hash || r.Replicas != s.Replicas ||
			r.Restart != s.Restart || r.MaxRetries != s.MaxRetries || r.Image != s.Image || !reflect.DeepEqual(r.Berth, s.Berth) {
			t.Errorf("service %s changed in round trip:\n%+v\n%+v", s.Name, s, r)
		}
	}
	if !reflect.DeepEqual(again.Berth, st.Berth) {
		t.Errorf("stack options %+v -> %+v", st.Berth, again.Berth)
	}
}

func TestCanonicalRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.good.yml")
	for _, opts := range append(optionsFor(files),
		LoadOptions{WorkDir: "testdata/dotenv"},
		LoadOptions{WorkDir: "testdata/multi"},
		LoadOptions{Files: []string{"testdata/full.good.yml"}, Profiles: []string{"debug"}},
	) {
		t.Run(strings.Join(opts.Files, ",")+opts.WorkDir, func(t *testing.T) {
			st, err := Load(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			roundTrip(t, st)
		})
	}
}

func optionsFor(files []string) []LoadOptions {
	var out []LoadOptions
	for _, f := range files {
		out = append(out, LoadOptions{Files: []string{f}})
	}
	return out
}

func TestLoadCanonicalReadsNothingElse(t *testing.T) {
	t.Setenv("GREETING", "from-os")
	data := []byte("services:\n  app:\n    image: x\n    command: echo $HOME ${GREETING}\n")
	st, err := LoadCanonical(context.Background(), "stored", data)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(st.Services[0].Config.Command, " "); got != "echo $HOME ${GREETING}" {
		t.Errorf("canonical form was interpolated: %q", got)
	}
	if st.Name != "stored" {
		t.Errorf("name = %q", st.Name)
	}
}

func TestLoadCanonicalError(t *testing.T) {
	_, err := LoadCanonical(context.Background(), "stored", []byte("services:\n  web:\n    image: x\n    restart: sometimes\n"))
	if err == nil || !strings.Contains(err.Error(), `canonical.yaml:4: service "web": field "restart"`) {
		t.Fatalf("err = %v", err)
	}
}
