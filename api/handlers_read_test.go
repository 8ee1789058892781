package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/astapi/astapi/flow"
	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/internal/ids"
	"github.com/astapi/astapi/parser"
)

// withReadAPI adds to the golden tests' snapshot what the read endpoints
// of SPEC §6.1 answer from: call-flow objects (built by hand, as the flow
// reader would), voicemail boxes and phones.
func withReadAPI(s *index.Snapshot) *index.Snapshot {
	pos := func(line int) parser.Pos { return parser.Pos{File: "extensions-acme.conf", Line: line} }
	objs := []*flow.Object{
		{ID: "7001", TenantID: idAcme, Type: flow.TypeDID, Entry: "acme-inbound,15145550101,1", Context: "acme-inbound", Exten: "15145550101",
			Name: "Main line", Number: "15145550101", Pos: pos(12),
			DID: &flow.DID{Trunks: []string{"trunk-acme"}, Recording: true, CIDNamePrefix: "Main:"}},
		{ID: "7006", TenantID: idAcme, Type: flow.TypeDID, Entry: "acme-inbound,_514555XXXX,1", Context: "acme-inbound", Exten: "_514555XXXX",
			Name: "acme-inbound,_514555XXXX", Number: "_514555XXXX", Pos: pos(14), DID: &flow.DID{Fax: true, CIDNumPrefix: "9"}},
		{ID: "7007", TenantID: idAcme, Type: flow.TypeDID, Entry: "acme-inbound,s,1", Context: "acme-inbound", Exten: "s",
			Name: "acme-inbound,s", Number: "s", Pos: pos(16), DID: &flow.DID{}},
		{ID: "7002", TenantID: idAcme, Type: flow.TypeHuntlist, Entry: "acme-internal,600,1", Context: "acme-internal", Exten: "600",
			Name: "Sales", Number: "600", Pos: pos(30), Hunt: &flow.Hunt{Strategy: flow.HuntRingAll, RingTime: 20, CheckInUse: true, Members: []string{"201", "202"}}},
		{ID: "7003", TenantID: idAcme, Type: flow.TypeIVR, Entry: "acme-ivr,s,1", Context: "acme-ivr", Exten: "s", Name: "Main menu <day>", Pos: pos(40)},
		{ID: "7004", TenantID: idAcme, Type: flow.TypeCondition, Entry: "acme-tc,s,1", Context: "acme-tc", Exten: "s", Name: "Office hours", Pos: pos(20),
			Condition: &flow.Condition{Kind: flow.CondTime, Timezone: "America/Toronto", Params: []string{"08:00-17:00,mon-fri,*,*", "09:00-12:00,sat,*,*"}}},
		{ID: "7005", TenantID: idAcme, Type: flow.TypeCustom, Entry: "acme-fwd,s,1", Context: "acme-fwd", Exten: "s", Name: "Night forward", Pos: pos(50),
			Custom: &flow.Custom{Kind: flow.CustomForward, Description: "Forward call to 5145550000"}},
		{ID: "7008", TenantID: idAcme, Type: flow.TypeCustom, Entry: "${BLDEST}", Name: "${BLDEST}",
			Custom: &flow.Custom{Kind: flow.CustomUnknown, Description: "Unresolved target ${BLDEST}"}},
		{ID: "7009", TenantID: idAcme, Type: flow.TypeExt, Entry: "acme-internal,201,1", Context: "acme-internal", Exten: "201", Name: "acme-internal,201", Number: "201"},
		{ID: "7101", TenantID: idGlobex, Type: flow.TypeDID, Entry: "globex-inbound,4165550200,1", Context: "globex-inbound", Exten: "4165550200",
			Name: "Globex main", Number: "4165550200", DID: &flow.DID{}},
		{ID: "7102", TenantID: idGlobex, Type: flow.TypeHuntlist, Entry: "globex-internal,600,1", Context: "globex-internal", Exten: "600",
			Name: "Globex group", Number: "600", Hunt: &flow.Hunt{Strategy: flow.HuntHunt}},
		{ID: "7103", TenantID: idGlobex, Type: flow.TypeIVR, Entry: "globex-ivr,s,1", Name: "Globex menu"},
		{ID: "7104", TenantID: idGlobex, Type: flow.TypeCondition, Entry: "globex-tc,s,1", Name: "Globex hours",
			Condition: &flow.Condition{Kind: flow.CondCallerID, Params: []string{"5145550199"}}},
		{ID: "7105", TenantID: idGlobex, Type: flow.TypeCustom, Entry: "globex-agi,s,1", Name: "Globex AGI",
			Custom: &flow.Custom{Kind: flow.CustomAGI, Description: "Run AGI lookup.agi"}},
	}
	if s.Flow == nil {
		s.Flow = &flow.Graph{}
	}
	// Next to the objects the destinations' edges lead to (graphOf).
	s.Flow.Objects = append(s.Flow.Objects, objs...)
	ids.SortByID(s.Flow.Objects, func(o *flow.Object) string { return o.ID }) // as flow.Graph holds them
	s.Mailboxes = []*index.Mailbox{
		{ID: "8002", TenantID: idAcme, Context: "acme", Box: "202", FullName: "Bob \"B\" Baker", Email: "bob@acme.example", PIN: "5170", Source: "voicemail.conf"},
		{ID: "8001", TenantID: idAcme, Context: "acme", Box: "201", FullName: "Alice Anders", Email: "alice@acme.example", PIN: "8264", Source: "voicemail.conf"},
		{ID: "8101", TenantID: idGlobex, Context: "globex", Box: "401", FullName: "Grace Green", PIN: "9043", Source: "voicemail.conf"},
	}
	s.Phones = []*index.Phone{
		{ID: "9001", TenantID: idAcme, User: "201", Name: "Alice Anders", MAC: "805ec0112233", Profile: "polycom", Filename: "805ec0112233.cfg"},
		{ID: "9101", TenantID: idGlobex, User: "401", Name: "Grace Green", MAC: "805ec0445566"},
	}
	s.Server.Region = "CA"
	return index.NewSnapshot(s)
}

