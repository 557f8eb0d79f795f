package daemon

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/api"
)

func TestTCPWithoutTLSIsRefused(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Socket: filepath.Join(dir, "s.sock"), DataDir: dir, TCP: "127.0.0.1:0"}
	err := Run(t.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), "TLS") {
		t.Fatalf("Run with --tcp and no TLS = %v; want a refusal naming TLS", err)
	}
}

func TestSocketModeAndTCPToken(t *testing.T) {
	dir := t.TempDir()
	cert, key, ca := selfSigned(t, dir)
	token := "0123456789abcdef0123"
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte(token+"\n"), 0o600)
	ready := make(chan net.Addr, 1)
	cfg := Config{
		Socket: filepath.Join(dir, "run", "berth.sock"), DataDir: filepath.Join(dir, "data"),
		TCP: "127.0.0.1:0", TLSCert: cert, TLSKey: key, TokenFile: tokenFile,
		Version: "test", Ready: func(a net.Addr) { ready <- a },
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	var addr net.Addr
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("daemon stopped: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("daemon not ready within 20s")
	}

	fi, err := os.Stat(cfg.Socket)
	if err != nil || fi.Mode().Perm() != 0o660 {
		t.Fatalf("socket mode = %v, %v; want 0660", fi.Mode().Perm(), err)
	}
	unix, _ := api.NewClient(api.ClientOptions{Host: "unix://" + cfg.Socket})
	if v, err := unix.Version(ctx); err != nil || v.Version != "test" {
		t.Fatalf("version over the socket = %+v, %v", v, err)
	}

	host := "https://" + addr.String()
	noToken, _ := api.NewClient(api.ClientOptions{Host: host, CAFile: ca})
	var se *api.StatusError
	if _, err := noToken.Version(ctx); !errors.As(err, &se) || se.Code != 401 {
		t.Errorf("TCP without a token = %v; want 401", err)
	}
	wrong, _ := api.NewClient(api.ClientOptions{Host: host, CAFile: ca, Token: "wrong-token-wrong-token"})
	if _, err := wrong.Version(ctx); !errors.As(err, &se) || se.Code != 401 {
		t.Errorf("TCP with a wrong token = %v; want 401", err)
	}
	good, _ := api.NewClient(api.ClientOptions{Host: host, CAFile: ca, Token: token})
	if v, err := good.Version(ctx); err != nil || v.Version != "test" {
		t.Errorf("TCP with the token = %+v, %v", v, err)
	}
	if _, err := api.NewClient(api.ClientOptions{Host: "http://" + addr.String()}); err == nil {
		t.Error("the client accepted plain http")
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run returned %v on shutdown", err)
	}
	if _, err := os.Stat(cfg.Socket); !os.IsNotExist(err) {
		t.Errorf("socket left behind after shutdown: %v", err)
	}
}

// selfSigned writes a certificate for 127.0.0.1 that is its own CA.
func selfSigned(t *testing.T, dir string) (cert, key, ca string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "berth-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(priv)
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	return cert, key, cert
}
