package index_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/parser"
)

// astapi.ini (SPEC §3): every problem fails the load naming the section.
func TestINIErrors(t *testing.T) {
	t.Parallel()
	tenants := "[tenant Acme]\ncode = Acme\n\n[tenant Globex]\ncode = Globex\n\n"
	cases := []struct {
		name    string
		ini     string // the whole file
		section string // what the error must name
		more    string // and say
	}{
		{"plaintext password", "[server]\nasterisk_dir = asterisk\n" + tenants +
			"[user bob]\npassword = hunter2\nrole = admin\n", "[user bob]", "plaintext"},
		{"malformed hash", "[server]\nasterisk_dir = asterisk\n" + tenants +
			"[user bob]\npassword = $2a$10$tooshort\nrole = admin\n", "[user bob]", "bcrypt"},
		{"missing password", "[server]\nasterisk_dir = asterisk\n" + tenants +
			"[user bob]\nrole = admin\n", "[user bob]", "password"},
		{"unknown tenant", "[server]\nasterisk_dir = asterisk\n" + tenants +
			user("carol", "role = tenant\ntenants = Acme, Initech"), "[user carol]", "Initech"},
		{"duplicate pinned tenant id", "[server]\nasterisk_dir = asterisk\n" +
			"[tenant Acme]\nid = 80\n\n[tenant Globex]\nid = 80\n", "[tenant Globex]", "80"},
		{"duplicate pinned user id", "[server]\nasterisk_dir = asterisk\n" + tenants +
			user("alice", "id = 97\nrole = admin") + user("bob", "id = 97\nrole = admin"), "[user bob]", "97"},
		{"duplicate email (case-insensitive)", "[server]\nasterisk_dir = asterisk\n" + tenants +
			user("alice", "email = it@acme.example\nrole = admin") + user("bob", "email = IT@Acme.example\nrole = admin"),
			"[user bob]", "[user alice]"},
		{"bad role", "[server]\nasterisk_dir = asterisk\n" + tenants +
			user("alice", "role = superuser"), "[user alice]", "superuser"},
		{"bad pinned id", "[server]\nasterisk_dir = asterisk\n" +
			"[tenant Acme]\nid = abc\n", "[tenant Acme]", "abc"},
		{"pinned id above 2^53-1", "[server]\nasterisk_dir = asterisk\n" +
			"[tenant Acme]\nid = 9007199254740992\n", "[tenant Acme]", "1..9007199254740991"},
		{"syntax error names its line", "[server]\nasterisk_dir = asterisk\n\n" +
			"[tenant Acme\nid = 80\n", "astapi.ini:4: ", "syntax error"},
		{"missing asterisk_dir", "[server]\nlisten = 127.0.0.1:8080\n" + tenants, "[server]", "asterisk_dir"},
		{"missing [server]", tenants, "[server]", "asterisk_dir"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, "asterisk"), 0o755); err != nil {
				t.Fatal(err)
			}
			ini := filepath.Join(dir, "astapi.ini")
			if err := os.WriteFile(ini, []byte(tc.ini), 0o644); err != nil {
				t.Fatal(err)
			}
			snap, err := index.Load(ini)
			if err == nil {
				t.Fatalf("Load succeeded (%d users)", len(snap.Users))
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.section) || !strings.Contains(msg, tc.more) {
				t.Errorf("error %q should name %s and say %q", msg, tc.section, tc.more)
			}
			if strings.Contains(msg, "hunter2") {
				t.Errorf("error %q repeats the plaintext password", msg)
			}
		})
	}
}

