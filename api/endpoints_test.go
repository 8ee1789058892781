package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/parser"
)

// endpointCase is one endpoint with parameters about tenant Acme.
type endpointCase struct {
	slug string
	r    req
}

var endpointCases = []endpointCase{
	{"user_login", req{method: "GET", path: "/user/login"}},
	{"user_get", req{method: "GET", path: "/user/get"}},
	{"user_tenants", req{method: "POST", path: "/user/tenants", enc: "form", params: [][2]string{{"user", "it@acme.example"}}}},
	{"destination_all", req{method: "POST", path: "/destination/all", enc: "form", params: [][2]string{{"tenant_id", idAcme}}}},
	{"destination_graph", req{method: "GET", path: "/destination/graph", enc: "query", params: [][2]string{{"tenant_id", idAcme}}}},
	{"extension_bytenant", req{method: "POST", path: "/extension/bytenant", enc: "form", params: [][2]string{{"tenant_id", idAcme}}}},
	{"extension_byid", req{method: "POST", path: "/extension/byid", enc: "form", params: [][2]string{{"extension_id", "1002"}}}},
	{"extension_user", req{method: "POST", path: "/extension/user", enc: "form", params: [][2]string{{"tenant_id", idAcme}, {"extension_id", "1002"}}}},
}

// TestEndpointsGolden: every endpoint × {admin, tenant user, tenant user
// of another tenant, auditor (secrets), wrong password, no auth}, asking
// about tenant Acme.
func TestEndpointsGolden(t *testing.T) {
	s, _ := newTestServer(t, Options{LoginFailureLimit: -1})
	for _, ec := range endpointCases {
		for _, c := range []caller{cAdmin, cAcme, cGlobex, cAuditor, cWrongPW, cNoAuth} {
			t.Run(ec.slug+"/"+c.name, func(t *testing.T) {
				w := do(s, ec.r.build(c))
				checkGolden(t, ec.slug+"__"+c.name, dump(w))
			})
		}
	}
}

// TestMoreGolden: the answers of the status table not covered above.
func TestMoreGolden(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	cases := []struct {
		name string
		c    caller
		r    req
	}{
		// an admin with secrets
		{"extension_user__root", cRoot, form("/extension/user", "tenant_id", idAcme, "extension_id", "1002")},
		{"extension_user__root_pjsip_no_secret", cRoot, form("/extension/user", "tenant_id", idInitech, "extension_id", "3001")},
		// admins: 404 naming what is missing
		{"destination_all__admin_unknown_tenant", cAdmin, form("/destination/all", "tenant_id", "999")},
		{"extension_bytenant__admin_unknown_tenant", cAdmin, form("/extension/bytenant", "tenant_id", "999")},
		{"extension_byid__admin_unknown", cAdmin, form("/extension/byid", "extension_id", "999")},
		{"extension_user__root_unknown_extension", cRoot, form("/extension/user", "tenant_id", idAcme, "extension_id", "999")},
		{"extension_user__root_foreign_extension", cRoot, form("/extension/user", "tenant_id", idAcme, "extension_id", "2001")},
		{"extension_user__root_unknown_tenant", cRoot, form("/extension/user", "tenant_id", "999", "extension_id", "1001")},
		{"user_tenants__admin_unknown_email", cAdmin, form("/user/tenants", "user", "nobody@example.com")},
		{"user_tenants__admin_of_admin", cAdmin, form("/user/tenants", "user", "ROOT@example.com")},
		{"user_tenants__admin_of_auditor", cAdmin, form("/user/tenants", "user", "audit@example.com")},
		// tenant users: missing and foreign look alike
		{"destination_all__tenant_unknown_tenant", cAcme, form("/destination/all", "tenant_id", "999")},
		{"extension_byid__tenant_unknown", cAcme, form("/extension/byid", "extension_id", "999")},
		{"extension_byid__tenant_foreign", cAcme, form("/extension/byid", "extension_id", "2001")},
		{"extension_user__auditor_foreign_extension", cAuditor, form("/extension/user", "tenant_id", idAcme, "extension_id", "2001")},
		{"user_tenants__tenant_other_email", cAcme, form("/user/tenants", "user", "it@globex.example")},
		{"user_tenants__tenant_unknown_email", cAcme, form("/user/tenants", "user", "nobody@example.com")},
		{"user_tenants__auditor_self_case", cAuditor, form("/user/tenants", "user", "audit@example.COM")},
		{"extension_bytenant__auditor_initech", cAuditor, form("/extension/bytenant", "tenant_id", idInitech)},
		{"destination_all__auditor_initech_empty", cAuditor, form("/destination/all", "tenant_id", idInitech)},
		// routing
		{"method_not_allowed", cAdmin, req{method: "GET", path: "/extension/byid"}},
		{"no_such_endpoint", cAdmin, req{method: "GET", path: "/nope"}},
		{"trailing_slash", cAdmin, req{method: "GET", path: "/user/login/"}},
		{"healthz", cNoAuth, req{method: "GET", path: "/healthz"}},
		{"readyz", cNoAuth, req{method: "GET", path: "/readyz"}},
		{"status__acme", cAcme, req{method: "GET", path: "/status"}},
		{"status__admin", cAdmin, req{method: "GET", path: "/status"}},
		{"status__noauth", cNoAuth, req{method: "GET", path: "/status"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := do(s, tc.r.build(tc.c))
			got := dump(w)
			if strings.HasPrefix(tc.name, "status__") {
				got = maskTimes(got)
			}
			checkGolden(t, tc.name, got)
		})
	}
}

