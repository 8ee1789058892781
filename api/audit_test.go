package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/parser"
)

// auditSnapshot is testSnapshot with positions on every peer, a sip.conf
// [general] that fails G1 and G2, and one secret shared by 201-Acme, a new
// 203-Acme and a new Globex peer 402-Globex (S7 within and across
// tenants).
func auditSnapshot() *index.Snapshot {
	s := testSnapshot()
	shared := "alice-secret-1"
	s.Extensions = append(s.Extensions,
		&index.Extension{ID: "1003", TenantID: idAcme, Number: "203", Name: "Carol", CIDName: "Carol",
			Peers: []*index.Peer{{Name: "203-Acme", Tech: "SIP", Source: "sip.conf", Host: "dynamic", Secret: shared, SecretKind: index.SecretPlain, TenantID: idAcme, Type: "friend"}}},
		&index.Extension{ID: "2002", TenantID: idGlobex, Number: "402", Name: "Hank", CIDName: "Hank",
			Peers: []*index.Peer{{Name: "402-Globex", Tech: "SIP", Source: "sip.conf", Host: "dynamic", Secret: shared, SecretKind: index.SecretPlain, TenantID: idGlobex, Type: "friend"}}},
	)
	line := 10
	for _, e := range s.Extensions {
		for _, p := range e.Peers {
			p.Pos = parser.Pos{File: "sip.conf", Line: line}
			p.SecretPos = parser.Pos{File: "sip.conf", Line: line + 1}
			line += 10
		}
	}
	for _, p := range s.Trunks {
		p.Pos = parser.Pos{File: "sip.conf", Line: line}
		p.SecretPos = parser.Pos{File: "sip.conf", Line: line + 1}
	}
	s.SIPGeneral = &parser.Section{Name: "general", Pos: parser.Pos{File: "sip.conf", Line: 1}, Vars: []parser.Var{
		{Name: "allowguest", Value: "yes", Pos: parser.Pos{File: "sip.conf", Line: 2}},
		{Name: "alwaysauthreject", Value: "no", Pos: parser.Pos{File: "sip.conf", Line: 3}},
	}}
	return index.NewSnapshot(s)
}

func newAuditServer(t testing.TB, opts Options) (*Server, *index.Store) {
	t.Helper()
	st := loadedStore(t, auditSnapshot)
	return New(st, opts), st
}

func auditReq(kv ...string) req {
	return req{method: "GET", path: "/audit/secrets", enc: "query"}.with(kv...)
}

// TestAuditGolden: /audit/secrets for every role, with and without
// tenant_id.
func TestAuditGolden(t *testing.T) {
	s, _ := newAuditServer(t, Options{LoginFailureLimit: -1})
	for _, c := range []caller{cAdmin, cAcme, cGlobex, cAuditor, cWrongPW, cNoAuth} {
		t.Run(c.name, func(t *testing.T) {
			checkGolden(t, "audit_secrets__"+c.name, dump(do(s, auditReq().build(c))))
		})
	}
	cases := []struct {
		name string
		c    caller
		r    req
	}{
		{"admin_tenant_filter", cAdmin, auditReq("tenant_id", idAcme)},
		{"admin_unknown_tenant", cAdmin, auditReq("tenant_id", "999")},
		{"admin_bad_tenant_id", cAdmin, auditReq("tenant_id", "abc")},
		{"admin_blank_tenant_id", cAdmin, auditReq("tenant_id", "")},
		{"tenant_own_tenant", cAcme, auditReq("tenant_id", idAcme)},
		{"tenant_unknown_tenant", cAcme, auditReq("tenant_id", "999")},
		{"othertenant_foreign_tenant", cGlobex, auditReq("tenant_id", idAcme)},
		{"auditor_globex", cAuditor, auditReq("tenant_id", idGlobex)},
		{"post", cAdmin, req{method: "POST", path: "/audit/secrets"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkGolden(t, "audit_secrets__"+tc.name, dump(do(s, tc.r.build(tc.c))))
		})
	}
}

