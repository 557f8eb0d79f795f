package proxy

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestApplyFixtures pushes testdata/apply/*.json on top of their existing
// stacks: *.good.json must apply, *.bad.json must be refused with the
// given code and error, leaving what was applied before untouched.
func TestApplyFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/apply/*.json")
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	certs := writeCert(t, t.TempDir(), 1, x509.NewCertPool())
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			text := strings.NewReplacer("$P1", freePort(t), "$P2", freePort(t), "$CERT", certs.Cert, "$KEY", certs.Key).Replace(string(raw))
			var fx struct {
				Existing []StackConfig
				Push     StackConfig
				Error    string
				Code     int
			}
			if err := json.Unmarshal([]byte(text), &fx); err != nil {
				t.Fatal(err)
			}
			s := newTestServer(t)
			for _, cfg := range fx.Existing {
				if err := s.Apply(cfg); err != nil {
					t.Fatalf("existing stack %s: %v", cfg.Stack, err)
				}
			}
			before := s.Stacks()
			err = s.Apply(fx.Push)
			if strings.HasSuffix(f, ".good.json") {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ae *applyError
			if !errors.As(err, &ae) || ae.code != fx.Code || !strings.Contains(err.Error(), fx.Error) {
				t.Fatalf("got %v (%T), want %d %q", err, err, fx.Code, fx.Error)
			}
			if after := s.Stacks(); !reflect.DeepEqual(before, after) {
				t.Errorf("a refused push changed the config:\n%v\n%v", before, after)
			}
		})
	}
}

func TestPortInUseKeepsOldConfig(t *testing.T) {
	s := newTestServer(t)
	b := newBackend(t, "b", nil)
	listen := freePort(t)
	old := StackConfig{Stack: "x", Routes: []Route{httpRoute(listen, b.endpoint(1))}}
	apply(t, s, old)

	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	fresh := freePort(t)
	r1, r2 := httpRoute(fresh, b.endpoint(1)), httpRoute(busy.Addr().String(), b.endpoint(1))
	r2.Service = "api"
	err = s.Apply(StackConfig{Stack: "x", Routes: []Route{r1, r2}})
	var ae *applyError
	if !errors.As(err, &ae) || ae.code != 409 || !strings.Contains(err.Error(), "cannot listen on "+busy.Addr().String()) || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("got %v", err)
	}
	// Nothing changed: the old route serves, the other new address was
	// let go.
	if code, body, _ := get(t, testClient(), "http://"+listen+"/", ""); code != 200 || body != "b" {
		t.Errorf("old route: %d %q", code, body)
	}
	if got := s.Stacks(); !reflect.DeepEqual(got, []StackConfig{old}) {
		t.Errorf("stacks after the refused push: %+v", got)
	}
	l, err := net.Listen("tcp", fresh)
	if err != nil {
		t.Errorf("%s still bound after the refused push: %v", fresh, err)
	} else {
		l.Close()
	}
}

func TestListenerClosesWhenUnused(t *testing.T) {
	s := newTestServer(t)
	b := newBackend(t, "b", nil)
	a1, a2 := freePort(t), freePort(t)
	apply(t, s, StackConfig{Stack: "x", Routes: []Route{httpRoute(a1, b.endpoint(1))}})
	y1, y2 := httpRoute(a1, b.endpoint(1)), httpRoute(a2, b.endpoint(1))
	y1.Host = "y.example"
	apply(t, s, StackConfig{Stack: "y", Routes: []Route{y1, y2}})
	if err := s.Delete("x"); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := get(t, testClient(), "http://"+a1+"/", "y.example"); code != 200 {
		t.Fatalf("a1 closed while stack y uses it: %d", code)
	}
	if err := s.Delete("y"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 3*time.Second, "both addresses free again", func() bool {
		for _, a := range []string{a1, a2} {
			l, err := net.Listen("tcp", a)
			if err != nil {
				return false
			}
			l.Close()
		}
		return true
	})
	if st := s.Stats(); len(st.Routes) != 0 {
		t.Errorf("stats after deleting everything: %+v", st)
	}
}
