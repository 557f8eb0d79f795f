package spec

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestDecodeTraffic: lists and pointers of structs are decoded as strictly
// as mappings, and errors inside them name the entry.
func TestDecodeTraffic(t *testing.T) {
	for _, tc := range []struct {
		name, xberth, want string // xberth: the keys of a flow mapping, all on line 4
	}{
		{"routes not a list", "routes: 8080", `field "x-berth.routes": must be a list (got 8080)`},
		{"route not a mapping", "routes: [8080]", `field "x-berth.routes.0": must be a mapping (got 8080)`},
		{"listen not a string", "routes: [{port: 80, listen: 8080}]", `field "x-berth.routes.0.listen": must be a string (got 8080)`},
		{"unknown tls key", "routes: [{port: 80, tls: {cert: a, crt: b}}]",
			`field "x-berth.routes.0.tls.crt": unknown key "crt"; hint: valid keys: cert, key`},
		{"bad hold", "routes: [{port: 80}], deploy: {steps: [{weight: 10, hold: soon}]}",
			`field "x-berth.deploy.steps.0.hold": must be a duration such as "500ms" or "1m30s" (got "soon")`},
		{"bad rate", "routes: [{port: 80}], deploy: {analysis: {max_error_rate: lots}}",
			`field "x-berth.deploy.analysis.max_error_rate": must be a number (got "lots")`},
		{"bad retries", "lb: {retries: many}", `field "x-berth.lb.retries": must be an integer (got "many")`},
		{"interpolated numbers", "routes: [{port: \"${PORT:-80}\"}], lb: {retries: \"${R:-3}\"}" +
			", deploy: {analysis: {max_error_rate: \"${RATE:-0.5}\"}}", ""},
		{"null tls", "routes: [{port: 80, tls: null}]", ""},
		{"health path", "lb: {health: {path: health}}", `field "x-berth.lb.health.path": must start with / (got "health")`},
		{"bad host", "routes: [{port: 80, host: \"a.example:8080\"}]", `field "x-berth.routes.0.host": must be a bare host name`},
		{"ipv6 host", "routes: [{port: 80, host: \"[::1]\"}]", ""},
		{"tcp path", "routes: [{port: 80, protocol: tcp, path: /}]", `field "x-berth.routes.0.path": is not allowed on a tcp route`},
		{"tcp tls", "routes: [{port: 80, protocol: tcp, tls: {cert: a, key: b}}]", `field "x-berth.routes.0.tls": is not allowed on a tcp route`},
		{"weight 100", "routes: [{port: 80}], deploy: {steps: [{weight: 100, hold: 1s}]}",
			`field "x-berth.deploy.steps.0.weight": must be between 1 and 99 (got 100); hint: 100% follows the last step`},
		{"blue green without routes", "deploy: {strategy: blue_green}", `field "x-berth.deploy.strategy": strategy blue_green needs x-berth.routes`},
		{"negative surge", "deploy: {max_surge: -1}", `field "x-berth.deploy.max_surge": must not be negative (got -1); hint: leave it out`},
		{"unavailable only", "deploy: {max_surge: 0, max_unavailable: 2}", ""},
		{"zero rate", "deploy: {analysis: {max_error_rate: 0}}", `field "x-berth.deploy.analysis.max_error_rate": must be above 0 and at most 1 (got 0)`},
		{"negative eject", "lb: {eject: {errors: -1}}", `field "x-berth.lb.eject.errors": must not be negative (got -1)`},
		{"negative drain", "lb: {drain: -1s}", `field "x-berth.lb.drain": must be a positive duration (got -1s)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "compose.yaml")
			content := "services:\n  web:\n    image: x\n    x-berth: {" + tc.xberth + "}\n"
			if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(context.Background(), LoadOptions{Files: []string{file}})
			want := `compose.yaml:4: service "web": ` + tc.want
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || !contains(err.Error(), want)):
				t.Fatalf("error:\n  %v\nwant it to contain:\n  %s", err, want)
			}
		})
	}
}
