package main

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestTLSPairFIFO: a FIFO at --tls-cert fails the check at once instead
// of blocking the certificate checker for good.
func TestTLSPairFIFO(t *testing.T) {
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	if err := syscall.Mkfifo(cert, 0o600); err != nil {
		t.Skip("no mkfifo:", err)
	}
	done := make(chan error, 1)
	go func() { _, err := loadPair(cert, key); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("FIFO certificate: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("loading a FIFO certificate blocked")
	}
}