// readEndpointCases are the endpoints of SPEC §6.1, asking about tenant
// Acme or its objects; TestEndpointsGolden and the contract tests run them
// as they run the seed's.
var readEndpointCases = []endpointCase{
	{"extension_usersecret", form("/extension/usersecret", "tenant_id", idAcme, "extension_id", "1001")},
	{"extension_getcidnumber", form("/extension/getCidNumber", "extension_id", "1002")},
	{"extension_getcidnumberlist", form("/extension/getCidNumberList", "tenant_id", idAcme)},
	{"extension_getfmfcallerid", form("/extension/GetFMFCallerId", "extension_id", "1002")},
	{"extension_getfmfcalleridlist", form("/extension/GetFMFCallerIdList", "tenant_id", idAcme)},
	{"did_bytenant", form("/did/bytenant", "tenant_id", idAcme)},
	{"did_byid", form("/did/byid", "did_id", "7001")},
	{"hunt_bytenant", form("/hunt/bytenant", "tenant_id", idAcme)},
	{"hunt_byid", form("/hunt/byid", "hunt_id", "7002")},
	{"ivr_bytenant", form("/ivr/bytenant", "tenant_id", idAcme)},
	{"condition_bytenant", form("/condition/bytenant", "tenant_id", idAcme)},
	{"voicemail_bytenant", form("/voicemail/bytenant", "tenant_id", idAcme)},
	{"custom_bytenant", form("/custom/bytenant", "tenant_id", idAcme)},
	{"phone_bytenant", form("/phone/bytenant", "tenant_id", idAcme)},
}

func init() { endpointCases = append(endpointCases, readEndpointCases...) }