// TestINIValid: what a correct file gives: pins, tenant IDs of users,
// admins seeing every tenant, secrets, defaults.
func TestINIValid(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, "[tenant Acme]\nid = 80\nname = Acme Corp\ncode = Acme\n\n[tenant Globex]\n\n"+
		user("admin", "id = 97\nemail = admin@example.com\nrole = admin")+
		user("acme", "email = it@acme.example\nrole = tenant\ntenants = Acme\nsecrets = no")+
		user("auditor", "role = tenant\ntenants = Acme, Globex\nsecrets = yes"), nil)
	if s.Server.Listen != "127.0.0.1:8080" {
		t.Errorf("default listen %q", s.Server.Listen)
	}
	acme, globex := tenantByKey(t, s, "Acme"), tenantByKey(t, s, "Globex")
	if acme.ID != "80" || acme.Name != "Acme Corp" || acme.Code != "Acme" || !acme.Declared {
		t.Errorf("Acme: %+v", acme)
	}
	if globex.Name != "Globex" || globex.Code != "" {
		t.Errorf("Globex defaults: %+v", globex)
	}
	admin := s.UserByName("admin")
	if admin == nil || admin.ID != "97" || !admin.IsAdmin() || len(admin.Tenants) != 2 || admin.Secrets {
		t.Fatalf("admin: %+v", admin)
	}
	if !admin.CanSeeTenant(globex.ID) {
		t.Errorf("admin cannot see Globex")
	}
	u := s.UserByName("acme")
	if u == nil || u.Role != index.RoleTenant || u.Secrets || len(u.Tenants) != 1 || u.Tenants[0] != "80" {
		t.Fatalf("acme: %+v", u)
	}
	if u.CanSeeTenant(globex.ID) || !u.CanSeeTenant("80") {
		t.Errorf("acme CanSeeTenant wrong")
	}
	if string(u.PasswordHash) != testHash {
		t.Errorf("password hash not kept")
	}
	a := s.UserByName("auditor")
	if a == nil || !a.Secrets || len(a.Tenants) != 2 || len(s.TenantsOf(a)) != 2 {
		t.Errorf("auditor: %+v", a)
	}
	if n := len(s.TenantsOf(u)); n != 1 {
		t.Errorf("TenantsOf(acme): %d", n)
	}
}

// TestINIWarnings: odd but servable files load with a warning.
func TestINIWarnings(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, "[tenant Acme]\n\n[frobnicate]\nx = 1\n\n"+user("lonely", "role = tenant"), nil)
	if !hasDiag(s.Diags, parser.Warning, "frobnicate") {
		t.Errorf("no warning for the unknown section: %v", s.Diags)
	}
	if !hasDiag(s.Diags, parser.Warning, "lonely") {
		t.Errorf("no warning for a tenant user without tenants: %v", s.Diags)
	}
}

// TestRelativeAsteriskDir: asterisk_dir is relative to the ini's
// directory, not to the working directory.
func TestRelativeAsteriskDir(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"conf", "pbx/asterisk", "elsewhere"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("conf/astapi.ini", "[server]\nasterisk_dir = ../pbx/asterisk\n\n[tenant T]\ncode = T\n")
	write("pbx/asterisk/sip.conf", "[201-T]\ntype=friend\nhost=dynamic\n")
	t.Chdir(filepath.Join(dir, "elsewhere"))
	s, err := index.Load("../conf/astapi.ini")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.EvalSymlinks(filepath.Join(dir, "pbx", "asterisk"))
	got, _ := filepath.EvalSymlinks(s.Server.AsteriskDir)
	if got != want || !filepath.IsAbs(s.Server.AsteriskDir) {
		t.Errorf("AsteriskDir %q, want %q", s.Server.AsteriskDir, want)
	}
	if !filepath.IsAbs(s.ConfigFile) {
		t.Errorf("ConfigFile %q is not absolute", s.ConfigFile)
	}
	if mustExtOfPeer(t, s, "201-T").Number != "201" {
		t.Errorf("sip.conf not read from the resolved directory")
	}
}

