package index_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/parser"
)

// TestDialplanDiagnosticsServed: what the dialplan's loading finds wrong
// (a same => with no exten => before it, an unknown keyword) is among the
// snapshot's diagnostics, with its position.
func TestDialplanDiagnosticsServed(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, "", map[string]string{
		"sip.conf":        "[100]\ntype=friend\nhost=dynamic\ncontext=phones\n",
		"extensions.conf": "[phones]\nsame => n,Hangup()\nexten => 100,1,Dial(SIP/100)\nbogus => 1\n",
	})
	if !hasDiagAt(s, parser.Warning, "extensions.conf", "without an earlier exten") {
		t.Errorf("no warning for the same => line: %v", s.Diags)
	}
	if !hasDiagAt(s, parser.Warning, "extensions.conf", `unknown dialplan keyword "bogus"`) {
		t.Errorf("no warning for the unknown keyword: %v", s.Diags)
	}
}

// TestAsteriskDirNotADirectory: asterisk_dir naming a file fails the load
// and says why.
func TestAsteriskDirNotADirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "asterisk"), []byte("[general]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ini := filepath.Join(dir, "astapi.ini")
	if err := os.WriteFile(ini, []byte("[server]\nasterisk_dir = asterisk\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := index.Load(ini)
	if err == nil || !strings.Contains(err.Error(), "asterisk_dir") || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("Load: %v, want asterisk_dir ... not a directory", err)
	}
}