// TestReadEndpointsScoping: a tenant user gets 403 on every ID of another
// tenant (and on missing ones, which look alike), an admin a 404 naming
// the parameter; an object of the wrong type is not found.
func TestReadEndpointsScoping(t *testing.T) {
	s, _ := newTestServer(t, Options{LoginFailureLimit: -1})
	cases := []struct {
		r          req
		c          caller
		code       int
		msgContain string
	}{
		// Globex asks about Acme.
		{form("/extension/usersecret", "tenant_id", idAcme, "extension_id", "1001"), cGlobex, 403, ""},
		{form("/extension/getCidNumber", "extension_id", "1001"), cGlobex, 403, ""},
		{form("/extension/getCidNumberList", "tenant_id", idAcme), cGlobex, 403, ""},
		{form("/extension/GetFMFCallerId", "extension_id", "1001"), cGlobex, 403, ""},
		{form("/extension/GetFMFCallerIdList", "tenant_id", idAcme), cGlobex, 403, ""},
		{form("/did/bytenant", "tenant_id", idAcme), cGlobex, 403, ""},
		{form("/did/byid", "did_id", "7001"), cGlobex, 403, ""},
		{form("/hunt/bytenant", "tenant_id", idAcme), cGlobex, 403, ""},
		{form("/hunt/byid", "hunt_id", "7002"), cGlobex, 403, ""},
		{form("/ivr/bytenant", "tenant_id", idAcme), cGlobex, 403, ""},
		{form("/condition/bytenant", "tenant_id", idAcme), cGlobex, 403, ""},
		{form("/voicemail/bytenant", "tenant_id", idAcme), cGlobex, 403, ""},
		{form("/custom/bytenant", "tenant_id", idAcme), cGlobex, 403, ""},
		{form("/phone/bytenant", "tenant_id", idAcme), cGlobex, 403, ""},
		// Acme asks about Globex's objects by ID.
		{form("/did/byid", "did_id", "7101"), cAcme, 403, ""},
		{form("/hunt/byid", "hunt_id", "7102"), cAcme, 403, ""},
		{form("/extension/getCidNumber", "extension_id", "2001"), cAcme, 403, ""},
		{form("/extension/GetFMFCallerId", "extension_id", "2001"), cAcme, 403, ""},
		// The auditor (secrets, every tenant) asks for Acme's secret with
		// Globex's extension.
		{form("/extension/usersecret", "tenant_id", idAcme, "extension_id", "2001"), cAuditor, 403, ""},
		// Admins: 404 naming what is missing; the wrong type is missing.
		{form("/did/byid", "did_id", "7002"), cAdmin, 404, "did_id 7002"},
		{form("/hunt/byid", "hunt_id", "7001"), cAdmin, 404, "hunt_id 7001"},
		{form("/hunt/byid", "hunt_id", "999"), cAdmin, 404, "hunt_id 999"},
		{form("/voicemail/bytenant", "tenant_id", "999"), cAdmin, 404, "tenant_id 999"},
		{form("/extension/getCidNumber", "extension_id", "999"), cAdmin, 404, "extension_id 999"},
		{form("/extension/usersecret", "tenant_id", idAcme, "extension_id", "1001"), cAdmin, 403, ""}, // no secrets permission
		// Parameters: named in the 400.
		{form("/did/byid", "did_id", "x7"), cAdmin, 400, "did_id"},
		{form("/hunt/byid"), cAdmin, 400, "hunt_id"},
		// Scoping holds for the tenant's own data.
		{form("/did/byid", "did_id", "7001"), cAcme, 200, ""},
		{form("/hunt/byid", "hunt_id", "7102"), cGlobex, 200, ""},
	}
	for _, tc := range cases {
		w := do(s, tc.r.build(tc.c))
		if w.Code != tc.code {
			t.Errorf("%s %v as %s: %d %s, want %d", tc.r.path, tc.r.params, tc.c.name, w.Code, w.Body, tc.code)
			continue
		}
		if tc.code != 200 {
			if e := decode(t, w); e.Status != "failed" || !strings.Contains(e.Message, tc.msgContain) {
				t.Errorf("%s as %s: %s", tc.r.path, tc.c.name, w.Body)
			}
		}
	}
}