// TestLoadFileErrors: unreadable files and include cycles fail the load;
// missing optional files do not.
func TestLoadFileErrors(t *testing.T) {
	t.Parallel()
	t.Run("unreadable sip.conf", func(t *testing.T) {
		t.Parallel()
		if os.Geteuid() == 0 {
			t.Skip("running as root: chmod 000 does not stop root from reading")
		}
		ini := writePBX(t, tenantT, map[string]string{"sip.conf": "[201-T]\ntype=friend\n"})
		p := filepath.Join(filepath.Dir(ini), "asterisk", "sip.conf")
		if err := os.Chmod(p, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := index.Load(ini); err == nil || !strings.Contains(err.Error(), "sip.conf") {
			t.Errorf("Load: %v, want an error naming sip.conf", err)
		}
	})
	t.Run("sip.conf is a directory", func(t *testing.T) {
		t.Parallel()
		ini := writePBX(t, tenantT, map[string]string{"sip.conf/readme": "not a file\n"})
		if _, err := index.Load(ini); err == nil || !strings.Contains(err.Error(), "sip.conf") {
			t.Errorf("Load: %v, want an error naming sip.conf", err)
		}
	})
	t.Run("include cycle", func(t *testing.T) {
		t.Parallel()
		ini := writePBX(t, tenantT, map[string]string{
			"extensions.conf": "[t-internal]\nexten => 1,1,Hangup()\n#include ext-a.conf\n",
			"ext-a.conf":      "#include ext-b.conf\n",
			"ext-b.conf":      "#include ext-a.conf\n",
		})
		_, err := index.Load(ini)
		var le *index.LoadError
		if !errors.As(err, &le) {
			t.Fatalf("Load: %v (%T), want a *LoadError", err, err)
		}
		if len(le.Diags) == 0 || le.Diags[0].Severity != parser.Error || le.Diags[0].Pos.File == "" || le.Diags[0].Pos.Line == 0 {
			t.Errorf("LoadError diagnostics without a position: %v", le.Diags)
		}
		if !strings.Contains(le.Error(), "ext-") {
			t.Errorf("error %q does not name the files", le.Error())
		}
	})
	t.Run("missing asterisk_dir directory", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		ini := filepath.Join(dir, "astapi.ini")
		if err := os.WriteFile(ini, []byte("[server]\nasterisk_dir = nope\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := index.Load(ini); err == nil || !strings.Contains(err.Error(), "nope") {
			t.Errorf("Load: %v", err)
		}
	})
	t.Run("missing astapi.ini", func(t *testing.T) {
		t.Parallel()
		if _, err := index.Load(filepath.Join(t.TempDir(), "astapi.ini")); err == nil {
			t.Errorf("Load of a missing astapi.ini succeeded")
		}
	})
	t.Run("no Asterisk file at all", func(t *testing.T) {
		t.Parallel()
		s := loadPBX(t, tenantT, nil)
		if len(s.Extensions) != 0 || len(s.Destinations) != 0 || len(s.Tenants) != 1 {
			t.Errorf("empty directory: %d extensions %d destinations %d tenants", len(s.Extensions), len(s.Destinations), len(s.Tenants))
		}
		if s.Dialplan == nil {
			t.Errorf("nil Dialplan")
		}
	})
	t.Run("only sip.conf", func(t *testing.T) {
		t.Parallel()
		s := loadPBX(t, tenantT, map[string]string{"sip.conf": "[201-T]\ntype=friend\nhost=dynamic\n"})
		if len(s.Extensions) != 1 {
			t.Errorf("%d extensions", len(s.Extensions))
		}
	})
	t.Run("missing #tryinclude", func(t *testing.T) {
		t.Parallel()
		s := loadPBX(t, tenantT, map[string]string{"sip.conf": "#tryinclude sip-custom.conf\n[201-T]\ntype=friend\nhost=dynamic\n"})
		if len(s.Extensions) != 1 {
			t.Errorf("%d extensions", len(s.Extensions))
		}
	})
}

// TestSnapshotFiles: Files lists every file read (includes too), and
// WatchDirs the directories that matter.
func TestSnapshotFiles(t *testing.T) {
	t.Parallel()
	ini := writePBX(t, tenantT, map[string]string{
		"sip.conf":           "#include peers/*.conf\n",
		"peers/201.conf":     "[201-T]\ntype=friend\nhost=dynamic\n",
		"extensions.conf":    "[t-internal]\nexten => 201,1,Dial(SIP/201-T)\n",
		"unrelated/foo.conf": "[x]\n",
	})
	s, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Dir(ini)
	want := []string{"astapi.ini", "asterisk/extensions.conf", "asterisk/peers/201.conf", "asterisk/sip.conf"}
	var got []string
	for _, f := range s.Files {
		if !filepath.IsAbs(f) {
			t.Errorf("file %q not absolute", f)
		}
		rel, _ := filepath.Rel(root, f)
		got = append(got, filepath.ToSlash(rel))
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Files %v, want %v", got, want)
	}
	hasPeers := false
	for _, d := range s.WatchDirs {
		if d == filepath.Join(root, "asterisk", "peers") {
			hasPeers = true
		}
	}
	if !hasPeers {
		t.Errorf("WatchDirs %v lacks the include directory", s.WatchDirs)
	}
	if len(s.Fingerprint) == 0 {
		t.Errorf("no fingerprint")
	}
	s2, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	if s2.Fingerprint != s.Fingerprint {
		t.Errorf("fingerprint changed between two loads of the same files")
	}
	if err := os.WriteFile(filepath.Join(root, "asterisk", "peers", "201.conf"), []byte("[201-T]\ntype=friend\nhost=dynamic\nsecret=x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s3, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	if s3.Fingerprint == s.Fingerprint {
		t.Errorf("fingerprint did not change with an included file")
	}
}
