package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writePair writes a self-signed certificate for 127.0.0.1 with serial
// and its key as PEM files, each replaced atomically (temp file + rename,
// as cert-manager and certbot do).
func writePair(t *testing.T, certFile, keyFile string, serial int64) {
	t.Helper()
	certPEM, keyPEM := makePair(t, serial)
	replaceFile(t, certFile, certPEM)
	replaceFile(t, keyFile, keyPEM)
}

func makePair(t *testing.T, serial int64) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: "astapi test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

func replaceFile(t *testing.T, path string, b []byte) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// servedSerial is the serial of the certificate a new TLS connection gets.
func servedSerial(t *testing.T, addr string) int64 {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatalf("tls dial: %v", err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
}

// TestTLSReload: a renewed pair is served within the check interval
// without a restart; a bad new pair (a key that does not match, a
// half-written file) keeps the current certificate and logs why; fixing
// the files afterwards is picked up.
func TestTLSReload(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	writePair(t, certFile, keyFile, 1001)
	s := startServe(t, "--config", copyFixtures(t), "--tls-cert", certFile, "--tls-key", keyFile, "--tls-check-interval", "100ms")
	if got := servedSerial(t, s.addr); got != 1001 {
		t.Fatalf("serial %d, want 1001", got)
	}
	if a := s.do(call{method: "GET", path: "/user/login", user: "admin"}); a.code != 200 {
		t.Fatalf("over TLS: %d %s", a.code, a.body)
	}
	serialSoon := func(want int64) bool {
		return waitFor(3*time.Second, func() bool { return servedSerial(t, s.addr) == want })
	}

	writePair(t, certFile, keyFile, 1002)
	if !serialSoon(1002) {
		t.Fatalf("renewed certificate not served:\n%s", s.log)
	}

	// A certificate whose key is not the one on disk. (writePair above
	// may itself have logged a failure between its two renames: only a new
	// line about a mismatch counts.)
	const mismatch = "private key does not match public key"
	before := strings.Count(s.log.String(), mismatch)
	cert3, _ := makePair(t, 1003)
	replaceFile(t, certFile, cert3)
	if !waitFor(3*time.Second, func() bool { return strings.Count(s.log.String(), mismatch) > before }) {
		t.Fatalf("mismatched pair not logged:\n%s", s.log)
	}
	// A truncated key file.
	certPEM, keyPEM := makePair(t, 1004)
	replaceFile(t, certFile, certPEM)
	replaceFile(t, keyFile, keyPEM[:len(keyPEM)/2])
	time.Sleep(300 * time.Millisecond) // three checks
	if got := servedSerial(t, s.addr); got != 1002 {
		t.Fatalf("after bad pairs: serial %d, want the last good 1002", got)
	}
	if a := s.do(call{method: "GET", path: "/user/login", user: "admin"}); a.code != 200 {
		t.Fatalf("after bad pairs: %d %s", a.code, a.body)
	}
	replaceFile(t, keyFile, keyPEM)
	if !serialSoon(1004) {
		t.Fatalf("fixed pair not served:\n%s", s.log)
	}
}

// TestTLSBadPairAtStart: serve refuses to start on a pair that does not
// load.
func TestTLSBadPairAtStart(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	cert, _ := makePair(t, 1)
	_, key := makePair(t, 2)
	replaceFile(t, certFile, cert)
	replaceFile(t, keyFile, key)
	var stderr strings.Builder
	code := runServe(t.Context(), []string{"--config", copyFixtures(t), "--listen", "127.0.0.1:0",
		"--tls-cert", certFile, "--tls-key", keyFile}, &stderr, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "private key does not match") {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
}

// TestCleartextWarning: Basic Auth served without TLS on an address other
// hosts can reach is logged as a warning; loopback and TLS are not.
func TestCleartextWarning(t *testing.T) {
	ini := copyFixtures(t)
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	writePair(t, certFile, keyFile, 1)
	for _, tc := range []struct {
		args []string
		warn bool
	}{
		{[]string{"--listen", "0.0.0.0:0"}, true},
		{[]string{"--listen", ":0"}, true},
		{[]string{"--listen", "127.0.0.1:0"}, false},
		{[]string{"--listen", "localhost:0"}, false},
		{[]string{"--listen", "0.0.0.0:0", "--tls-cert", certFile, "--tls-key", keyFile}, false},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			s := startServe(t, append([]string{"--config", ini}, tc.args...)...)
			logged := strings.Contains(s.log.String(), "level=WARN msg=\""+warnCleartext+"\"")
			if logged != tc.warn {
				t.Errorf("warning logged: %v, want %v:\n%s", logged, tc.warn, s.log)
			}
		})
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "127.1.2.3:80": true, "[::1]:8080": true, "localhost:8080": true,
		"0.0.0.0:8080": false, ":8080": false, "[::]:8080": false, "10.0.0.1:8080": false,
		"example.com:80": false, "127.0.0.1": false,
	} {
		if got := isLoopback(addr); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}
