package parser

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDiagnosticsQuoteNoLine: a diagnostic names a position and what is
// wrong, never the text of the line, which may hold a credential in a
// form no masking recognises.
func TestDiagnosticsQuoteNoLine(t *testing.T) {
	conf := strings.Join([]string{
		"secret=S3cr3tTop",
		"[general]",
		"secret\tS3cr3tTab",
		"secret:S3cr3tColon",
		"register user:S3cr3tReg@host",
		"auth user:S3cr3tAuth@realm",
		"#exec /usr/bin/fetch --password S3cr3tExec",
		"[ctx]",
		"exten => 1,Authenticate(S3cr3tPin)",
		"exten => 2,1,DISA(S3cr3tDisa",
		"exten => 3,n(S3cr3tLabel,1,NoOp()",
		"switch => IAX2/user:S3cr3tSw@host/ctx",
		"switch => IAX2/user:S3cr3tSw@host/ctx",
	}, "\n") + "\n"
	cfg := Parse("/etc/asterisk/extensions.conf", []byte(conf), Options{})
	dp := BuildDialplan(cfg)
	all := append(append(Diagnostics{}, cfg.Diags...), dp.Diags...)
	if len(all) < 8 {
		t.Fatalf("expected a diagnostic per bad line, got %v", all)
	}
	for _, d := range all {
		if strings.Contains(d.Message, "S3cr3t") {
			t.Errorf("%s quotes its line", d)
		}
	}
}

// TestIncludeErrorsNameNoHostPath: a refused include says why without
// naming where files live on the host.
func TestIncludeErrorsNameNoHostPath(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "x.conf"), []byte("[a]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	main := filepath.Join(dir, "sip.conf")
	body := "[general]\n#include \"" + filepath.Join(outside, "x.conf") + "\"\n"
	if err := os.WriteFile(main, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseFile(main, Options{AllowedRoots: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.ReadErrors) != 1 {
		t.Fatalf("read errors %v", cfg.ReadErrors)
	}
	if m := cfg.ReadErrors[0].Message; strings.Contains(m, dir) || strings.Contains(strings.TrimPrefix(m, "#include "+filepath.Join(outside, "x.conf")), outside) {
		t.Errorf("message names host directories: %s", m)
	}
}
