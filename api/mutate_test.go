package api

import (
	"github.com/astapi/astapi/index"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Tests written against mutants that survived `make mutate` (see
// scripts/mutate.sh): each pins one behaviour a plausible one-line bug
// would change without any other test noticing.

// /extension/user answers only for an extension of the tenant named:
// another tenant's extension shows none of its peers, even to a caller
// allowed to read both tenants' secrets: a 404 for an admin, a 403 (as for
// anything missing) for a tenant user.
func TestExtensionUserCrossTenant(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	for _, c := range []struct {
		caller
		code int
	}{{cRoot, http.StatusNotFound}, {cAuditor, http.StatusForbidden}} {
		w := do(s, form("/extension/user", "tenant_id", idAcme, "extension_id", "2001").build(c.caller))
		if w.Code != c.code {
			t.Errorf("%s: Acme's tenant_id with Globex's extension: %d, want %d", c.user, w.Code, c.code)
		}
		for _, leak := range []string{"grace-secret", "401-Globex"} {
			if strings.Contains(w.Body.String(), leak) {
				t.Errorf("%s: the refusal shows %q: %s", c.user, leak, w.Body)
			}
		}
		// The same extension under its own tenant is answered.
		w = do(s, form("/extension/user", "tenant_id", idGlobex, "extension_id", "2001").build(c.caller))
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "grace-secret") {
			t.Errorf("%s: Globex's own extension: %d %s", c.user, w.Code, w.Body)
		}
	}
}

// TestBodyIgnoredWithoutParams: an endpoint that takes no parameters does
// not read the body, so a body it could not decode is no error.
func TestBodyIgnoredWithoutParams(t *testing.T) {
	s, _ := newTestServer(t, Options{LoginFailureLimit: -1})
	r := req{method: "GET", path: "/user/login", enc: "raw", body: "<x/>", ctype: "application/xml"}
	if w := do(s, r.build(cAdmin)); w.Code != http.StatusOK {
		t.Errorf("GET /user/login with an XML body: %d %s", w.Code, w.Body)
	}
}

// TestOptionDefaults: zero (and for durations and counts, negative)
// options take their defaults; set ones are kept.
func TestOptionDefaults(t *testing.T) {
	d := Options{BcryptWait: -1, LoginFailureWindow: -1, BcryptSlots: -1, AuthCacheEntries: -1, MaxBodyBytes: -1}.withDefaults()
	if d.BcryptWait != defaultBcryptWait || d.LoginFailureWindow != defaultLoginFailureWindow || d.BcryptSlots < 1 ||
		d.AuthCacheEntries != defaultAuthCacheEntries || d.MaxBodyBytes != defaultMaxBodyBytes {
		t.Errorf("negative options: %+v", d)
	}
	z := Options{}.withDefaults()
	if z.BcryptWait != defaultBcryptWait || z.LoginFailureWindow != defaultLoginFailureWindow || z.LoginFailureLimit != defaultLoginFailureLimit ||
		z.MetricsMaxTenants != defaultMetricsMaxTenants || z.ResponseCacheBytes != defaultResponseCacheBytes {
		t.Errorf("zero options: %+v", z)
	}
	set := Options{BcryptWait: time.Second, LoginFailureWindow: time.Hour, BcryptSlots: 3, AuthCacheEntries: 7, MaxBodyBytes: 9}.withDefaults()
	if set.BcryptWait != time.Second || set.LoginFailureWindow != time.Hour || set.BcryptSlots != 3 || set.AuthCacheEntries != 7 || set.MaxBodyBytes != 9 {
		t.Errorf("set options changed: %+v", set)
	}
}

// TestAccessLogClientBehindProxy: behind a trusted proxy the access log
// names the client the proxy forwarded for.
func TestAccessLogClientBehindProxy(t *testing.T) {
	var buf syncBuffer
	s, _ := newTestServer(t, Options{AccessLog: &buf, TrustedProxies: []string{"10.0.0.0/8"}})
	r := req{method: "GET", path: "/user/login", remote: "10.1.1.1:4000", header: map[string]string{"X-Forwarded-For": "203.0.113.7"}}
	do(s, r.build(cAdmin))
	s.Close()
	if out := buf.String(); !strings.Contains(out, "client=203.0.113.7") {
		t.Errorf("access log: %s", out)
	}
}

// TestVisibleFilesRelative: files under asterisk_dir are named relative
// to it even when astapi.ini lives elsewhere.
func TestVisibleFilesRelative(t *testing.T) {
	root := t.TempDir()
	snap := &index.Snapshot{ConfigFile: filepath.Join(root, "etc", "astapi.ini"),
		Server: index.Server{AsteriskDir: filepath.Join(root, "ast")},
		Files:  []string{filepath.Join(root, "ast", "sub", "x.conf"), filepath.Join(root, "etc", "y.conf"), filepath.Join(root, "z.conf")}}
	got := visibleFiles(snap, &index.User{Role: index.RoleAdmin})
	if want := []string{"sub/x.conf", "y.conf", "z.conf"}; !slices.Equal(got, want) {
		t.Errorf("visibleFiles = %q, want %q", got, want)
	}
}

// TestRedactLongestFirst: a secret that begins another is masked after
// it, so the longer one never leaks its tail; a secret of exactly
// minSecretLen bytes is masked.
func TestRedactLongestFirst(t *testing.T) {
	short, long := "Abcd1234", "Abcd1234XYZ"
	snap := index.NewSnapshot(&index.Snapshot{Trunks: []*index.Peer{{Name: "a", Secret: short}, {Name: "b", Secret: long}, {Name: "c", Secret: "Wxyz"}}})
	if got := Redact(snap, "x "+long+" y "+short+" Wxyz"); got != "x "+mask+" y "+mask+" "+mask {
		t.Errorf("Redact = %q", got)
	}
}

// TestLogfmtQuoting: a blank or a byte of 0x80 and up is quoted.
func TestLogfmtQuoting(t *testing.T) {
	for in, want := range map[string]string{"a b": `"a b"`, "\x80": `"\x80"`, "ab!": "ab!", "~": "~"} {
		if got := string(appendLogfmtValue(nil, in)); got != want {
			t.Errorf("appendLogfmtValue(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestBodyAtTheLimit: a declared body of exactly MaxBodyBytes is read.
func TestBodyAtTheLimit(t *testing.T) {
	s, _ := newTestServer(t, Options{MaxBodyBytes: 64, LoginFailureLimit: -1})
	body := "tenant_id=" + idAcme + "&x="
	body += strings.Repeat("a", 64-len(body))
	r := req{method: "POST", path: "/destination/all", enc: "raw", ctype: "application/x-www-form-urlencoded", body: body}
	if w := do(s, r.build(cAdmin)); w.Code != http.StatusOK {
		t.Errorf("a body of exactly the limit: %d %s", w.Code, w.Body)
	}
}
