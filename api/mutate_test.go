package api

import (
	"net/http"
	"strings"
	"testing"
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
