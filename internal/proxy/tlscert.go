package proxy

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// certCheckEvery is how often the files of a certificate in use are
// checked for changes.
const certCheckEvery = time.Second

// certPair is a certificate and key loaded from files and reloaded when
// they change, checked from the handshake path at most once a second, so
// renewals need no push and drop no connection.
type certPair struct {
	certFile, keyFile string
	log               *slog.Logger
	cur               atomic.Pointer[tls.Certificate]
	checked           atomic.Int64 // unix nanoseconds of the last check
	mu                sync.Mutex   // one reload at a time
	stamp             string       // the files' mtimes and sizes at the last load
}

func loadCertPair(certFile, keyFile string, log *slog.Logger) (*certPair, error) {
	p := &certPair{certFile: certFile, keyFile: keyFile, log: log.With("cert", certFile)}
	stamp, err := p.fileStamp()
	if err != nil {
		return nil, err
	}
	if err := p.load(stamp); err != nil {
		return nil, err
	}
	p.checked.Store(time.Now().UnixNano())
	return p, nil
}

func (p *certPair) fileStamp() (string, error) {
	c, err := os.Stat(p.certFile)
	if err != nil {
		return "", fmt.Errorf("reading TLS certificate: %w", err)
	}
	k, err := os.Stat(p.keyFile)
	if err != nil {
		return "", fmt.Errorf("reading TLS key: %w", err)
	}
	return fmt.Sprint(c.ModTime().UnixNano(), c.Size(), k.ModTime().UnixNano(), k.Size()), nil
}

func (p *certPair) load(stamp string) error {
	cert, err := tls.LoadX509KeyPair(p.certFile, p.keyFile)
	if err != nil {
		return fmt.Errorf("loading TLS certificate %s and key %s: %w", p.certFile, p.keyFile, err)
	}
	p.cur.Store(&cert)
	p.stamp = stamp
	return nil
}

// get returns the current certificate, reloading it first if the files
// changed since the last check.
func (p *certPair) get(now int64) *tls.Certificate {
	last := p.checked.Load()
	if now-last >= int64(certCheckEvery) && p.checked.CompareAndSwap(last, now) {
		p.maybeReload()
	}
	return p.cur.Load()
}

func (p *certPair) maybeReload() {
	p.mu.Lock()
	defer p.mu.Unlock()
	stamp, err := p.fileStamp()
	if err != nil || stamp == p.stamp {
		return
	}
	// A renewal writes two files; a half-written pair fails to load and
	// is tried again at the next check while the old one keeps serving.
	if err := p.load(stamp); err != nil {
		p.log.Warn("keeping the previous TLS certificate", "err", err)
		return
	}
	p.log.Info("TLS certificate reloaded")
}

// certSet is the certificates of one TLS listener; the one matching the
// client's SNI is served, the first otherwise.
type certSet []*certPair

func (s certSet) getCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	now := time.Now().UnixNano()
	var first *tls.Certificate
	for _, p := range s {
		c := p.get(now)
		if first == nil {
			first = c
		}
		if len(s) > 1 && hello.SupportsCertificate(c) == nil {
			return c, nil
		}
	}
	return first, nil
}

func (s certSet) config() *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		NextProtos:     []string{"h2", "http/1.1"},
		GetCertificate: s.getCertificate,
	}
}
