package spec

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func TestStrategy(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts ServiceOptions
		want string
	}{
		{"no routes", ServiceOptions{}, StrategyRecreate},
		{"routes", ServiceOptions{Routes: []Route{{Port: 80}}}, StrategyRolling},
		{"explicit wins over routes", ServiceOptions{Routes: []Route{{Port: 80}}, Deploy: Deploy{Strategy: StrategyRecreate}}, StrategyRecreate},
		{"explicit without routes", ServiceOptions{Deploy: Deploy{Strategy: StrategyRolling}}, StrategyRolling},
	} {
		if got := tc.opts.Strategy(); got != tc.want {
			t.Errorf("%s: Strategy() = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestDeployDefaults(t *testing.T) {
	hold := Duration(30 * time.Second)
	for _, tc := range []struct {
		name string
		d    Deploy
		want []any // Surge, Unavailable, GateTimeout, KeepFor, CanarySteps, MaxErrorRate, MinRequests
	}{
		{"defaults", Deploy{}, []any{1, 0, time.Minute, 5 * time.Minute,
			[]CanaryStep{{10, hold}, {50, hold}}, 0.05, 20}},
		{"explicit zeros", Deploy{MaxSurge: ptr(0), MaxUnavailable: ptr(1), Analysis: Analysis{MinRequests: ptr(0)}},
			[]any{0, 1, time.Minute, 5 * time.Minute, []CanaryStep{{10, hold}, {50, hold}}, 0.05, 0}},
		{"explicit", Deploy{MaxSurge: ptr(3), Timeout: Duration(time.Second), Keep: Duration(time.Hour),
			Steps: []CanaryStep{{25, Duration(time.Minute)}}, Analysis: Analysis{MaxErrorRate: ptr(0.5), MinRequests: ptr(7)}},
			[]any{3, 0, time.Second, time.Hour, []CanaryStep{{25, Duration(time.Minute)}}, 0.5, 7}},
	} {
		d := tc.d
		got := []any{d.Surge(), d.Unavailable(), d.GateTimeout(), d.KeepFor(), d.CanarySteps(), d.MaxErrorRate(), d.MinRequests()}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %v\nwant %v", tc.name, got, tc.want)
		}
	}
	var d Deploy
	d.CanarySteps()[0].Weight = 99
	if d.CanarySteps()[0].Weight != 10 {
		t.Errorf("CanarySteps shares its default slice with callers")
	}
}

func TestLBResolved(t *testing.T) {
	s := func(d time.Duration) Duration { return Duration(d) }
	want := LB{Policy: PolicyRoundRobin, Retries: ptr(2),
		Health:   LBHealth{Interval: s(time.Second), Timeout: s(time.Second), Healthy: 1, Unhealthy: 2},
		Timeouts: LBTimeouts{Dial: s(2 * time.Second), Header: s(30 * time.Second), Idle: s(time.Minute)},
		Eject:    LBEject{Errors: 5, Duration: s(10 * time.Second)}, Drain: s(10 * time.Second)}
	if got := (LB{}).Resolved(); !reflect.DeepEqual(got, want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", got, want)
	}
	set := LB{Policy: PolicyLeastConn, Retries: ptr(0), Health: LBHealth{Path: "/h", Interval: s(5 * time.Second), Unhealthy: 4},
		Timeouts: LBTimeouts{Idle: s(time.Hour)}, Eject: LBEject{Errors: 1}, Drain: s(time.Second)}
	got := set.Resolved()
	want.Policy, want.Retries, want.Health.Path, want.Health.Interval, want.Health.Unhealthy = PolicyLeastConn, ptr(0), "/h", s(5*time.Second), 4
	want.Timeouts.Idle, want.Eject.Errors, want.Drain = s(time.Hour), 1, s(time.Second)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("explicit values:\n got %+v\nwant %+v", got, want)
	}
	if *got.Retries = 9; *set.Retries != 0 {
		t.Errorf("Resolved shares Retries with the original")
	}
}

