package api

import (
	"net/http"
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