func auditFindings(t *testing.T, s http.Handler, c caller, r req) []findingItem {
	t.Helper()
	w := do(s, r.build(c))
	if w.Code != http.StatusOK {
		t.Fatalf("%s as %s: %d %s", r.path, c.name, w.Code, w.Body)
	}
	var out []findingItem
	if err := json.Unmarshal(decode(t, w).Data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAuditScoping: what each caller gets, independently of the golden
// files.
func TestAuditScoping(t *testing.T) {
	s, _ := newAuditServer(t, Options{})
	tenantsOf := func(fs []findingItem) map[string]int {
		m := map[string]int{}
		for _, f := range fs {
			m[f.TenantID]++
		}
		return m
	}
	admin := auditFindings(t, s, cAdmin, auditReq())
	if m := tenantsOf(admin); m[idAcme] == 0 || m[idGlobex] == 0 || m[idInitech] == 0 || m[""] != 2 {
		t.Errorf("admin sees %v", m)
	}
	acme := auditFindings(t, s, cAcme, auditReq())
	if m := tenantsOf(acme); len(m) != 2 || m[idAcme] == 0 || m[""] != 2 {
		t.Errorf("acme sees %v", m)
	}
	for _, f := range acme {
		if strings.Contains(f.Detail, "Globex") {
			t.Errorf("acme is told about a Globex peer: %+v", f)
		}
	}
	// 402-Globex shares its secret with Acme peers only: Globex's user
	// does not get that S7; the admin does.
	for _, f := range auditFindings(t, s, cGlobex, auditReq()) {
		if f.TenantID != idGlobex && f.TenantID != "" {
			t.Errorf("globex sees %+v", f)
		}
		if f.Rule == "S7" {
			t.Errorf("globex gets an S7 about other tenants' peers: %+v", f)
		}
	}
	var adminS7 int
	for _, f := range admin {
		if f.Rule == "S7" {
			adminS7++
		}
	}
	if adminS7 != 3 {
		t.Errorf("admin gets %d S7 findings, want 3", adminS7)
	}
	// tenant_id narrows, keeping the [general] findings.
	only := auditFindings(t, s, cAdmin, auditReq("tenant_id", "0"+idAcme))
	if m := tenantsOf(only); len(m) != 2 || m[idAcme] == 0 || m[""] != 2 {
		t.Errorf("admin with tenant_id=080 sees %v", m)
	}
	// The auditor (a tenant user of all three tenants) sees what the admin
	// sees.
	if aud := auditFindings(t, s, cAuditor, auditReq()); fmt.Sprint(aud) != fmt.Sprint(admin) {
		t.Errorf("auditor sees\n%v\nadmin sees\n%v", aud, admin)
	}
	// Every request form of the other endpoints works (JSON body, form).
	js := req{method: "GET", path: "/audit/secrets", enc: "json", json: `{"tenant_id":80}`}
	if got := auditFindings(t, s, cAdmin, js); fmt.Sprint(got) != fmt.Sprint(only) {
		t.Errorf("JSON tenant_id: %v", got)
	}
}

// TestAuditComputedOncePerSnapshot: the findings are computed once per
// snapshot, by one of many concurrent requests, and anew after a reload.
func TestAuditComputedOncePerSnapshot(t *testing.T) {
	s, st := newAuditServer(t, Options{ResponseCacheBytes: -1})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if w := do(s, auditReq().build(cAdmin)); w.Code != http.StatusOK {
				t.Errorf("%d", w.Code)
			}
		})
	}
	wg.Wait()
	snap := st.Current()
	d1 := s.derived(snap)
	if d2 := s.derived(snap); d1 != d2 || len(d1.findings) == 0 {
		t.Fatalf("derived data recomputed (%p, %p) or empty", d1, d2)
	}
	st.Reload()
	if d3 := s.derived(st.Current()); d3 == d1 || d3.snap != st.Current() {
		t.Error("derived data not renewed after a reload")
	}
	// The previous snapshot (requests under way during the reload) shares
	// its data; one older than both gets its own without evicting either.
	if prev := s.derived(snap); prev != d1 {
		t.Error("the previous snapshot's data was recomputed")
	}
	mid := st.Current()
	st.Reload()
	newest := s.derived(st.Current())
	if old := s.derived(snap); old == d1 || s.derivedCache.recent[0] != newest || s.derivedCache.recent[1].snap != mid {
		t.Error("a snapshot older than the two newest evicted one of them")
	}
}