func TestRouteResolved(t *testing.T) {
	for _, tc := range []struct{ in, want Route }{
		{Route{Port: 80}, Route{Port: 80, Protocol: "http", Listen: "127.0.0.1:80", Path: "/"}},
		{Route{Port: 80, Protocol: "tcp"}, Route{Port: 80, Protocol: "tcp", Listen: "127.0.0.1:80"}},
		{Route{Port: 80, Listen: ":8080", Path: "/api", Host: "a.example"},
			Route{Port: 80, Protocol: "http", Listen: ":8080", Path: "/api", Host: "a.example"}},
	} {
		if got := tc.in.Resolved(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%+v.Resolved() = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestParseListen(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want listenAddr
		err  string
	}{
		{in: "127.0.0.1:80", want: listenAddr{Host: "127.0.0.1", Port: 80}},
		{in: ":8080", want: listenAddr{Port: 8080, Any: true}},
		{in: "0.0.0.0:8080", want: listenAddr{Host: "0.0.0.0", Port: 8080, Any: true}},
		{in: "[::]:443", want: listenAddr{Host: "::", Port: 443, Any: true}},
		{in: "[0:0::1]:443", want: listenAddr{Host: "::1", Port: 443}},
		{in: "LocalHost:80", want: listenAddr{Host: "localhost", Port: 80}},
		{in: "8080", err: "must be host:port"},
		{in: "127.0.0.1:http", err: "port must be between 1 and 65535"},
		{in: "127.0.0.1:65536", err: "port must be between 1 and 65535"},
		{in: "db.internal:5432", err: "host must be an IP address or localhost"},
	} {
		got, err := parseListen(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseListen(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseListen(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestLoadTraffic(t *testing.T) {
	t.Setenv("SURGE", "3")
	st, err := loadFile(t, "testdata/traffic.good.yml")
	if err != nil {
		t.Fatal(err)
	}
	web := serviceByName(t, st, "web").Berth
	cert, _ := filepath.Abs("testdata/tls/cert.pem")
	if tls := web.Routes[0].TLS; tls == nil || tls.Cert != cert || !filepath.IsAbs(tls.Key) {
		t.Errorf("tls paths not resolved: %+v", tls)
	}
	if web.Strategy() != StrategyCanary || len(web.Deploy.CanarySteps()) != 3 || web.Deploy.MinRequests() != 0 {
		t.Errorf("web deploy = %+v", web.Deploy)
	}
	if lb := web.LB.Resolved(); lb.Policy != PolicyLeastConn || *lb.Retries != 0 || lb.Health.Unhealthy != 3 {
		t.Errorf("web lb = %+v", lb)
	}
	if db := serviceByName(t, st, "db").Berth; db.Strategy() != StrategyRolling || db.Deploy.Surge() != 0 ||
		db.Deploy.Unavailable() != 1 || db.Routes[0].Resolved().Path != "" {
		t.Errorf("db = %+v", db)
	}
	if w := serviceByName(t, st, "worker").Berth.Deploy; w.Surge() != 3 {
		t.Errorf("interpolated max_surge = %d, want 3", w.Surge())
	}
}

// TestTrafficRoundTrip: the canonical form keeps every traffic setting,
// with TLS paths absolute, and LoadCanonical neither re-resolves them nor
// looks for the files (they live where the CLI ran, not the daemon).
func TestTrafficRoundTrip(t *testing.T) {
	st, err := loadFile(t, "testdata/traffic.good.yml")
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, st) // same hashes, same Berth for every service
	data, _ := st.Canonical()
	cert, _ := filepath.Abs("testdata/tls/cert.pem")
	if !strings.Contains(string(data), cert) {
		t.Fatalf("canonical form lacks the absolute cert path %s:\n%s", cert, data)
	}
	moved := strings.ReplaceAll(string(data), cert, "/nowhere/cert.pem")
	again, err := LoadCanonical(context.Background(), st.Name, []byte(moved))
	if err != nil {
		t.Fatalf("canonical form with absent TLS files: %v", err)
	}
	if got := serviceByName(t, again, "web").Berth.Routes[0].TLS.Cert; got != "/nowhere/cert.pem" {
		t.Errorf("cert = %q", got)
	}
}

// TestTLSPathsThroughAnchor: routes taken from an anchor are resolved, and
// the anchored map itself (which compose-go may share) is left as written.
func TestTLSPathsThroughAnchor(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"c.pem", "k.pem"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(dir, "compose.yaml")
	content := "x-r: &r\n  routes: [{port: 80, listen: \":443\", tls: {cert: c.pem, key: k.pem}}]\n" +
		"services:\n  a: {image: x, x-berth: *r}\n"
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := Load(context.Background(), LoadOptions{Files: []string{file}})
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Services[0].Berth.Routes[0].TLS.Key; got != filepath.Join(dir, "k.pem") {
		t.Errorf("key = %q", got)
	}
	if data, _ := st.Canonical(); !strings.Contains(string(data), "cert: c.pem") {
		t.Errorf("the anchored x-r was rewritten:\n%s", data)
	}
	roundTrip(t, st)
}
