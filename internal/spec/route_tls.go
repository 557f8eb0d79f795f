package spec

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strconv"

	"github.com/compose-spec/compose-go/v2/types"
)

// resolveRouteTLS makes the routes' TLS files absolute, relative to the
// project directory like compose-go's own paths, and checks they exist, so
// a typo fails `berth up` on the machine that has the files rather than
// the load balancer later. It writes the absolute paths back into the
// service's raw `x-berth` too: that is what the canonical form stores, and
// the daemon, which loads it elsewhere, must not resolve them again.
func resolveRouteTLS(cfg *types.ServiceConfig, routes []Route, workDir string) *LoadError {
	changed := false
	for i := range routes {
		tls := routes[i].TLS
		if tls == nil {
			continue
		}
		for _, f := range []struct {
			name string
			path *string
		}{{"cert", &tls.Cert}, {"key", &tls.Key}} {
			abs, err := tlsFile(*f.path, workDir)
			if err != nil {
				err.Field = fmt.Sprintf("x-berth.routes.%d.tls.%s", i, f.name)
				err.at = []string{"services", cfg.Name, extensionKey, "routes", strconv.Itoa(i), "tls", f.name}
				return err
			}
			*f.path = abs
		}
		changed = true
	}
	if changed {
		cfg.Extensions = withTLSPaths(cfg.Extensions, routes)
	}
	return nil
}

// tlsFile resolves one file against workDir and checks it is a file.
func tlsFile(path, workDir string) (string, *LoadError) {
	abs := path
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(workDir, path)
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", &LoadError{Msg: "file not found: " + path, Err: err,
			Hint: "relative paths are taken from the project directory " + workDir}
	case err != nil:
		return "", &LoadError{Msg: err.Error(), Err: err}
	case fi.IsDir():
		return "", &LoadError{Msg: path + " is a directory", Hint: "name the PEM file itself"}
	}
	return abs, nil
}

// withTLSPaths returns ext with each route's tls cert and key replaced by
// the resolved ones. It copies every map it changes: compose-go may share
// one map between services (a YAML anchor).
func withTLSPaths(ext types.Extensions, routes []Route) types.Extensions {
	xb, _ := ext[extensionKey].(map[string]any)
	raw, _ := xb["routes"].([]any)
	if len(raw) != len(routes) {
		return ext // cannot happen: routes were decoded from raw
	}
	out := make([]any, len(raw))
	for i, r := range raw {
		out[i] = r
		m, ok := r.(map[string]any)
		tls, _ := m["tls"].(map[string]any)
		if !ok || tls == nil || routes[i].TLS == nil {
			continue
		}
		tls = maps.Clone(tls)
		tls["cert"], tls["key"] = routes[i].TLS.Cert, routes[i].TLS.Key
		m = maps.Clone(m)
		m["tls"] = tls
		out[i] = m
	}
	xb = maps.Clone(xb)
	xb["routes"] = out
	ext = maps.Clone(ext)
	ext[extensionKey] = xb
	return ext
}
