package index_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/astapi/astapi/index"
)

// fuzzAsterisk is the tiny Asterisk directory FuzzLoadINI serves: one
// peer and one dialplan line, so that a valid astapi.ini builds a real
// snapshot.
var fuzzAsterisk = map[string]string{
	"sip.conf":        "[general]\n\n[201-Acme]\ntype=friend\nhost=dynamic\nsecret=fuzz-secret-201\ncontext=acme-internal\n",
	"extensions.conf": "[acme-internal]\nexten => 201,1,Dial(SIP/201-Acme,20)\n",
}

// fuzzSectionOrPos is how a load error points at a section ("[user
// bob]", "[top]"), a setting only [server] has, or a file:line position.
var fuzzSectionOrPos = regexp.MustCompile(`\[[^\]]*\]|\basterisk_dir\b|\binclude_roots\b|:[1-9]\d*: `)

// namesWhere reports whether a load error says where the problem is: a
// section, a setting only [server] has, or a file:line position (syntax
// errors of gopkg.in/ini.v1 get their line from index/ini.go).
func namesWhere(msg string) bool { return fuzzSectionOrPos.MatchString(msg) }

// FuzzLoadINI: whatever astapi.ini holds, index.Load never panics; it
// either builds a snapshot or fails with an error that says where.
func FuzzLoadINI(f *testing.F) {
	if b, err := os.ReadFile(fixturesINI); err == nil {
		f.Add(string(b))
	}
	const srv = "[server]\nasterisk_dir = asterisk\n"
	for _, s := range []string{
		srv,
		srv + "[tenant Acme]\nid = 80\ncode = Acme\ncontexts = acme-*\n" + user("admin", "role = admin"),
		srv + "[user bob]\npassword = hunter2\nrole = admin\n",
		srv + "[user bob]\npassword = $2a$10$tooshort\n",
		srv + "[tenant Acme]\nid = 80\n[tenant Globex]\nid = 80\n",
		srv + "[tenant Acme]\ncontexts = [a-\n",
		srv + "[tenant Acme]\nid = 99999999999999999999999999999999999999\n",
		"listen = 1\n" + srv,
		"[server]\nlisten = 127.0.0.1:0\n",
		"[server\nasterisk_dir = asterisk\n",
		srv + "[user]\n[tenant]\n[tenant  ]\n[user \xff]\n",
		srv + "key without value\n",
		srv + "[tenant A]\nname = \"\"\"\nmulti\nline\"\"\"\n",
		srv + "[tenant A] ; comment\ncode = A ; c\n\r\n[user x]\r\npassword = `x`\r\n",
		srv + "include_roots = /, ., ..\n",
		"\xef\xbb\xbf" + srv,
		"\x00\x00",
		"",
	} {
		f.Add(s)
	}
	dir := f.TempDir()
	ast := filepath.Join(dir, "asterisk")
	if err := os.Mkdir(ast, 0o755); err != nil {
		f.Fatal(err)
	}
	for name, body := range fuzzAsterisk {
		if err := os.WriteFile(filepath.Join(ast, name), []byte(body), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	ini := filepath.Join(dir, "astapi.ini")
	f.Fuzz(func(t *testing.T, body string) {
		if err := os.WriteFile(ini, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		snap, err := index.Load(ini)
		if err != nil {
			msg := err.Error()
			if !namesWhere(msg) {
				t.Fatalf("error names no section or line: %q", msg)
			}
			if strings.Contains(msg, "fuzz-secret-201") {
				t.Fatalf("error leaks a SIP secret: %q", msg)
			}
			return
		}
		if snap == nil {
			t.Fatal("no error and no snapshot")
		}
		for _, u := range snap.Users {
			if len(u.PasswordHash) == 0 || u.Role != index.RoleAdmin && u.Role != index.RoleTenant {
				t.Fatalf("served user %q with role %q and %d-byte hash", u.Name, u.Role, len(u.PasswordHash))
			}
		}
	})
}
