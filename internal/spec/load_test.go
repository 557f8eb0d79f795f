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
		{"xberth-unknown.bad.yml", `xberth-unknown.bad.yml:5: service "web": field "x-berth.backof": unknown key "backof"; hint: valid keys: backoff, crash_loop, deploy, lb, min_ready, routes, unhealthy_grace`},
		{"xberth-top-unknown.bad.yml", `xberth-top-unknown.bad.yml:2: field "x-berth.paralelism": unknown key "paralelism"; hint: valid keys: alerts, parallelism, resync`},
		{"xberth-number.bad.yml", `xberth-number.bad.yml:6: service "web": field "x-berth.backoff.initial": must be a duration string such as "500ms" or "1m30s" (got 5)`},
		{"xberth-garbage.bad.yml", `xberth-garbage.bad.yml:6: service "web": field "x-berth.crash_loop.window": must be a duration such as "500ms" or "1m30s" (got "soon")`},
		{"xberth-order.bad.yml", `xberth-order.bad.yml:5: service "web": field "x-berth.backoff.initial": must not exceed backoff.max (1m0s > 1s)`},
		{"xberth-range.bad.yml", `xberth-range.bad.yml:2: field "x-berth.parallelism": must be between 1 and 64 (got 100)`},
		{"xberth-list.bad.yml", `xberth-list.bad.yml:4: service "web": field "x-berth": must be a mapping (got a list)`},
		{"route-port-missing.bad.yml", `route-port-missing.bad.yml:6: service "web": field "x-berth.routes.0.port": is required: the container port traffic goes to; hint: add e.g. ` + "`port: 8080`"},
		{"route-port-range.bad.yml", `route-port-range.bad.yml:7: service "web": field "x-berth.routes.0.port": must be between 1 and 65535 (got 70000); hint: the container port traffic goes to`},
		{"route-protocol.bad.yml", `route-protocol.bad.yml:7: service "web": field "x-berth.routes.0.protocol": unknown protocol "udp"; hint: use http or tcp`},
		{"route-listen-host.bad.yml", `route-listen-host.bad.yml:7: service "web": field "x-berth.routes.1.listen": invalid listen address "app.example.com:8080": host must be an IP address or localhost; hint: use host:port`},
		{"route-listen-port.bad.yml", `route-listen-port.bad.yml:6: service "web": field "x-berth.routes.0.listen": invalid listen address "127.0.0.1:0": port must be between 1 and 65535; hint: use host:port`},
		{"route-path.bad.yml", `route-path.bad.yml:7: service "web": field "x-berth.routes.0.path": must start with / (got "api"); hint: a path prefix`},
		{"route-tcp-host.bad.yml", `route-tcp-host.bad.yml:8: service "db": field "x-berth.routes.0.host": is not allowed on a tcp route; hint: remove it, or use protocol: http`},
		{"route-tls-key.bad.yml", `route-tls-key.bad.yml:8: service "web": field "x-berth.routes.0.tls.key": is required with tls; hint: name the PEM private key file`},
		{"route-tls-missing.bad.yml", `route-tls-missing.bad.yml:10: service "web": field "x-berth.routes.0.tls.key": file not found: tls/missing-key.pem; hint: relative paths are taken from the project directory /`},
		{"route-unknown.bad.yml", `route-unknown.bad.yml:7: service "web": field "x-berth.routes.0.prefix": unknown key "prefix"; hint: valid keys: host, listen, path, port, protocol, tls`},
		{"route-conflict.bad.yml", `route-conflict.bad.yml:13: service "api": field "x-berth.routes.0": route 127.0.0.1:8080 host "APP.example.com" path "/" is already served by service "web" (x-berth.routes.0); hint: change listen, host or path`},
		{"route-tcp-conflict.bad.yml", `route-tcp-conflict.bad.yml:12: service "db": field "x-berth.routes.0": tcp route :5432 conflicts with the route 127.0.0.1:5432 host "" path "/" of service "web" (x-berth.routes.0); hint: a tcp route needs a listen address no other route uses`},
		{"lb-policy.bad.yml", `lb-policy.bad.yml:7: service "web": field "x-berth.lb.policy": unknown policy "random"; hint: use round_robin or least_conn`},
		{"lb-retries.bad.yml", `lb-retries.bad.yml:7: service "web": field "x-berth.lb.retries": must be between 0 and 10 (got 11); hint: retries go to other replicas`},
		{"lb-interval.bad.yml", `lb-interval.bad.yml:9: service "web": field "x-berth.lb.health.interval": must be a positive duration (got -1s); hint: leave it out for the default`},
		{"deploy-strategy.bad.yml", `deploy-strategy.bad.yml:6: service "web": field "x-berth.deploy.strategy": unknown strategy "big_bang"; hint: use one of: rolling, blue_green, canary, recreate`},
		{"deploy-surge.bad.yml", `deploy-surge.bad.yml:7: service "web": field "x-berth.deploy.max_surge": impossible: with max_surge 0 and max_unavailable 0 a rolling deploy could never make progress; hint: set max_surge: 1`},
		{"deploy-host-port.bad.yml", `deploy-host-port.bad.yml:8: service "web": field "x-berth.deploy.strategy": strategy rolling runs old and new replicas side by side, but host port 8081 can be bound only once; hint: route traffic through x-berth.routes instead of ports:, or use max_surge: 0 with max_unavailable: 1, or strategy recreate`},
		{"deploy-steps.bad.yml", `deploy-steps.bad.yml:10: service "web": field "x-berth.deploy.steps.1.weight": must be greater than the previous step's 50 (got 30); hint: traffic only moves toward the new version`},
		{"deploy-step-hold.bad.yml", `deploy-step-hold.bad.yml:9: service "web": field "x-berth.deploy.steps.0.hold": must be a positive duration (got 0s); hint: add e.g. ` + "`hold: 30s`"},
		{"deploy-canary-routes.bad.yml", `deploy-canary-routes.bad.yml:6: service "web": field "x-berth.deploy.strategy": strategy canary needs x-berth.routes: the load balancer shifts the traffic; hint: add a route`},
		{"deploy-error-rate.bad.yml", `deploy-error-rate.bad.yml:9: service "web": field "x-berth.deploy.analysis.max_error_rate": must be above 0 and at most 1 (got 5); hint: it is a fraction`},
		{"alerts-expr.bad.yml", `alerts-expr.bad.yml:9: field "x-berth.alerts.1.expr": alert "APIErrors": parsing expression "avg_over_time(berth_proxy_5xx_ratio{service=\"api\"}[5m] > 0.05": syntax error at column 56: expected ")", found ">"; hint: the form is fn(metric{label="value"}[window]) OP number`},
		{"alerts-for.bad.yml", `alerts-for.bad.yml:7: field "x-berth.alerts.0.for": alert "APIErrors": invalid duration "5 minutes"`},
		{"alerts-stack.bad.yml", `alerts-stack.bad.yml:6: field "x-berth.alerts.0.expr": alert "OtherStack": matches on label "stack": berth scopes a stack's rules to the stack itself; hint: remove it`},
		{"alerts-template.bad.yml", `alerts-template.bad.yml:8: field "x-berth.alerts.0.annotations.summary": alert "APIErrors": trying template: `},
		{"alerts-template.bad.yml", `can't evaluate field service in type alert.templateData (the data is $labels, $value, .Labels and .Value); hint: Compose replaces $name with an environment variable: write $$labels and $$value`},
		{"alerts-unknown.bad.yml", `alerts-unknown.bad.yml:6: field "x-berth.alerts.0.expression": unknown key "expression"; hint: valid keys: alert, annotations, expr, for, labels`},
		{"alerts-missing-expr.bad.yml", `alerts-missing-expr.bad.yml:5: field "x-berth.alerts.0.expr": is required; hint: the form is`},
		{"alerts-label.bad.yml", `alerts-label.bad.yml:7: field "x-berth.alerts.0.labels": value of "team" must be a string (got a mapping)`},
		{"alerts-name.bad.yml", `alerts-name.bad.yml:5: field "x-berth.alerts.0.alert": alert "API errors": invalid alert name "API errors"`},
		{"alerts-list.bad.yml", `alerts-list.bad.yml:4: field "x-berth.alerts": must be a list`},
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
