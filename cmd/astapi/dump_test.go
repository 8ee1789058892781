package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDumpConfMasksSecrets: `astapi dump conf` prints credentials only
// with --secrets.
func TestDumpConfMasksSecrets(t *testing.T) {
	dir := t.TempDir()
	sip := filepath.Join(dir, "sip.conf")
	body := "[general]\nregister => 5145550100:TrunkRegPw9@sip.example.net/100\n\n[201]\ntype=friend\nsecret=PeerSecret77\nmd5secret=0123456789abcdef0123456789abcdef\n"
	if err := os.WriteFile(sip, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	vm := filepath.Join(dir, "voicemail.conf")
	if err := os.WriteFile(vm, []byte("[general]\nformat=wav\n\n[default]\n201 => 8642,Alice,alice@example.com\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		var out, errOut bytes.Buffer
		if code := runDump(context.Background(), args, &out, &errOut); code != 0 {
			t.Fatalf("dump %v: %d %s", args, code, errOut.String())
		}
		return out.String()
	}
	masked := run("conf", sip) + run("conf", vm)
	for _, secret := range []string{"TrunkRegPw9", "PeerSecret77", "0123456789abcdef0123456789abcdef", "8642"} {
		if strings.Contains(masked, secret) {
			t.Errorf("dump conf prints %q without --secrets", secret)
		}
	}
	for _, kept := range []string{"5145550100:<redacted>@sip.example.net/100", "<redacted>,Alice,alice@example.com", `"format"`, "wav"} {
		if !strings.Contains(masked, kept) {
			t.Errorf("dump conf lost %q:\n%s", kept, masked)
		}
	}
	if all := run("conf", "--secrets", sip); !strings.Contains(all, "PeerSecret77") || !strings.Contains(all, "TrunkRegPw9") {
		t.Errorf("dump conf --secrets hides secrets:\n%s", all)
	}
}