// maskTimes blanks the wall-clock fields of /status (the test store's
// reload time).
func maskTimes(s string) string {
	for _, k := range []string{`"at":"`, `"duration_ms":`} {
		i := strings.Index(s, k)
		if i < 0 {
			continue
		}
		j := i + len(k)
		end := strings.IndexAny(s[j:], `",}`)
		s = s[:j] + "X" + s[j+end:]
	}
	return s
}

// TestSecretsOnlyForPermitted: no answer but /extension/user for a user
// with secrets ever holds a SIP secret.
func TestSecretsOnlyForPermitted(t *testing.T) {
	s, _ := newTestServer(t, Options{LoginFailureLimit: -1})
	secrets := []string{"alice-secret-1", "grace-secret", "bob<pw>", "0123456789abcdef", "trunk-secret-xyz"}
	for _, ec := range append(endpointCases, endpointCase{"status", req{method: "GET", path: "/status"}}) {
		for _, c := range []caller{cAdmin, cRoot, cAcme, cGlobex, cAuditor, cWrongPW, cNoAuth} {
			w := do(s, ec.r.build(c))
			allowed := (ec.slug == "extension_user" || ec.slug == "extension_usersecret") && (c == cRoot || c == cAuditor)
			for _, sec := range secrets {
				if strings.Contains(w.Body.String(), sec) && !allowed {
					t.Errorf("%s as %s: body holds secret %q: %s", ec.slug, c.name, sec, w.Body)
				}
			}
			if allowed && w.Code != http.StatusOK {
				t.Errorf("%s as %s: %d", ec.slug, c.name, w.Code)
			}
		}
	}
}

// TestStatusAfterFailedReload: a failed reload keeps the snapshot served,
// and /status reports the attempt, its error and its diagnostics with
// known secrets masked.
func TestStatusAfterFailedReload(t *testing.T) {
	fail := false
	st := index.NewStore(func() (*index.Snapshot, error) {
		if fail {
			return nil, &index.LoadError{Diags: parser.Diagnostics{{
				Pos: parser.Pos{File: "sip.conf", Line: 7}, Severity: parser.Error,
				Message: "include cycle near secret=grace-secret",
			}}}
		}
		return testSnapshot(), nil
	})
	st.Reload()
	fail = true
	st.Reload()
	s := New(st, Options{})
	// A tenant user learns that it failed, not why.
	w := do(s, req{method: "GET", path: "/status"}.build(cAcme))
	var td statusData
	if err := json.Unmarshal(decode(t, w).Data, &td); err != nil {
		t.Fatal(err)
	}
	if td.LastReload == nil || td.LastReload.Success || td.LastReload.Error != msgReloadFailed || strings.Contains(w.Body.String(), "sip.conf") {
		t.Errorf("tenant's view of a failed reload: %s", w.Body)
	}
	w = do(s, req{method: "GET", path: "/status"}.build(cAdmin))
	var d statusData
	if err := json.Unmarshal(decode(t, w).Data, &d); err != nil {
		t.Fatal(err)
	}
	if d.Generation != 1 || d.LastReload == nil || d.LastReload.Success || d.LastReload.Generation != 1 {
		t.Errorf("status %+v last %+v", d, d.LastReload)
	}
	if !strings.Contains(d.LastReload.Error, "sip.conf:7") || strings.Contains(w.Body.String(), "grace-secret") {
		t.Errorf("error %q / body %s", d.LastReload.Error, w.Body)
	}
	if len(d.Diagnostics) != 1 || d.Diagnostics[0].File != "sip.conf" || d.Diagnostics[0].Line != 7 || d.Diagnostics[0].Severity != "error" {
		t.Errorf("diagnostics %+v", d.Diagnostics)
	}
	// The API still answers from generation 1.
	if w := do(s, endpointCases[4].r.build(cAcme)); w.Code != http.StatusOK {
		t.Errorf("after a failed reload: %d", w.Code)
	}
}
