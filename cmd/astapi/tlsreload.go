package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"github.com/astapi/astapi/internal/safefile"
)

// tlsCheckInterval is how often serve looks at --tls-cert/--tls-key for a
// renewed pair (cert-manager, certbot and Kubernetes Secret updates
// replace the files; nobody tells the process).
const tlsCheckInterval = 2 * time.Second

// certReloader serves a certificate pair through tls.Config.GetCertificate
// and swaps in a renewed pair when the files change. A new pair that does
// not load (a half-written file, a key that does not match) is logged and
// the previous certificate stays in use; it is tried again when the files
// change again.
type certReloader struct {
	certFile, keyFile string
	log               *slog.Logger

	cur  atomic.Pointer[tls.Certificate]
	seen [2]fileStamp // of the files when last loaded or tried
}

// fileStamp is what tells that a file was replaced or rewritten: the file
// itself (a rename or symlink swap makes another one), size and mtime.
type fileStamp struct {
	fi os.FileInfo
}

func stampOf(path string) fileStamp {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}
	}
	return fileStamp{fi: fi}
}

func (a fileStamp) same(b fileStamp) bool {
	if a.fi == nil || b.fi == nil {
		return a.fi == nil && b.fi == nil
	}
	return os.SameFile(a.fi, b.fi) && a.fi.Size() == b.fi.Size() && a.fi.ModTime().Equal(b.fi.ModTime())
}

// newCertReloader loads the pair once; an error means serve cannot start.
func newCertReloader(certFile, keyFile string, log *slog.Logger) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile, log: log}
	r.seen = r.stamps()
	c, err := loadPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	r.cur.Store(c)
	log.Info("TLS certificate loaded", certAttrs(c)...)
	return r, nil
}

func (r *certReloader) stamps() [2]fileStamp {
	return [2]fileStamp{stampOf(r.certFile), stampOf(r.keyFile)}
}

// GetCertificate is for tls.Config.
func (r *certReloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return r.cur.Load(), nil
}

// check reloads the pair when either file changed since it was last
// loaded or tried. It reports whether a new certificate is served.
func (r *certReloader) check() bool {
	now := r.stamps()
	if now[0].same(r.seen[0]) && now[1].same(r.seen[1]) {
		return false
	}
	r.seen = now
	c, err := loadPair(r.certFile, r.keyFile)
	if err != nil {
		r.log.Error("TLS certificate reload failed; keeping the current certificate", "error", err)
		return false
	}
	r.cur.Store(c)
	r.log.Info("TLS certificate reloaded", certAttrs(c)...)
	return true
}

// run checks the files every interval until ctx is done.
func (r *certReloader) run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.check()
		}
	}
}

// maxPEMBytes bounds a certificate chain or key file.
const maxPEMBytes = 1 << 20

// loadPair reads a certificate and its key; a FIFO or device in their
// place fails at once instead of blocking the checker.
func loadPair(certFile, keyFile string) (*tls.Certificate, error) {
	fail := func(err error) (*tls.Certificate, error) {
		return nil, fmt.Errorf("TLS pair %s, %s: %w", certFile, keyFile, err)
	}
	certPEM, err := safefile.ReadFile(certFile, maxPEMBytes)
	if err != nil {
		return fail(err)
	}
	keyPEM, err := safefile.ReadFile(keyFile, maxPEMBytes)
	if err != nil {
		return fail(err)
	}
	c, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return fail(err)
	}
	return &c, nil
}

func certAttrs(c *tls.Certificate) []any {
	leaf := c.Leaf
	if leaf == nil && len(c.Certificate) > 0 {
		leaf, _ = x509.ParseCertificate(c.Certificate[0])
	}
	if leaf == nil {
		return nil
	}
	return []any{"subject", leaf.Subject.String(), "serial", leaf.SerialNumber.String(), "not_after", leaf.NotAfter.UTC().Format(time.RFC3339)}
}
