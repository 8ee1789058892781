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

// TestPrescanDisagrees: the parse started from a quick look at astapi.ini
// is dropped when the real reading of [server] disagrees (here ini.v1's
// "key: value" lines, which the quick look does not see): the files of
// the directory and the limits the ini names are the ones used.
func TestPrescanDisagrees(t *testing.T) {
	t.Parallel()
	t.Run("asterisk_dir", func(t *testing.T) {
		// writePBX's [server] says asterisk_dir = asterisk; the line after
		// it, in ini.v1's other form, moves it to ../right.
		ini := writePBX(t, "asterisk_dir: right\n", map[string]string{
			"sip.conf":          "[100]\ntype=friend\nhost=dynamic\ncontext=phones\n",
			"../right/sip.conf": "[200]\ntype=friend\nhost=dynamic\ncontext=phones\n",
		})
		s, err := index.Load(ini)
		if err != nil {
			t.Fatal(err)
		}
		if peerOf(s, "200") == nil || peerOf(s, "100") != nil {
			t.Errorf("peers of the wrong directory: %s", describeExts(s))
		}
	})
	t.Run("limits", func(t *testing.T) {
		ini := writePBX(t, "max_config_files: 1\n", map[string]string{
			"sip.conf":  "#include \"more.conf\"\n",
			"more.conf": "[100]\ntype=friend\nhost=dynamic\ncontext=phones\n",
		})
		_, err := index.Load(ini)
		if err == nil || !strings.Contains(err.Error(), "file reads in one build") {
			t.Errorf("Load: %v, want the max_config_files limit of 1 applied", err)
		}
	})
}

// TestLoadFromContextInTwoFiles: an edit to a context that takes lines
// from two files cannot be spliced in: the reload reads the dialplan
// whole and answers as a load does.
func TestLoadFromContextInTwoFiles(t *testing.T) {
	t.Parallel()
	ini := writePBX(t, "", map[string]string{
		"sip.conf":        "[100]\ntype=friend\nhost=dynamic\ncontext=phones\n",
		"extensions.conf": "#include \"a.conf\"\n#include \"b.conf\"\n",
		"a.conf":          "[phones]\nexten => 100,1,Dial(SIP/100)\n",
		"b.conf":          "[phones]\nexten => 101,1,Dial(SIP/100)\n[other]\nexten => 1,1,NoOp()\n",
	})
	prev, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	b := "[phones]\nexten => 101,1,Dial(SIP/100)\nexten => 102,1,Dial(SIP/100)\n[other]\nexten => 1,1,NoOp()\n"
	if err := os.WriteFile(filepath.Join(filepath.Dir(ini), "asterisk", "b.conf"), []byte(b), 0o644); err != nil {
		t.Fatal(err)
	}
	reloadLikeLoad(t, "b.conf edited", ini, prev)
}

// TestFingerprintFileReadTwice: a file read by two configurations (here
// included from sip.conf and from extensions.conf) counts in the
// snapshot's fingerprint with its digest: changing it changes the
// fingerprint.
func TestFingerprintFileReadTwice(t *testing.T) {
	t.Parallel()
	ini := writePBX(t, "", map[string]string{
		"sip.conf":        "[100]\ntype=friend\nhost=dynamic\ncontext=phones\n#include \"common.conf\"\n",
		"extensions.conf": "[phones]\nexten => 100,1,Dial(SIP/100)\n#include \"common.conf\"\n",
		"common.conf":     "; shared\n",
	})
	first, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	appendLine(t, filepath.Join(filepath.Dir(ini), "asterisk", "common.conf"), "; changed\n")
	second, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	if first.Fingerprint == second.Fingerprint {
		t.Errorf("common.conf changed, the fingerprint did not: %s", first.Fingerprint)
	}
}

// TestLoadFromOtherINISameBytes: a reload from another astapi.ini with
// the same bytes (a relative asterisk_dir, so another directory) reads
// that one's files; an ini without [server] is refused and says why.
func TestLoadFromOtherINISameBytes(t *testing.T) {
	t.Parallel()
	a := writePBX(t, "", map[string]string{"sip.conf": "[100]\ntype=friend\nhost=dynamic\ncontext=phones\n"})
	b := writePBX(t, "", map[string]string{"sip.conf": "[200]\ntype=friend\nhost=dynamic\ncontext=phones\n"})
	first, err := index.Load(a)
	if err != nil {
		t.Fatal(err)
	}
	second, err := index.LoadFrom(b, first)
	if err != nil {
		t.Fatal(err)
	}
	if peerOf(second, "200") == nil || peerOf(second, "100") != nil {
		t.Errorf("the reload read the first ini's directory: %s", describeExts(second))
	}
	none := filepath.Join(t.TempDir(), "astapi.ini")
	if err := os.WriteFile(none, []byte("[tenant A]\ncode = A\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := index.Load(none); err == nil || !strings.Contains(err.Error(), "[server]: section missing") {
		t.Errorf("Load without [server]: %v", err)
	}
}
