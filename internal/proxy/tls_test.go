package proxy

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeCert writes a self-signed certificate for 127.0.0.1 with the given
// serial to dir/cert.pem and dir/key.pem, and adds it to pool.
func writeCert(t *testing.T, dir string, serial int64, pool *x509.CertPool) *TLS {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "berth test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool.AddCert(cert)
	kb, _ := x509.MarshalECPrivateKey(key)
	files := &TLS{Cert: filepath.Join(dir, "cert.pem"), Key: filepath.Join(dir, "key.pem")}
	// Write then rename, as certificate tools do, so a check never sees
	// half a file.
	for path, block := range map[string]*pem.Block{files.Cert: {Type: "CERTIFICATE", Bytes: der}, files.Key: {Type: "EC PRIVATE KEY", Bytes: kb}} {
		if err := os.WriteFile(path+".tmp", pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(path+".tmp", path); err != nil {
			t.Fatal(err)
		}
	}
	return files
}

func tlsTransport(pool *x509.CertPool, h2 bool) *http.Transport {
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, MaxConnsPerHost: 1, ForceAttemptHTTP2: h2}
	if !h2 {
		tr.Protocols = new(http.Protocols)
		tr.Protocols.SetHTTP1(true)
	}
	return tr
}

func protoBackend(t *testing.T) *backend {
	return newBackend(t, "b", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			echoBody(w, r)
			return
		}
		io.WriteString(w, r.Header.Get("X-Forwarded-Proto"))
	})
}

func TestTLSTerminationAndReload(t *testing.T) {
	s := newTestServer(t)
	b := protoBackend(t)
	dir, pool := t.TempDir(), x509.NewCertPool()
	files := writeCert(t, dir, 1, pool)
	listen := freePort(t)
	r := httpRoute(listen, b.endpoint(1))
	r.TLS = files
	apply(t, s, StackConfig{Stack: "x", Routes: []Route{r}})

	keep := &http.Client{Transport: tlsTransport(pool, false), Timeout: 5 * time.Second}
	serial := func(c *http.Client) (int64, bool) {
		t.Helper()
		var reused bool
		req, _ := http.NewRequest(http.MethodGet, "https://"+listen+"/", nil)
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
			GotConn: func(i httptrace.GotConnInfo) { reused = i.Reused },
		}))
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || string(body) != "https" || resp.ProtoMajor != 1 {
			t.Fatalf("got %s %d %q", resp.Proto, resp.StatusCode, body)
		}
		return resp.TLS.PeerCertificates[0].SerialNumber.Int64(), reused
	}
	if sn, _ := serial(keep); sn != 1 {
		t.Fatalf("serial %d", sn)
	}

	writeCert(t, dir, 2, pool)
	waitFor(t, 5*time.Second, "new connections to get the renewed certificate", func() bool {
		c := &http.Client{Transport: tlsTransport(pool, false)}
		defer c.CloseIdleConnections()
		sn, _ := serial(c)
		return sn == 2
	})
	// The keep-alive connection opened before the renewal still works.
	if sn, reused := serial(keep); sn != 1 || !reused {
		t.Errorf("old connection: serial %d reused %v", sn, reused)
	}
}

func TestHTTP2(t *testing.T) {
	s := newTestServer(t)
	b := protoBackend(t)
	pool := x509.NewCertPool()
	files := writeCert(t, t.TempDir(), 1, pool)
	tlsListen, plain := freePort(t), freePort(t)
	r := httpRoute(tlsListen, b.endpoint(1))
	r.TLS = files
	r2 := httpRoute(plain, b.endpoint(1))
	r2.Service = "plain"
	apply(t, s, StackConfig{Stack: "x", Routes: []Route{r, r2}})

	h2c := &http.Transport{Protocols: new(http.Protocols)}
	h2c.Protocols.SetUnencryptedHTTP2(true)
	tests := []struct {
		name, url, proto string
		tr               *http.Transport
	}{
		{"h2 over TLS", "https://" + tlsListen, "https", tlsTransport(pool, true)},
		{"h2c prior knowledge", "http://" + plain, "http", h2c},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &http.Client{Transport: tt.tr, Timeout: 5 * time.Second}
			defer c.CloseIdleConnections()
			resp, err := c.Get(tt.url + "/")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.ProtoMajor != 2 || string(body) != tt.proto || resp.Header.Get("X-Request-Id") == "" && resp.Header.Get("X-Backend") != "b" {
				t.Errorf("got %s %d %q %v", resp.Proto, resp.StatusCode, body, resp.Header)
			}
			// A body of unknown length goes to the backend chunked.
			data := strings.Repeat("h2 body ", 100000)
			resp, err = c.Post(tt.url+"/", "text/plain", io.MultiReader(strings.NewReader(data)))
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.HasPrefix(string(body), "800000 ") {
				t.Errorf("POST over HTTP/2: %q", body)
			}
			resp, err = c.Get(tt.url + "/missing-host")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		})
	}
	for _, r := range s.Stats().Routes {
		if st := r.Endpoints[0]; st.Requests[1] != 3 || st.BytesIn != 800000 {
			t.Errorf("route %s: HTTP/2 requests not counted: %+v", r.Service, st)
		}
	}
}
