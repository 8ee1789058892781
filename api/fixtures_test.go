package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"testing"

	"github.com/astapi/astapi/index"
)

// TestFixtures serves ../fixtures/astapi.ini (the demo of `make run`) with
// the demo credentials and checks the answers against the fixtures' README
// and the OpenAPI contract.
func TestFixtures(t *testing.T) {
	st := index.NewStore(func() (*index.Snapshot, error) { return index.Load("../fixtures/astapi.ini") })
	if res := st.Reload(); !res.Success {
		t.Fatalf("loading the fixtures: %v", res.Err)
	}
	_, router := loadOpenAPI(t)
	s := New(st, Options{})
	var (
		admin   = caller{"admin", "admin", "admin-demo"}
		acme    = caller{"acme", "acme", "acme-demo"}
		globex  = caller{"globex", "globex", "globex-demo"}
		auditor = caller{"auditor", "auditor", "auditor-demo"}
	)
	call := func(c caller, r req, wantCode int, data any) {
		t.Helper()
		hr := r.build(c)
		body := readAll(t, hr)
		w := do(s, hr)
		if w.Code != wantCode {
			t.Fatalf("%s %s as %s: %d %s, want %d", r.method, r.path, c.name, w.Code, w.Body, wantCode)
		}
		vr := r.build(c)
		vr.Body = http.NoBody
		if len(body) > 0 {
			vr = hr.Clone(t.Context())
			vr.Body = io.NopCloser(bytes.NewReader(body))
		}
		validate(t, router, vr, w.Code, w.Header(), w.Body.Bytes(), false)
		if data != nil {
			e := decode(t, w)
			if err := json.Unmarshal(e.Data, data); err != nil {
				t.Fatalf("%s: %v", r.path, err)
			}
		}
	}

	var login userID
	call(admin, req{method: "GET", path: "/user/login"}, 200, &login)
	if login.UserID != "97" {
		t.Errorf("admin's ID %q, want the pinned 97", login.UserID)
	}
	var users []userItem
	call(admin, req{method: "GET", path: "/user/get"}, 200, &users)
	var names []string
	for _, u := range users {
		names = append(names, u.Username)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"acme", "admin", "auditor", "globex"}) {
		t.Errorf("users %v", names)
	}
	var acmeTenants userTenantsData
	call(acme, form("/user/tenants", "user", "it@acme.example"), 200, &acmeTenants)
	if len(acmeTenants.Tenants) != 1 || acmeTenants.Tenants[0] != (tenantItem{"80", "Acme Corp"}) {
		t.Errorf("acme's tenants %+v", acmeTenants)
	}
	var auditorTenants userTenantsData
	call(auditor, form("/user/tenants", "user", "audit@example.com"), 200, &auditorTenants)
	if len(auditorTenants.Tenants) != 3 {
		t.Errorf("auditor's tenants %+v", auditorTenants)
	}
	call(acme, form("/user/tenants", "user", "audit@example.com"), 403, nil)

	var exts []extensionItem
	call(acme, form("/extension/bytenant", "tenant_id", "80"), 200, &exts)
	byNumber := map[string]extensionItem{}
	for _, e := range exts {
		byNumber[e.Number] = e
	}
	want := map[string]extensionItem{
		"201": {Name: "Alice Anders", Number: "201", CIDNum: "5145550100", CIDName: "Acme Corp", CallWaiting: "yes"},
		"202": {Name: "Bob Baker", Number: "202", CIDNum: "5145550102", CIDName: "Bob Baker", CallWaiting: "no"},
		"203": {Name: "Conference room (Polycom Trio)", Number: "203", CIDNum: "5145550100", CIDName: "Conference room (Polycom Trio)", CallWaiting: ""},
		"204": {Name: "Warehouse", Number: "204", CIDNum: "5145550100", CIDName: "Acme Warehouse", CallWaiting: ""},
	}
	if len(exts) != len(want) {
		t.Errorf("Acme has %d extensions, want %d: %+v", len(exts), len(want), exts)
	}
	for n, w := range want {
		got := byNumber[n]
		w.ID = got.ID
		if got != w {
			t.Errorf("extension %s: %+v, want %+v", n, got, w)
		}
	}
	call(globex, form("/extension/bytenant", "tenant_id", "80"), 403, nil)

	ext201 := byNumber["201"].ID
	var one []extensionItem
	call(acme, form("/extension/byid", "extension_id", ext201), 200, &one)
	if len(one) != 1 || one[0] != byNumber["201"] {
		t.Errorf("byid %+v", one)
	}
	call(globex, form("/extension/byid", "extension_id", ext201), 403, nil)

	var dests []destinationItem
	call(acme, form("/destination/all", "tenant_id", "80"), 200, &dests)
	if len(dests) == 0 {
		t.Errorf("Acme has no destinations")
	}
	types := map[string]bool{}
	for _, d := range dests {
		types[d.TypeDst] = true
	}
	for _, typ := range []string{"EXT", "IVR", "DISA"} {
		if !types[typ] {
			t.Errorf("no %s destination for Acme: %v", typ, types)
		}
	}
	call(globex, form("/destination/all", "tenant_id", "80"), 403, nil)

	var peers []peerItem
	call(auditor, form("/extension/user", "tenant_id", "80", "extension_id", ext201), 200, &peers)
	if len(peers) != 1 || peers[0].Name != "201-Acme" || peers[0].Host != "dynamic" || peers[0].Secret == "" {
		t.Errorf("peers of 201: %+v", peers)
	}
	call(acme, form("/extension/user", "tenant_id", "80", "extension_id", ext201), 403, nil)
	call(admin, form("/extension/user", "tenant_id", "80", "extension_id", ext201), 403, nil)

	var status statusData
	call(admin, req{method: "GET", path: "/status"}, 200, &status)
	if status.Generation != 1 || !slices.Contains(status.Files, "astapi.ini") || !slices.Contains(status.Files, "asterisk/sip.conf") {
		t.Errorf("status %+v", status)
	}
	// A tenant user sees their own files only.
	call(globex, req{method: "GET", path: "/status"}, 200, &status)
	if !slices.Contains(status.Files, "asterisk/sip-globex.conf") || slices.Contains(status.Files, "asterisk/extensions-acme.conf") || slices.Contains(status.Files, "astapi.ini") {
		t.Errorf("globex's status files %v", status.Files)
	}
}
