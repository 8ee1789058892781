package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"gopkg.in/ini.v1"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/internal/golden"
	"github.com/astapi/astapi/internal/testcorpus"
)

var updateInit = flag.Bool("update-init", false, "rewrite cmd/astapi/testdata/init-*.golden")

// initResult is one `astapi init` run.
type initResult struct {
	code           int
	stdout, stderr string
	admin, pass    string // from the printed curl line
	url            string
}

var curlRE = regexp.MustCompile(`curl -u ([^:\s]+):(\S+) (http://\S+)/user/login`)

// runCmd runs `astapi args...` as main would.
func runCmd(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// runInitCmd runs `astapi init` with a cheap bcrypt cost.
func runInitCmd(t *testing.T, args ...string) initResult {
	t.Helper()
	r := initResult{}
	r.code, r.stdout, r.stderr = runCmd(append([]string{"init", "--cost", "4"}, args...)...)
	if m := curlRE.FindStringSubmatch(r.stdout); m != nil {
		r.admin, r.pass, r.url = m[1], m[2], m[3]
	}
	return r
}

// checkInit runs init on dir and checks everything the issue asks of
// the file: mode 0600, no clear password in it or in any log, validate
// accepts it, it gives the tenants discovery gives, and serve answers
// with it to the printed password.
func checkInit(t *testing.T, dir string, extra ...string) (out string, r initResult) {
	t.Helper()
	out = filepath.Join(t.TempDir(), "astapi.ini")
	r = runInitCmd(t, append([]string{"--asterisk-dir", dir, "--out", out}, extra...)...)
	if r.code != 0 || r.pass == "" {
		t.Fatalf("init: exit %d, password %q\nstdout:\n%s\nstderr:\n%s", r.code, r.pass, r.stdout, r.stderr)
	}
	if len(r.pass) < 20 {
		t.Errorf("password %q: shorter than 20 characters", r.pass)
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	text, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(text, []byte(r.pass)) {
		t.Errorf("the password is in the file")
	}
	if strings.Contains(r.stderr, r.pass) {
		t.Errorf("the password is on stderr: %s", r.stderr)
	}
	if strings.Count(r.stdout, r.pass) != 2 { // the password line and the curl line
		t.Errorf("the password is printed %d times, want 2:\n%s", strings.Count(r.stdout, r.pass), r.stdout)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*")); len(leftovers) > 0 {
		t.Errorf("temp files left: %v", leftovers)
	}
	if code, _, stderr := runCmd("validate", "--config", out); code != 0 {
		t.Errorf("validate: exit %d: %s", code, stderr)
	} else if strings.Contains(stderr, r.pass) {
		t.Errorf("validate printed the password")
	}
	got, err := index.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	// Discovery with the [server] section init wrote (its include_roots).
	f, err := ini.LoadSources(ini.LoadOptions{SpaceBeforeInlineComment: true}, text)
	if err != nil {
		t.Fatal(err)
	}
	var server strings.Builder
	for _, k := range f.Section("server").Keys() {
		if k.Name() != "asterisk_dir" {
			fmt.Fprintf(&server, "%s = %s\n", k.Name(), k.String())
		}
	}
	for i := 0; i+1 < len(extra); i++ { // and the discovery asked for
		switch extra[i] {
		case "--tenants":
			fmt.Fprintf(&server, "discover = %s\n", extra[i+1])
		case "--name":
			fmt.Fprintf(&server, "name = %s\n", extra[i+1])
		}
	}
	if w, g := tenantView(t, discoverDir(t, dir, server.String())), tenantView(t, got); w != g {
		t.Errorf("the written file gives other tenants than discovery:\n%s", golden.FirstDiff([]byte(w), []byte(g)))
	}
	if len(got.Users) != 1 || !got.Users[0].IsAdmin() || got.Users[0].Secrets {
		t.Errorf("users: %+v, want one admin without secrets", got.Users)
	}

	s := startServe(t, "--config", out)
	login := func(user, pass string) answer {
		t.Helper()
		a, err := s.try(call{method: "GET", path: "/user/login"}, func(r *http.Request) { r.SetBasicAuth(user, pass) })
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	if a := login(r.admin, r.pass); a.code != http.StatusOK || !strings.Contains(a.body, `"user_id"`) {
		t.Errorf("login with the printed password: %d %s", a.code, a.body)
	}
	if a := login(r.admin, r.pass+"x"); a.code != http.StatusUnauthorized {
		t.Errorf("login with a wrong password: %d", a.code)
	}
	if strings.Contains(s.log.String(), r.pass) {
		t.Errorf("the password is in the serve log")
	}
	return out, r
}

// discoverDir loads dir with no [tenant] section (discovery); server
// holds more lines of [server].
func discoverDir(t *testing.T, dir, server string) *index.Snapshot {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "discover.ini")
	body := "[server]\nasterisk_dir = " + abs + "\n" + server
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := index.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tenantView is what a client sees of the tenants: their identity and
// every phone, trunk and destination with its tenant.
func tenantView(t *testing.T, s *index.Snapshot) string {
	t.Helper()
	type tenant struct{ ID, Name, Code, Contexts string }
	type ext struct{ ID, Tenant, Number, Name, Peers string }
	type trunk struct{ Name, Tenant string }
	type dest struct{ ID, Tenant, Src, Dst, Types string }
	var v struct {
		Tenants []tenant
		Exts    []ext
		Trunks  []trunk
		Dests   []dest
	}
	for _, x := range s.Tenants {
		v.Tenants = append(v.Tenants, tenant{x.ID, x.Name, x.Code, strings.Join(x.Contexts, " ")})
	}
	for _, e := range s.Extensions {
		var peers []string
		for _, p := range e.Peers {
			peers = append(peers, p.Name)
		}
		v.Exts = append(v.Exts, ext{e.ID, e.TenantID, e.Number, e.Name, strings.Join(peers, " ")})
	}
	for _, p := range s.Trunks {
		if p.TenantID != "" { // discovery lists them for admins; declared tenants leave them out
			v.Trunks = append(v.Trunks, trunk{p.Name, p.TenantID})
		}
	}
	for _, d := range s.Destinations {
		v.Dests = append(v.Dests, dest{d.ID, d.TenantID, d.Src, d.Dst, d.TypeSrc + ">" + d.TypeDst})
	}
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestInitDemo: init on both demo PBXs, the file and the summary
// compared with testdata/init-<demo>.golden (what changes between runs
// masked).
func TestInitDemo(t *testing.T) {
	for _, c := range []struct{ demo, dir, summary string }{
		{"demo", "asterisk", "found 3 tenants, 12 phones, 3 trunks, 8 DIDs"},
		{"freepbx", "freepbx", "found 1 tenant, 7 phones, 2 trunks, 4 DIDs"},
	} {
		t.Run(c.demo, func(t *testing.T) {
			dir := filepath.Join("..", "..", "fixtures", c.dir)
			out, r := checkInit(t, dir)
			if !strings.Contains(r.stdout, c.summary) {
				t.Errorf("summary:\n%s", r.stdout)
			}
			if want := "astapi serve --config " + out + "\n"; !strings.Contains(r.stdout, want) {
				t.Errorf("no %q line:\n%s", want, r.stdout)
			}
			if r.url != "http://127.0.0.1:8080" {
				t.Errorf("curl URL %s", r.url)
			}
			text, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			abs, _ := filepath.Abs(dir)
			mask := strings.NewReplacer(abs, "ASTERISK_DIR", out, "OUT", r.pass, "PASSWORD")
			hashRE := regexp.MustCompile(`\$2a\$04\$[./A-Za-z0-9]{53}`)
			got := []byte(hashRE.ReplaceAllString(mask.Replace(string(text)+"\n----- stdout\n"+r.stdout), "BCRYPT_HASH"))
			path := filepath.Join("testdata", "init-"+c.demo+".golden")
			if *updateInit {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test -run TestInitDemo -update-init ./cmd/astapi writes it)", err)
			}
			if !bytes.Equal(want, got) {
				t.Errorf("%s differs (-update-init rewrites it):\n%s", path, golden.FirstDiff(want, got))
			}
		})
	}
}

func TestInitDefaultCost(t *testing.T) {
	out := filepath.Join(t.TempDir(), "astapi.ini")
	code, _, stderr := runCmd("init", "--asterisk-dir", filepath.Join("..", "..", "fixtures", "asterisk"), "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	text, _ := os.ReadFile(out)
	if !regexp.MustCompile(`password = \$2a\$10\$`).Match(text) {
		t.Errorf("the default hash is not bcrypt cost 10:\n%s", text)
	}
}

// TestInitCorpus: every real-world directory gives a file that loads,
// validates and serves; one without any of the four files astapi reads
// is refused with the reason, and nothing is written.
func TestInitCorpus(t *testing.T) {
	root := filepath.Join(testcorpus.Dir(t), "real-world")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Skipf("no real-world corpus: %v", err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		t.Run(e.Name(), func(t *testing.T) {
			if !hasAnyTopLevel(dir) {
				out := filepath.Join(t.TempDir(), "astapi.ini")
				r := runInitCmd(t, "--asterisk-dir", dir, "--out", out)
				if r.code != 1 || !strings.Contains(r.stderr, "holds none of sip.conf, pjsip.conf, users.conf, extensions.conf") {
					t.Errorf("exit %d: %s", r.code, r.stderr)
				}
				if _, err := os.Stat(out); err == nil {
					t.Errorf("a file was written")
				}
				return
			}
			checkInit(t, dir)
		})
	}
}

func hasAnyTopLevel(dir string) bool {
	for _, n := range []string{"sip.conf", "pjsip.conf", "users.conf", "extensions.conf"} {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			return true
		}
	}
	return false
}

func TestInitNoOverwrite(t *testing.T) {
	dir := filepath.Join("..", "..", "fixtures", "asterisk")
	out := filepath.Join(t.TempDir(), "astapi.ini")
	const mine = "; my own file\n"
	if err := os.WriteFile(out, []byte(mine), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runInitCmd(t, "--asterisk-dir", dir, "--out", out)
	if r.code != 1 || !strings.Contains(r.stderr, "exists: not overwritten (--force replaces it)") || r.pass != "" {
		t.Errorf("without --force: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != mine {
		t.Errorf("the file changed: %q", b)
	}
	r = runInitCmd(t, "--asterisk-dir", dir, "--out", out, "--force")
	if r.code != 0 {
		t.Fatalf("with --force: exit %d: %s", r.code, r.stderr)
	}
	st, _ := os.Stat(out)
	if b, _ := os.ReadFile(out); string(b) == mine || st.Mode().Perm() != 0o600 {
		t.Errorf("with --force: mode %v, content %q", st.Mode().Perm(), b)
	}
}

func TestInitBadInput(t *testing.T) {
	tmp := t.TempDir()
	empty := filepath.Join(tmp, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(tmp, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	samples := filepath.Join(tmp, "samples")
	if err := os.Mkdir(samples, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(samples, "sip.conf.sample"), []byte("[general]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	demo := filepath.Join("..", "..", "fixtures", "asterisk")
	out := filepath.Join(tmp, "astapi.ini")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{}, 2, "usage: astapi init --asterisk-dir DIR"},
		{[]string{"--asterisk-dir", filepath.Join(tmp, "nope")}, 1, "no such file or directory (give the directory Asterisk reads"},
		{[]string{"--asterisk-dir", file}, 1, "not a directory"},
		{[]string{"--asterisk-dir", empty}, 1, "holds none of sip.conf, pjsip.conf, users.conf, extensions.conf: is it the directory Asterisk reads"},
		{[]string{"--asterisk-dir", samples}, 1, "only Asterisk's *.conf.sample files, which Asterisk does not read either (make samples installs them as .conf)"},
		{[]string{"--asterisk-dir", demo, "--tenants", "per-phone"}, 2, `--tenants "per-phone": must be one of single, code, contexts`},
		{[]string{"--asterisk-dir", demo, "--admin", "a:b"}, 2, `--admin "a:b"`},
		{[]string{"--asterisk-dir", demo, "--admin", "x]"}, 2, `--admin "x]"`},
		{[]string{"--asterisk-dir", demo, "--cost", "3"}, 2, "--cost must be between 4 and 31"},
		{[]string{"--asterisk-dir", demo, "--listen", "8080"}, 2, `--listen "8080"`},
		{[]string{"--asterisk-dir", demo, "--out", filepath.Join(tmp, "no", "dir", "astapi.ini")}, 1, "no such file or directory"},
	} {
		args := append([]string{"init"}, c.args...)
		if !containsFlag(args, "--out") {
			args = append(args, "--out", out)
		}
		code, stdout, stderr := runCmd(args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, stderr, c.code, c.want)
		}
		if stdout != "" {
			t.Errorf("%v: printed %q", c.args, stdout)
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("%v: wrote %s", c.args, out)
		}
	}
}

// TestINIValueRoundTrip: what iniValue writes, gopkg.in/ini.v1 reads back
// unchanged with the options index uses.
func TestINIValueRoundTrip(t *testing.T) {
	for _, v := range []string{
		"plain", "from-internal", "a b", "x ; y", "x;y", "#hash", "a # b", `"quoted"`, "'single'",
		" lead", "trail ", `back\`, "semi;", "$2a$10$abc./XYZ", "", `a"b`, "ü-ctx",
	} {
		got, err := iniValue(v)
		if err != nil {
			t.Errorf("%q: %v", v, err)
			continue
		}
		f, err := ini.LoadSources(ini.LoadOptions{SpaceBeforeInlineComment: true}, []byte("[s]\nk = "+got+" ; comment\n"))
		if err != nil {
			t.Errorf("%q as %q: %v", v, got, err)
			continue
		}
		if back := f.Section("s").Key("k").String(); back != v {
			t.Errorf("%q written %q, read back %q", v, got, back)
		}
	}
	for _, v := range []string{"a\nb", "`; x"} {
		if _, err := iniValue(v); err == nil {
			t.Errorf("%q: no error", v)
		}
	}
}

// TestInitOddNames: tenants and peers whose names need quoting, globs
// escaped, or a dotted section name survive the round trip.
func TestInitOddNames(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("sip.conf", `[general]
context=default

[100]
type=friend
host=dynamic
secret=Xk29-pq81-ZZt0
context=office.main

[101]
type=friend
host=dynamic
secret=Xk29-pq81-ZZt1
context=office

[200]
type=friend
host=dynamic
secret=Xk29-pq81-ZZt2
context=lab*

[carrier]
type=peer
host=sip.carrier.example
context=from-carrier
`)
	write("extensions.conf", `[office]
exten => 101,1,Dial(SIP/101)

[office.main]
exten => 100,1,Dial(SIP/100)
exten => _0X.,1,Dial(SIP/${EXTEN}@carrier)

[lab*]
exten => 200,1,Dial(SIP/200)

[from-carrier]
exten => 5551000,1,Goto(office.main,100,1)
`)
	out, r := checkInit(t, dir, "--tenants", "contexts")
	text, _ := os.ReadFile(out)
	for _, want := range []string{"[tenant office.main]", `contexts = lab\*`, "peers    = carrier"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("no %q in\n%s", want, text)
		}
	}
	if !strings.Contains(r.stdout, "found 3 tenants, 3 phones, 1 trunk, 1 DID") {
		t.Errorf("summary:\n%s", r.stdout)
	}
}

// TestValidateNextStep: validate says what to do when the configuration
// is missing, points at the wrong directory, reads nothing or has nobody
// to log in.
func TestValidateNextStep(t *testing.T) {
	tmp := t.TempDir()
	ini := func(name, body string) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty := filepath.Join(tmp, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	usersOnly := filepath.Join(tmp, "users-only")
	if err := os.Mkdir(usersOnly, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(usersOnly, "users.conf"), []byte("[100]\nhassip=yes\nsecret=Abc-12345-xyz\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, cfg string
		code      int
		want      string
	}{
		{"missing file", filepath.Join(tmp, "none.ini"), 1, "astapi init --asterisk-dir /etc/asterisk --out " + filepath.Join(tmp, "none.ini")},
		{"wrong directory", ini("wrong.ini", "[server]\nasterisk_dir = /nonexistent/asterisk\n"), 1,
			"next: [server] asterisk_dir must name the directory Asterisk reads"},
		{"empty directory", ini("empty.ini", "[server]\nasterisk_dir = empty\n"), 0,
			"next: " + empty + " holds none of sip.conf, pjsip.conf, users.conf, extensions.conf"},
		{"users.conf without sip.conf", ini("users.ini", "[server]\nasterisk_dir = users-only\n"), 0,
			"next: no SIP peer: users.conf users (hassip = yes) need a sip.conf"},
		{"no user", ini("nouser.ini", "[server]\nasterisk_dir = "+mustAbs(t, filepath.Join("..", "..", "fixtures", "asterisk"))+"\n"), 0,
			"next: no [user] section: nobody can log in"},
	} {
		code, _, stderr := runCmd("validate", "--config", c.cfg)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", c.name, code, stderr, c.code, c.want)
		}
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// TestLoadHintPermission: an unreadable file (as the loader wraps it, or
// as an #include diagnostic) gets the permission advice. Root reads
// everything, so the real case below runs only for other users.
func TestLoadHintPermission(t *testing.T) {
	wrapped := fmt.Errorf("index: %w", &fs.PathError{Op: "open", Path: "/etc/asterisk/sip.conf", Err: syscall.EACCES})
	if h := loadHint(wrapped); h != permissionHint {
		t.Errorf("wrapped EACCES: %q", h)
	}
	if h := loadHint(errors.New("index: x: [server] asterisk_dir /x: stat /x: " + syscall.ENOENT.Error())); h == permissionHint {
		t.Errorf("ENOENT text got the permission hint")
	}
	if os.Geteuid() == 0 {
		t.Log("running as root: the chmod case is skipped")
		return
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "sip.conf"), []byte("[general]\n"), 0o000); err != nil {
		t.Fatal(err)
	}
	r := runInitCmd(t, "--asterisk-dir", dir, "--out", filepath.Join(t.TempDir(), "astapi.ini"))
	if r.code != 1 || !strings.Contains(r.stderr, permissionHint) {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
}

// TestWriteVerified: a file that appears meanwhile is not replaced, and a
// text that would not give the discovered tenants is not installed; in
// both cases no temp file is left behind.
func TestWriteVerified(t *testing.T) {
	demo := mustAbs(t, filepath.Join("..", "..", "fixtures", "asterisk"))
	want := discoverDir(t, demo, "")
	dir := t.TempDir()
	path := filepath.Join(dir, "astapi.ini")
	noTenants := []byte("[server]\nasterisk_dir = " + demo + "\n\n[tenant Other]\ncode = Other\n")

	if err := os.WriteFile(path, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	discovery := []byte("[server]\nasterisk_dir = " + demo + "\n")
	if err := writeVerified(path, discovery, false, want); err == nil || !strings.Contains(err.Error(), "exists: not overwritten") {
		t.Errorf("existing file: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "mine" {
		t.Errorf("replaced: %q", b)
	}
	os.Remove(path)
	if err := writeVerified(path, noTenants, false, want); err == nil || !strings.Contains(err.Error(), "as [tenant] sections they would differ") {
		t.Errorf("other tenants: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
	if err := writeVerified(path, discovery, false, want); err != nil {
		t.Errorf("discovery file: %v", err)
	}
}

// TestInitSymlinks: FreePBX links sip.conf and extensions.conf into
// /etc/asterisk from its modules' etc directories. init follows them
// (include_roots) so the file serves; without it the load is refused with
// the way out. An #include elsewhere needs --include-root.
func TestInitSymlinks(t *testing.T) {
	root := t.TempDir()
	etc, core, extra := filepath.Join(root, "etc", "asterisk"), filepath.Join(root, "modules", "core", "etc"), filepath.Join(root, "extra")
	for _, d := range []string{etc, core, extra} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	demo := filepath.Join("..", "..", "fixtures", "asterisk")
	entries, err := os.ReadDir(demo)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(demo, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		to := etc
		if e.Name() == "sip.conf" || e.Name() == "extensions.conf" {
			to = core
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join("..", "..", "modules", "core", "etc", "sip.conf"), filepath.Join(etc, "sip.conf")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(core, "extensions.conf"), filepath.Join(etc, "extensions.conf")); err != nil {
		t.Fatal(err)
	}

	bare := filepath.Join(root, "bare.ini")
	if err := os.WriteFile(bare, []byte("[server]\nasterisk_dir = "+etc+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCmd("validate", "--config", bare); code != 1 || !strings.Contains(stderr, "list its directory in [server] include_roots") {
		t.Errorf("validate without include_roots: exit %d: %s", code, stderr)
	}
	out, r := checkInit(t, etc)
	text, _ := os.ReadFile(out)
	if !strings.Contains(string(text), "include_roots = "+core+" ") {
		t.Errorf("no include_roots = %s in\n%s", core, text)
	}
	if !strings.Contains(r.stdout, "found 3 tenants, 12 phones, 3 trunks, 8 DIDs") {
		t.Errorf("summary:\n%s", r.stdout)
	}

	// An #include of a directory nothing links to.
	if err := os.WriteFile(filepath.Join(extra, "more.conf"), []byte("[more-ctx]\nexten => 1,1,Hangup()\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(core, "extensions.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "\n#include %s\n", filepath.Join(extra, "more.conf"))
	f.Close()
	r = runInitCmd(t, "--asterisk-dir", etc, "--out", filepath.Join(t.TempDir(), "astapi.ini"))
	if r.code != 1 || !strings.Contains(r.stderr, "astapi init --include-root DIR") {
		t.Errorf("#include outside: exit %d: %s", r.code, r.stderr)
	}
	out, _ = checkInit(t, etc, "--include-root", extra)
	text, _ = os.ReadFile(out)
	if !strings.Contains(string(text), "include_roots = "+extra+", "+core+" ") && !strings.Contains(string(text), "include_roots = "+core+", "+extra+" ") {
		t.Errorf("include_roots:\n%s", text)
	}
}

// TestInitModes: each discovery mode on both demo PBXs gives a file that
// serves the same tenants (checkInit), with the sections the mode makes.
func TestInitModes(t *testing.T) {
	demo := filepath.Join("..", "..", "fixtures", "asterisk")
	freepbx := filepath.Join("..", "..", "fixtures", "freepbx")
	for _, c := range []struct {
		name, dir string
		args      []string
		want      []string // in the file
		summary   string
	}{
		{"demo default", demo, nil, []string{"[tenant Acme]", "code     = Acme", "[tenant Globex]", "peers    = 410, 411                ; phones sharing a context"},
			"found 3 tenants, 12 phones, 3 trunks, 8 DIDs"},
		{"demo single", demo, []string{"--tenants", "single", "--name", "Conglomerate"}, []string{"[tenant Conglomerate]", "contexts = *"},
			"found 1 tenant, 12 phones, 3 trunks, 8 DIDs"},
		{"demo contexts", demo, []string{"--tenants", "contexts"}, []string{"[tenant acme-internal]", "peers    = trunk-acme              ; trunks whose inbound routes reach this tenant"},
			"found 3 tenants, 12 phones, 3 trunks, 8 DIDs"},
		{"freepbx default", freepbx, nil, []string{"[tenant default]", "contexts = *"}, "found 1 tenant, 7 phones, 2 trunks"},
		{"freepbx named", freepbx, []string{"--name", "northwind"}, []string{"[tenant northwind]"}, "found 1 tenant, 7 phones, 2 trunks"},
		{"freepbx contexts", freepbx, []string{"--tenants", "contexts"}, []string{"[tenant from-internal]"}, ""},
		{"freepbx code", freepbx, []string{"--tenants", "code"}, []string{"discover = code"},
			"note: no tenant: discovery made none (discover = code needs phones named <number>-<code>"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, r := checkInit(t, c.dir, c.args...)
			text, _ := os.ReadFile(out)
			for _, w := range c.want {
				if !strings.Contains(string(text), w) {
					t.Errorf("no %q in\n%s", w, text)
				}
			}
			if !strings.Contains(r.stdout, c.summary) {
				t.Errorf("no %q in\n%s", c.summary, r.stdout)
			}
		})
	}
}

// TestInitUnwritable: tenants that [tenant] sections cannot express (a
// context name with a comma cannot be a list item) are left to discovery,
// which the file then asks for; it still serves the same tenants.
func TestInitUnwritable(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"sip.conf": "[100]\ntype=friend\nhost=dynamic\nsecret=Xk29-pq81-ZZt0\ncontext=east,wing\n\n" +
			"[101]\ntype=friend\nhost=dynamic\nsecret=Xk29-pq81-ZZt1\ncontext=west\n",
		"extensions.conf": "[east,wing]\nexten => 100,1,Dial(SIP/100)\n\n[west]\nexten => 101,1,Dial(SIP/101)\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, r := checkInit(t, dir, "--tenants", "contexts")
	text, _ := os.ReadFile(out)
	if strings.Contains(string(text), "\n[tenant ") || !strings.Contains(string(text), "discover = contexts") ||
		!strings.Contains(string(text), `"east,wing" cannot be a list item`) {
		t.Errorf("file:\n%s", text)
	}
	if !strings.Contains(r.stdout, "found 2 tenants, 2 phones") || !strings.Contains(r.stdout, "note: the tenants are discovered at every load") {
		t.Errorf("summary:\n%s", r.stdout)
	}
}

// TestInitNoPeers: a dialplan without any peer, or with a trunk only,
// still gives a file (one tenant), and init says why no phone is listed.
func TestInitNoPeers(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "extensions.conf"), []byte("[default]\nexten => 1,1,Hangup()\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, r := checkInit(t, dir)
	if !strings.Contains(r.stdout, "found 1 tenant, 0 phones, 0 trunks") ||
		!strings.Contains(r.stdout, "note: no SIP or PJSIP peer was found") {
		t.Errorf("summary:\n%s", r.stdout)
	}

	sip := "[general]\nregister => acct:Xk29-pq81-ZZt0@carrier\n\n[carrier]\ntype=peer\nhost=sip.carrier.example\ncontext=default\n"
	if err := os.WriteFile(filepath.Join(dir, "sip.conf"), []byte(sip), 0o644); err != nil {
		t.Fatal(err)
	}
	_, r = checkInit(t, dir)
	if !strings.Contains(r.stdout, "found 1 tenant, 0 phones, 1 trunk") ||
		!strings.Contains(r.stdout, "note: no phone was found, only trunks") {
		t.Errorf("summary:\n%s", r.stdout)
	}
}

// TestInitOrphanTrunk: a trunk whose inbound context reaches no tenant
// (two tenants) is named in the file and the summary, and the tenants
// are still written out.
func TestInitOrphanTrunk(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"sip.conf": "[100]\ntype=friend\nhost=dynamic\nsecret=Xk29-pq81-ZZt0\ncontext=east\n\n" +
			"[101]\ntype=friend\nhost=dynamic\nsecret=Xk29-pq81-ZZt1\ncontext=west\n\n" +
			"[carrier]\ntype=peer\nhost=sip.carrier.example\ncontext=from-carrier\ninsecure=port,invite\n",
		"extensions.conf": "[east]\nexten => 100,1,Dial(SIP/100)\nexten => _0X.,1,Dial(SIP/${EXTEN}@carrier)\n\n" +
			"[west]\nexten => 101,1,Dial(SIP/101)\nexten => _0X.,1,Dial(SIP/${EXTEN}@carrier)\n\n" +
			"[from-carrier]\nexten => _X.,1,Hangup()\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if s := discoverDir(t, dir, "discover = contexts\n"); len(s.TrunksByTenant("")) != 1 {
		t.Fatalf("the fixture has no trunk under no tenant: %v", s.Trunks)
	}
	out, r := checkInit(t, dir, "--tenants", "contexts")
	text, _ := os.ReadFile(out)
	for _, want := range []string{"\n[tenant east]\n", "\n[tenant west]\n", "; Trunks of no tenant", ";   carrier\n"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("no %q in\n%s", want, text)
		}
	}
	if !strings.Contains(r.stdout, "note: trunk carrier belongs to no tenant (astapi validate says why): add it to a tenant's peers = in") {
		t.Errorf("summary:\n%s", r.stdout)
	}
}
