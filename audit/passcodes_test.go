package audit

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/parser"
)

func box(tenant, ctx, num, pin string, line int) *index.Mailbox {
	pos := parser.Pos{File: "voicemail.conf", Line: line}
	return &index.Mailbox{ID: num + ctx, TenantID: tenant, Context: ctx, Box: num, PIN: pin, PINPos: pos, Pos: pos, Source: "voicemail.conf"}
}

func TestVoicemailRules(t *testing.T) {
	cases := []struct {
		name string
		pin  string
		want []string
		not  []string
	}{
		{"strong", "830571", nil, []string{"V1", "V2", "V3", "V5"}},
		{"V1 box number", "401", []string{"V1", "V2"}, nil},
		{"V1 long box number", "512345", []string{"V1"}, []string{"V2"}}, // the box is 512345 below
		{"V2 short", "8264", []string{"V2"}, []string{"V1", "V3"}},
		{"V3 ascending", "123456", []string{"V3"}, []string{"V2"}},
		{"V3 descending", "987654", []string{"V3"}, nil},
		{"V3 wraps", "7890", []string{"V3", "V2"}, nil},
		{"V3 repeated", "000000", []string{"V3"}, nil},
		{"V3 pairs", "121212", []string{"V3"}, nil},
		{"V3 common", "2580", []string{"V3"}, nil},
		{"no-change marker", "-830571", nil, []string{"V1", "V2", "V3", "V5"}},
		{"no-change marker, trivial", "-1111", []string{"V3"}, nil},
		{"V5 empty", "", []string{"V5"}, []string{"V1", "V2", "V3"}},
		{"V5 dash only", "-", []string{"V5"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			num := "401"
			if strings.HasPrefix(c.name, "V1 long") {
				num = "512345"
			}
			s := snapshot(nil)
			s.Mailboxes = []*index.Mailbox{box("1", "acme", num, c.pin, 3)}
			s = index.NewSnapshot(s)
			got := rulesOf(New().Run(s), num+"@acme")
			for _, r := range c.want {
				if !got[r] {
					t.Errorf("%s missing: %v", r, got)
				}
			}
			for _, r := range c.not {
				if got[r] {
					t.Errorf("%s reported: %v", r, got)
				}
			}
		})
	}
}

func TestSharedPIN(t *testing.T) {
	s := snapshot(nil)
	s.Mailboxes = []*index.Mailbox{
		box("1", "acme", "201", "830571", 3), box("1", "acme", "202", "830571", 4),
		box("2", "globex", "401", "830571", 5), box("2", "globex", "402", "561942", 6),
	}
	s = index.NewSnapshot(s)
	fs := New().Run(s)
	for _, b := range []string{"201@acme", "202@acme", "401@globex"} {
		if !rulesOf(fs, b)["V4"] {
			t.Errorf("V4 missing on %s", b)
		}
	}
	if rulesOf(fs, "402@globex")["V4"] {
		t.Error("V4 on a box with its own PIN")
	}
	// Globex's reader sees that 401's PIN opens another box, but not
	// which (another tenant's): the finding is dropped, as for S7.
	for _, f := range fs {
		if f.Rule != "V4" {
			continue
		}
		g, ok := f.ForViewer(func(id string) bool { return id == "2" })
		if f.Peer == "401@globex" && ok {
			t.Errorf("Globex sees a PIN shared with Acme only: %+v", g)
		}
		if f.TenantID == "1" && ok {
			t.Errorf("Globex sees Acme's finding %+v", g)
		}
	}
}

func TestDISAAndAuthenticateRules(t *testing.T) {
	src := `
[acme-internal]
include => acme-out
exten => 201,1,Dial(SIP/201-Acme)
[acme-out]
exten => _9X.,1,Dial(SIP/trunk-acme/${EXTEN:1})
[acme-safe]
exten => 201,1,Dial(SIP/201-Acme)

[acme-open]
exten => s,1,DISA(no-password,acme-internal)
[acme-open-safe]
exten => s,1,DISA(no-password,acme-safe)
[acme-pin]
exten => s,1,DISA(1234,acme-internal)
exten => 2,1,DISA(8305719,acme-internal)
exten => 3,1,DISA(/etc/asterisk/disa-codes.txt)
exten => 4,1,ExecIf($[${DB(night)}=1]?DISA(no-password,acme-internal):Hangup())
exten => 5,1,Authenticate(0000)
exten => 6,1,Authenticate(83057192)
exten => 7,1,Authenticate(/etc/asterisk/codes,m)
exten => 8,1,Authenticate(${DISAPIN})
exten => 9,1,Authenticate(pinfamily,d)
exten => 10,1,Authenticate(${GLOBALPIN})
; FreePBX disa,N with a PIN: Authenticate first, then DISA(no-password)
exten => 11,1,Authenticate(83057192)
 same => n,DISA(no-password,acme-internal)
; malformed: no arguments at all
exten => 12,1,DISA()
 same => n,Authenticate()
 same => n,ExecIf(1?DISA)
 same => n,ExecIf(1?Authenticate(
[globals]
GLOBALPIN=1111
`
	dp := parser.BuildDialplan(parser.Parse("extensions.conf", []byte(src), parser.Options{Root: t.TempDir()}))
	s := snapshot(nil)
	s.Dialplan = dp
	s.Tenants[0].Contexts = []string{"acme-internal", "acme-open", "acme-open-safe", "acme-out", "acme-pin", "acme-safe"}
	s = index.NewSnapshot(s)
	fs := New().Run(s)
	want := map[string]string{
		"acme-open,s,1": "D1",
		"acme-pin,s,1":  "D2",
		"acme-pin,4,1":  "D1",
		"acme-pin,5,1":  "D2",
		"acme-pin,10,1": "D2", // the global is put in
	}
	for where, rule := range want {
		if !rulesOf(fs, where)[rule] {
			t.Errorf("%s missing at %s: %v", rule, where, rulesOf(fs, where))
		}
	}
	for _, where := range []string{"acme-open-safe,s,1", "acme-pin,2,1", "acme-pin,3,1", "acme-pin,6,1", "acme-pin,7,1", "acme-pin,8,1", "acme-pin,9,1", "acme-pin,11,1", "acme-pin,11,2"} {
		if got := rulesOf(fs, where); got["D1"] || got["D2"] {
			t.Errorf("reported at %s: %v", where, got)
		}
	}
	for _, f := range fs {
		if strings.HasPrefix(f.Rule, "D") && f.TenantID != "1" {
			t.Errorf("finding without its tenant: %+v", f)
		}
	}
	// No finding holds a passcode.
	b, _ := json.Marshal(fs)
	for _, code := range []string{"1234", "8305719", "0000", "83057192", "1111"} {
		if strings.Contains(string(b), code) {
			t.Errorf("findings quote passcode %s: %s", code, b)
		}
	}
}

func TestTrivialCode(t *testing.T) {
	for _, s := range []string{"0", "00", "1234", "4321", "0123", "3210", "901234", "999999", "123123", "1212", "2580", "147258"} {
		if !trivialCode(s) {
			t.Errorf("%s not trivial", s)
		}
	}
	for _, s := range []string{"830571", "1235", "8264", "12341", "ab12cd"} {
		if trivialCode(s) {
			t.Errorf("%s trivial", s)
		}
	}
}