// TestReadOnlyEndpoints: every write endpoint of the original API is a
// 405 and /cdr/getCallHistory a 501, with a failed envelope saying why,
// but only after authentication.
func TestReadOnlyEndpoints(t *testing.T) {
	s, _ := newTestServer(t, Options{LoginFailureLimit: -1})
	_, router := loadOpenAPI(t)
	for _, p := range append(writePaths(), notServedPaths...) {
		want := http.StatusMethodNotAllowed
		if strings.HasPrefix(p, "/cdr/") {
			want = http.StatusNotImplemented
		}
		r := form(p, "extension_id", "1001")
		if w := do(s, r.build(cNoAuth)); w.Code != http.StatusUnauthorized {
			t.Errorf("%s without credentials: %d", p, w.Code)
		} else {
			validate(t, router, r.build(cNoAuth), w.Code, w.Header(), w.Body.Bytes(), false)
		}
		if w := do(s, r.build(cWrongPW)); w.Code != http.StatusUnauthorized {
			t.Errorf("%s with a wrong password: %d", p, w.Code)
		}
		for _, c := range []caller{cAdmin, cAcme, cRoot} {
			w := do(s, r.build(c))
			validate(t, router, r.build(c), w.Code, w.Header(), w.Body.Bytes(), false)
			e := decode(t, w)
			if w.Code != want || e.Status != "failed" || !strings.Contains(e.Message, "read-only") || !strings.Contains(e.Message, "source of truth") {
				t.Errorf("%s as %s: %d %s", p, c.name, w.Code, w.Body)
			}
			if want == http.StatusMethodNotAllowed {
				if v, ok := w.Header()["Allow"]; !ok || len(v) != 1 || v[0] != "" {
					t.Errorf("%s: Allow %q, want present and empty", p, v)
				}
			}
		}
	}
	for _, p := range []string{"/phone/AddNewPhone", "/extension/updatebyid", "/did/deletebyid", "/destination/updatebyid", "/voicemail/deletebyid"} {
		if !containsString(writePaths(), p) {
			t.Errorf("%s is not refused", p)
		}
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestPatternNumber: the number a pattern stands for, digit by digit.
func TestPatternNumber(t *testing.T) {
	for _, c := range []struct {
		exten, want string
		ok          bool
	}{
		{"2125550300", "2125550300", true},
		{"+33142685300", "+33142685300", true},
		{"+", "", false},
		{"12a", "", false},
		{"_+1NXXNXXXXXX", "+12002000000", true}, // + only in front
		{"_1+2", "", false},
		{"_xzn", "012", true}, // lower-case letters count too
		{"_XZN", "012", true},
		{"_1-514 555", "1514555", true}, // separators dropped
		{"_[7-9]1", "71", true},         // the smallest digit of the class
		{"_[9876]", "6", true},
		{"_[0-9]1", "01", true},
		{"_[9]", "9", true},
		{"_[a-c]1", "", false}, // no digit in the class
		{"_[12", "", false},    // unclosed
		{"_12.", "", false},
		{"_12!", "", false},
		{"_-", "", false}, // nothing left
		{"_", "", false},
	} {
		got, ok := patternNumber(c.exten)
		if got != c.want || ok != c.ok {
			t.Errorf("patternNumber(%q) = %q, %v; want %q, %v", c.exten, got, ok, c.want, c.ok)
		}
	}
}

func TestGeocode(t *testing.T) {
	cases := []struct{ exten, region, country, area string }{
		{"15145550100", "", "CA", "Quebec"},  // E.164 without its +
		{"+15145550100", "", "CA", "Quebec"}, // E.164
		{"5145550100", "", "", ""},           // national, no region: nowhere
		{"5145550100", "CA", "CA", "Quebec"}, // national in region CA
		{"2125550300", "US", "US", "New York, NY"},
		{"+442079460000", "CA", "GB", "London"},
		{"+33142685300", "", "FR", ""},          // the library knows the country only: no area
		{"_514555XXXX", "CA", "CA", "Quebec"},   // a fixed-length pattern
		{"_1[65]14NXXXXXX", "", "CA", "Quebec"}, // classes (smallest digit) and N
		{"_X.", "CA", "", ""},                   // variable length
		{"s", "CA", "", ""},
		{"i", "", "", ""},
		{"123", "CA", "", ""}, // too short to be valid
		{"_[", "CA", "", ""},
	}
	for _, c := range cases {
		g := geocode(c.exten, c.region)
		if g.country != c.country || g.area != c.area {
			t.Errorf("geocode(%q, %q) = %q, %q; want %q, %q", c.exten, c.region, g.country, g.area, c.country, c.area)
		}
	}
}

// TestHuntAndConditionFields: a ring time of 0 (not set) is shown empty;
// a condition keeps its first twelve parameters and drops the rest.
func TestHuntAndConditionFields(t *testing.T) {
	for rt, want := range map[int]string{0: "", 1: "1", 25: "25"} {
		if got := huntOut(&flow.Object{Hunt: &flow.Hunt{RingTime: rt}}).RingTime; got != want {
			t.Errorf("ring time %d shown as %q, want %q", rt, got, want)
		}
	}
	var c conditionItem
	ps := make([]string, 13)
	for i := range ps {
		ps[i] = fmt.Sprint(i + 1)
	}
	c.setParams(ps)
	if c.Param1 != "1" || c.Param12 != "12" {
		t.Errorf("params 1 and 12: %q, %q", c.Param1, c.Param12)
	}
}
