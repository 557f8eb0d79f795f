package proxy

import (
	"net/http"
	"testing"
)

func TestHostAndPathRouting(t *testing.T) {
	s := newTestServer(t)
	listen, only := freePort(t), freePort(t)
	names := []string{"any", "api", "apiv2", "exact", "wild", "wildapi", "only"}
	bs := map[string]*backend{}
	for _, n := range names {
		bs[n] = newBackend(t, n, nil)
	}
	r := func(svc, host, path string) Route {
		rt := httpRoute(listen, bs[svc].endpoint(1))
		rt.Service, rt.Host, rt.Path = svc, host, path
		return rt
	}
	onlyRoute := r("only", "only.example", "/")
	onlyRoute.Listen = only
	apply(t, s, StackConfig{Stack: "x", Routes: []Route{
		r("any", "", ""), r("api", "", "/api"), r("apiv2", "", "/api/v2/"),
		r("exact", "example.com", "/"), r("wild", "*.example.com", "/"), r("wildapi", "*.Example.com", "/api"),
		onlyRoute,
	}})
	tests := []struct {
		listen, host, path string
		want               string // backend name, or "" for 404
	}{
		{listen, "", "/", "any"},
		{listen, "other.org", "/api", "api"},
		{listen, "other.org", "/api/users", "api"},
		{listen, "other.org", "/apix", "any"},
		{listen, "other.org", "/api/v2", "api"}, // "/api/v2/" needs the slash
		{listen, "other.org", "/api/v2/users?x=/", "apiv2"},
		{listen, "EXAMPLE.com:8080", "/api", "exact"},
		{listen, "example.com.", "/", "exact"},
		{listen, "a.example.com", "/", "wild"},
		{listen, "a.b.example.com", "/api/x", "wildapi"},
		{listen, "a.example.com", "/apix", "wild"},
		{only, "only.example", "/anything", "only"},
		{only, "other.example", "/", ""},
	}
	c := testClient()
	for _, tt := range tests {
		code, body, _ := get(t, c, "http://"+tt.listen+tt.path, tt.host)
		switch {
		case tt.want == "" && code != http.StatusNotFound:
			t.Errorf("%s%s: got %d %q, want 404", tt.host, tt.path, code, body)
		case tt.want != "" && (code != 200 || body != tt.want):
			t.Errorf("%s%s: got %d %q, want %s", tt.host, tt.path, code, body, tt.want)
		}
	}
}

func TestPrefixAndHost(t *testing.T) {
	tests := []struct {
		path, prefix string
		want         bool
	}{
		{"/", "/", true}, {"/a", "/a", true}, {"/a/b", "/a", true}, {"/ab", "/a", false},
		{"/a/", "/a/", true}, {"/a/b", "/a/", true}, {"/a", "/a/", false}, {"/", "/a", false},
	}
	for _, tt := range tests {
		if got := prefixMatch([]byte(tt.path), tt.prefix); got != tt.want {
			t.Errorf("prefixMatch(%q, %q) = %v", tt.path, tt.prefix, got)
		}
	}
	hosts := map[string]string{"A.com:80": "a.com", "[::1]:8080": "[::1]", "a.com.": "a.com", "x": "x", "": ""}
	for in, want := range hosts {
		if got := string(normHost([]byte(in), make([]byte, 0, 256))); got != want {
			t.Errorf("normHost(%q) = %q, want %q", in, got, want)
		}
	}
}
