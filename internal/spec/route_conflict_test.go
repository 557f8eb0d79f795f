package spec

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// loadNamed loads content as stack name.
func loadNamed(t *testing.T, name, content string) *Stack {
	t.Helper()
	file := filepath.Join(t.TempDir(), "compose.yaml")
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := Load(context.Background(), LoadOptions{Files: []string{file}, ProjectName: name})
	if err != nil {
		t.Fatalf("loading %s: %v", name, err)
	}
	return st
}

// routed is a one-service stack whose service has the given routes.
func routed(service, routes string) string {
	return "services:\n  " + service + ":\n    image: x\n    x-berth:\n      routes: " + routes + "\n"
}

func TestRouteConflicts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mine   string
		others map[string]string // stack name -> content
		want   string            // "" for no conflict
	}{
		{name: "same listen host path",
			mine:   routed("web", `[{listen: "127.0.0.1:8080", port: 80}]`),
			others: map[string]string{"blog": routed("web", `[{listen: "127.0.0.1:8080", port: 3000}]`)},
			want:   `stack "shop" service "web": route 127.0.0.1:8080 host "" path "/" is already served by stack "blog" service "web"; hint: change listen, host or path`},
		{name: "default listen and path",
			mine:   routed("web", `[{port: 80}]`),
			others: map[string]string{"blog": routed("app", `[{listen: "127.0.0.1:80", path: /, port: 3000}]`)},
			want:   `route 127.0.0.1:80 host "" path "/" is already served by stack "blog" service "app"`},
		{name: "host differs only in case",
			mine:   routed("web", `[{listen: ":80", host: Shop.Example.com, port: 80}]`),
			others: map[string]string{"blog": routed("web", `[{listen: ":80", host: shop.example.com, port: 3000}]`)},
			want:   `route :80 host "Shop.Example.com" path "/" is already served by stack "blog"`},
		{name: "every interface overlaps one address",
			mine:   routed("web", `[{listen: ":8080", port: 80}]`),
			others: map[string]string{"blog": routed("web", `[{listen: "127.0.0.1:8080", port: 3000}]`)},
			want:   `route :8080 host "" path "/" is already served by stack "blog"`},
		{name: "other hosts share a listener",
			mine:   routed("web", `[{listen: ":80", host: shop.example.com, port: 80}]`),
			others: map[string]string{"blog": routed("web", `[{listen: ":80", host: blog.example.com, port: 3000}]`)}},
		{name: "other paths share a listener",
			mine:   routed("web", `[{listen: ":80", path: /shop, port: 80}]`),
			others: map[string]string{"blog": routed("web", `[{listen: ":80", port: 3000}]`)}},
		{name: "localhost is not 127.0.0.1",
			mine:   routed("web", `[{listen: "localhost:80", port: 80}]`),
			others: map[string]string{"blog": routed("web", `[{listen: "127.0.0.1:80", port: 3000}]`)}},
		{name: "other ports",
			mine:   routed("db", `[{protocol: tcp, listen: ":5432", port: 5432}]`),
			others: map[string]string{"blog": routed("db", `[{protocol: tcp, listen: ":5433", port: 5432}]`)}},
		{name: "two tcp routes",
			mine:   routed("db", `[{protocol: tcp, listen: "127.0.0.1:5432", port: 5432}]`),
			others: map[string]string{"blog": routed("pg", `[{protocol: tcp, listen: "0.0.0.0:5432", port: 5432}]`)},
			want:   `stack "shop" service "db": tcp route 127.0.0.1:5432 conflicts with the tcp route 0.0.0.0:5432 of stack "blog" service "pg"; hint: a tcp route needs`},
		{name: "tcp against http",
			mine:   routed("web", `[{listen: ":8080", host: a.example, port: 80}]`),
			others: map[string]string{"blog": routed("pg", `[{protocol: tcp, listen: "127.0.0.1:8080", port: 5432}]`)},
			want:   `route :8080 host "a.example" path "/" conflicts with the tcp route 127.0.0.1:8080 of stack "blog" service "pg"`},
		{name: "the stack's own running revision is skipped",
			mine:   routed("web", `[{port: 80}]`),
			others: map[string]string{"shop": routed("web", `[{port: 80}]`)}},
		{name: "no routes", mine: "services:\n  web:\n    image: x\n",
			others: map[string]string{"blog": routed("web", `[{port: 80}]`)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mine := loadNamed(t, "shop", tc.mine)
			others := []*Stack{nil}
			for name, content := range tc.others {
				others = append(others, loadNamed(t, name, content))
			}
			err := RouteConflicts(mine, others)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected conflict: %v", err)
				}
				return
			}
			var ce *RouteConflictError
			if !errors.As(err, &ce) || !contains(err.Error(), tc.want) {
				t.Fatalf("error:\n  %v\nwant a *RouteConflictError containing:\n  %s", err, tc.want)
			}
			if ce.Stack != "shop" || ce.OtherStack == "" || ce.OtherService == "" || ce.Route.Listen == "" {
				t.Errorf("error fields: %+v", ce)
			}
		})
	}
}

// TestRouteConflictsInStack covers what the bad fixtures do not: which
// pairs inside one stack are fine.
func TestRouteConflictsInStack(t *testing.T) {
	for _, tc := range []struct {
		name, content, want string
	}{
		{"one service, two paths", routed("web", `[{port: 80}, {port: 80, path: /api}]`), ""},
		{"one service twice", routed("web", `[{port: 80}, {port: 81, path: /}]`),
			`service "web": field "x-berth.routes.1": route 127.0.0.1:80 host "" path "/" is already served by service "web" (x-berth.routes.0)`},
		{"tcp next to http on another port", routed("web", `[{port: 80}, {protocol: tcp, listen: ":81", port: 81}]`), ""},
		{"tcp on every interface", routed("web", `[{port: 80}, {protocol: tcp, listen: ":80", port: 81}]`),
			`compose.yaml:5: service "web": field "x-berth.routes.1": tcp route :80 conflicts with the route 127.0.0.1:80`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "compose.yaml")
			if err := os.WriteFile(file, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(context.Background(), LoadOptions{Files: []string{file}})
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || !contains(err.Error(), tc.want)):
				t.Fatalf("error:\n  %v\nwant it to contain:\n  %s", err, tc.want)
			}
		})
	}
}
