package index_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
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
var fuzzSectionOrPos = regexp.MustCompile(`\[[^\]]*\]|\basterisk_dir\b|\binclude_roots\b|:\d+`)

// iniSyntaxUnplaced are gopkg.in/ini.v1 syntax errors that quote neither a
// line number nor the line: "[]" is the only line that makes the first.
// (index/ini.go passes ini.v1's errors on as they are.)
var iniSyntaxUnplaced = []string{": empty section name"}

// namesWhere reports whether a load error says where the problem is: a
// section, a file:line, or (gopkg.in/ini.v1's syntax errors, which have no
// line number) the offending line's text quoted after the last ": ".
func namesWhere(msg, body string) bool {
	if fuzzSectionOrPos.MatchString(msg) {
		return true
	}
	for _, e := range iniSyntaxUnplaced {
		if strings.HasSuffix(msg, e) {
			return true
		}
	}
	i := strings.LastIndex(msg, ": ")
	if i < 0 {
		return false
	}
	quoted := strings.TrimSpace(msg[i+2:])
	if quoted != "" && strings.Contains(body, quoted) {
		return true
	}
	u, err := strconv.Unquote(quoted) // ini.v1's %q forms
	return err == nil && u != "" && strings.Contains(body, u)
}

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
			if !namesWhere(msg, body) {
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
