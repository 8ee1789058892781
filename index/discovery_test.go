package index_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/parser"
)

// onePBX is a one-company office in plain Asterisk: two phone contexts
// (front desk and sales), a phone without context=, a provider trunk
// and a dialplan that joins them.
var onePBX = map[string]string{
	"sip.conf": `[general]
allowguest=no

[101]
type=friend
host=dynamic
secret=Desk-101-secret-x
context=from-internal

[102]
type=friend
host=dynamic
secret=Desk-102-secret-x
context=from-internal

[201]
type=friend
host=dynamic
secret=Sales-201-secret
context=sales

[301]
type=friend
host=dynamic
secret=Lobby-301-secret

[provider]
type=peer
host=sip.provider.example
context=from-pstn
insecure=port,invite
`,
	"extensions.conf": `[from-internal]
exten => 101,1,Dial(SIP/101,20)
exten => 102,1,Dial(SIP/102,20)
exten => 201,1,Goto(sales,201,1)
exten => _9NXXXXXX.,1,Dial(SIP/provider/${EXTEN:1})
[sales]
include => from-internal
exten => 201,1,Dial(SIP/201,20)
[default]
exten => 301,1,Dial(SIP/301,20)
[from-pstn]
exten => 5550100,1,Goto(from-internal,101,1)
exten => 5550200,1,Goto(sales,201,1)
`,
}

func tenantKeys(s *index.Snapshot) []string {
	var keys []string
	for _, te := range s.Tenants {
		keys = append(keys, te.Key)
	}
	slices.Sort(keys)
	return keys
}

func extNumbers(s *index.Snapshot, tenantID string) []string {
	var out []string
	for _, e := range s.ExtensionsByTenant(tenantID) {
		out = append(out, e.Number)
	}
	slices.Sort(out)
	return out
}

// TestDiscoverOneTenantByDefault: a box whose phones carry no -<code> is
// one company: one tenant, named by [server] name (default "default"),
// holding every phone (two phone contexts, and the phone without
// context=, which chan_sip puts in "default"), the trunk, every DID, and
// every context of the dialplan.
func TestDiscoverOneTenantByDefault(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ ini, key string }{
		{"", "default"},
		{"[server]\nname = northwind\n\n" + user("office", "role = tenant\ntenants = northwind"), "northwind"},
	} {
		s := loadPBX(t, tc.ini, onePBX)
		if got := tenantKeys(s); !slices.Equal(got, []string{tc.key}) {
			t.Fatalf("tenants %v, want [%s]", got, tc.key)
		}
		te := s.Tenants[0]
		if got := extNumbers(s, te.ID); !slices.Equal(got, []string{"101", "102", "201", "301"}) {
			t.Errorf("extensions %v, want 101 102 201 301", got)
		}
		if p := peerOf(s, "301"); p == nil || p.Context != "default" {
			t.Errorf("301 (no context=) = %+v, want context default", p)
		}
		if p := trunkOf(s, "provider"); p == nil || p.TenantID != te.ID {
			t.Errorf("provider = %+v, want a trunk of %s", p, te.Key)
		}
		for _, ctx := range []string{"from-internal", "sales", "default", "from-pstn"} {
			if !slices.Contains(te.Contexts, ctx) {
				t.Errorf("tenant %s lacks context %s: %v", te.Key, ctx, te.Contexts)
			}
		}
		if got := len(destsFrom(s, "DID", "from-pstn,5550200,1")); got != 1 {
			t.Errorf("DID 5550200 (into the other phone context): %d destinations;%s", got, describeDests(s))
		}
		if u := s.UserByName("office"); u != nil && !slices.Equal(u.Tenants, []string{te.ID}) {
			t.Errorf("user office tenants %v, want [%s]", u.Tenants, te.ID)
		}
	}
}

// codePBX is a MiRTA-style box: phones named <number>-<code>.
var codePBX = map[string]string{
	"sip.conf": `[201-Acme]
type=friend
host=dynamic
context=from-internal

[202-Acme]
type=friend
host=dynamic
context=acme-phones

[401-Globex]
type=friend
host=dynamic
context=globex-phones

[acme-fax]
type=friend
host=dynamic
context=acme-phones

[provider]
type=peer
host=sip.provider.example
context=from-pstn
`,
	"extensions.conf": `[from-internal]
exten => 201,1,Dial(SIP/201-Acme)
[acme-phones]
exten => 202,1,Dial(SIP/202-Acme)
exten => 299,1,Dial(SIP/acme-fax)
[globex-phones]
exten => 401,1,Dial(SIP/401-Globex)
[from-pstn]
exten => _X.,1,Hangup()
`,
}

// TestDiscoverByCode: two or more -<code>s make one tenant per code; a
// phone without a code joins the tenant whose phones share its context; a
// trunk that reaches no tenant is still listed, under no tenant, with a
// warning.
func TestDiscoverByCode(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, "", codePBX)
	if got := tenantKeys(s); !slices.Equal(got, []string{"Acme", "Globex"}) {
		t.Fatalf("tenants %v, want [Acme Globex]", got)
	}
	acme, globex := tenantByKey(t, s, "Acme"), tenantByKey(t, s, "Globex")
	if acme.Code != "Acme" || acme.Declared {
		t.Errorf("Acme = %+v", acme)
	}
	if got := extNumbers(s, acme.ID); !slices.Equal(got, []string{"201", "202", "299"}) {
		t.Errorf("Acme extensions %v, want 201 202 299 (acme-fax joins its context's tenant)", got)
	}
	if got := extNumbers(s, globex.ID); !slices.Equal(got, []string{"401"}) {
		t.Errorf("Globex extensions %v", got)
	}
	p := trunkOf(s, "provider")
	if p == nil || p.TenantID != "" {
		t.Errorf("provider = %+v, want it listed under no tenant", p)
	}
	if !hasDiagAt(s, parser.Warning, "sip.conf", "trunk provider belongs to no tenant") {
		t.Errorf("no warning for the unowned trunk: %v", s.Diags)
	}
}

// TestDiscoverOneCodeIsOneTenant: phones that all carry the same code are
// one company, not a code tenant.
func TestDiscoverOneCodeIsOneTenant(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, "", map[string]string{
		"sip.conf": "[201-Acme]\ntype=friend\nhost=dynamic\ncontext=a\n\n[202-Acme]\ntype=friend\nhost=dynamic\ncontext=b\n",
	})
	if got := tenantKeys(s); !slices.Equal(got, []string{"default"}) {
		t.Errorf("tenants %v, want [default]", got)
	}
}

// TestDiscoverForced: [server] discover overrides the choice; a bad value
// is a load error naming the parameter.
func TestDiscoverForced(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mode  string
		files map[string]string
		want  []string
	}{
		{"single", codePBX, []string{"default"}},
		{"code", codePBX, []string{"Acme", "Globex"}},
		{"contexts", codePBX, []string{"acme-phones", "from-internal", "globex-phones"}},
		{"contexts", onePBX, []string{"default", "from-internal", "sales"}},
		{"code", onePBX, nil}, // no phone carries a code: no tenant
	} {
		s := loadPBX(t, "[server]\ndiscover = "+tc.mode+"\n", tc.files)
		if got := tenantKeys(s); !slices.Equal(got, tc.want) {
			t.Errorf("discover = %s: tenants %v, want %v", tc.mode, got, tc.want)
		}
	}
	_, err := index.Load(writePBX(t, "[server]\ndiscover = companies\n", onePBX))
	if err == nil || !strings.Contains(err.Error(), "discover") {
		t.Errorf("discover = companies: err %v, want one naming discover", err)
	}
}

// TestSystemEndpointsAreNotPhones: PJSIP's anonymous endpoint, FreePBX's
// dpma_endpoint and a bare [global] default_outbound_endpoint are no
// phones: not listed, and an info diagnostic says why.
func TestSystemEndpointsAreNotPhones(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, "", map[string]string{
		"pjsip.conf": `[anonymous]
type=endpoint
context=from-sip-external

[1201]
type=endpoint
context=from-internal
aors=1201
auth=1201-auth

[1201-auth]
type=auth
username=1201
password=Hyg-1201-secret

[1201]
type=aor
max_contacts=1

[dpma_endpoint]
type=endpoint
context=dpma-invalid

[global]
type=global
default_outbound_endpoint=out-default

[out-default]
type=endpoint
context=from-internal
`,
	})
	if extOfPeer(s, "1201") == nil {
		t.Errorf("1201 is not listed: %s", describeExts(s))
	}
	for _, name := range []string{"anonymous", "dpma_endpoint", "out-default"} {
		if extOfPeer(s, name) != nil || trunkOf(s, name) != nil {
			t.Errorf("%s listed as a phone or trunk", name)
		}
		if !hasDiagAt(s, parser.Info, "pjsip.conf", "["+name+"] is not a phone") {
			t.Errorf("no info diagnostic for %s: %v", name, s.Diags)
		}
	}
}

// TestTrunkClassification: each rule that makes a peer a trunk, each
// alone (the phones around share the trunk's context where that matters),
// and the fixed-host phone that stays a phone.
func TestTrunkClassification(t *testing.T) {
	t.Parallel()
	const phones = "[101]\ntype=friend\nhost=dynamic\ncontext=from-internal\n\n"
	const dialplan = "[from-internal]\nexten => 101,1,Dial(SIP/101)\n"
	cases := []struct {
		name, sip, pjsip, ext string
		peer                  string
		trunk                 bool
	}{
		{
			name:  "register => names its host",
			sip:   "[general]\nregister => acct:Pw-123456789@sip.voipco.example/5551230100\n\n[voipco]\ntype=friend\nhost=sip.voipco.example\ncontext=from-internal\n",
			peer:  "voipco",
			trunk: true,
		},
		{
			name:  "register => peer? form",
			sip:   "[general]\nregister => itsp?acct:Pw-123456789@203.0.113.5\n\n[itsp]\ntype=friend\nhost=dynamic\ncontext=from-internal\n",
			peer:  "itsp",
			trunk: true,
		},
		{
			name:  "PJSIP registration endpoint=",
			pjsip: "[carrier]\ntype=endpoint\ncontext=from-internal\n\n[carrier-reg]\ntype=registration\nendpoint=carrier\nserver_uri=sip:sip.carrier.example\nclient_uri=sip:acct@sip.carrier.example\n",
			peer:  "carrier",
			trunk: true,
		},
		{
			name:  "PJSIP registration by server_uri",
			pjsip: "[carrier]\ntype=endpoint\ncontext=from-internal\naors=carrier\n\n[carrier]\ntype=aor\ncontact=sip:sip.carrier.example:5060\n\n[reg]\ntype=registration\nserver_uri=sip:sip.carrier.example:5060\n",
			ext:   "exten => 102,1,Dial(PJSIP/carrier)\n",
			peer:  "carrier",
			trunk: true,
		},
		{
			name:  "PJSIP outbound_auth",
			pjsip: "[carrier]\ntype=endpoint\ncontext=from-internal\noutbound_auth=carrier-auth\n\n[carrier-auth]\ntype=auth\nusername=acct\npassword=Carrier-secret-1\n",
			peer:  "carrier",
			trunk: true,
		},
		{
			name:  "fixed host, context from-pstn, type=friend",
			sip:   "[test]\ntype=friend\nhost=198.51.100.7\ncontext=from-pstn\n",
			ext:   "[from-pstn]\nexten => _X.,1,Goto(from-internal,101,1)\n",
			peer:  "test",
			trunk: true,
		},
		{
			name:  "fixed host, context reaching a DID",
			sip:   "[gw]\ntype=friend\nhost=198.51.100.8\ncontext=gw-in\n",
			ext:   "[gw-in]\nexten => 5551230100,1,Goto(from-internal,101,1)\n",
			peer:  "gw",
			trunk: true,
		},
		{
			name:  "dialled with a number after it",
			sip:   "[out]\ntype=friend\nhost=dynamic\ncontext=from-internal\n",
			ext:   "exten => _9X.,1,Dial(SIP/out/${EXTEN:1})\n",
			peer:  "out",
			trunk: true,
		},
		{
			name:  "fixed host with fromdomain, type=friend",
			sip:   "[bc-out]\ntype=friend\nhost=sip.itsp.example\nfromdomain=sip.itsp.example\ndefaultuser=acct\ncontext=from-internal\n",
			peer:  "bc-out",
			trunk: true,
		},
		{
			name:  "fixed host with insecure=port,invite, type=friend",
			sip:   "[gw2]\ntype=friend\nhost=198.51.100.9\ninsecure=port,invite\ncontext=from-internal\n",
			peer:  "gw2",
			trunk: true,
		},
		{
			name:  "PJSIP endpoint identified by address, without auth",
			pjsip: "[gw]\ntype=endpoint\ncontext=gw-in\n\n[gw]\ntype=identify\nendpoint=gw\nmatch=10.0.0.0/8\n",
			ext:   "[gw-in]\nexten => _X.,1,Goto(from-internal,101,1)\n",
			peer:  "gw",
			trunk: true,
		},
		{
			name: "fixed-IP desk phone in the phones' context",
			sip:  "[102]\ntype=friend\nhost=192.168.1.52\ncontext=from-internal\n",
			peer: "102",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sip := c.sip
			if strings.HasPrefix(sip, "[general]") {
				head, rest, _ := strings.Cut(sip, "\n\n")
				sip = head + "\n\n" + phones + rest
			} else {
				sip = phones + sip
			}
			files := map[string]string{"sip.conf": sip, "extensions.conf": dialplan + c.ext}
			if c.pjsip != "" {
				files["pjsip.conf"] = c.pjsip
			}
			s := loadPBX(t, "", files)
			if got := trunkOf(s, c.peer) != nil; got != c.trunk {
				t.Errorf("%s trunk = %v, want %v; extensions %s", c.peer, got, c.trunk, describeExts(s))
			}
			if c.trunk && extOfPeer(s, c.peer) != nil {
				t.Errorf("trunk %s also listed as an extension", c.peer)
			}
			if !c.trunk && extOfPeer(s, c.peer) == nil {
				t.Errorf("phone %s not listed", c.peer)
			}
		})
	}
}

// TestNumberPrefersOwnExtension: a phone whose name exists as an
// extension of its tenant is that number, even when a wrapper extension
// earlier in the dialplan also dials it alone (FreePBX's from-internal
// shortcuts, or a department number).
func TestNumberPrefersOwnExtension(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, "", map[string]string{
		"sip.conf": "[1247]\ntype=friend\nhost=dynamic\ncontext=from-internal\n",
		"extensions.conf": "[from-internal]\nexten => 1099,1,Dial(SIP/1247,20)\ninclude => ext-local\n" +
			"[ext-local]\nexten => 1247,1,Macro(exten-vm,1247,1247,0,0,0)\n" +
			"[macro-exten-vm]\nexten => s,1,Dial(SIP/${ARG2})\n",
	})
	if e := mustExtOfPeer(t, s, "1247"); e.Number != "1247" {
		t.Errorf("1247's number %q, want 1247 (its own extension beats the wrapper 1099)", e.Number)
	}
}

// TestNumberFromHint: Dial(${HINT}) rings the devices of the extension's
// hint (as Asterisk expands it), so a phone named by no number takes the
// number of the extension whose hint is it alone.
func TestNumberFromHint(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, "", map[string]string{
		"sip.conf":        "[deskphone]\ntype=friend\nhost=dynamic\ncontext=phones\n",
		"extensions.conf": "[phones]\nexten => 2301,hint,SIP/deskphone\nexten => 2301,1,Dial(${HINT},20)\n",
	})
	if e := mustExtOfPeer(t, s, "deskphone"); e.Number != "2301" {
		t.Errorf("deskphone's number %q, want 2301 (the extension whose hint it is dials ${HINT})", e.Number)
	}
}

// TestFreePBXDemo: the second demo in fixtures/freepbx is one tenant,
// "northwind", with its seven phones numbered by name, both trunks, and
// neither anonymous nor dpma_endpoint listed.
func TestFreePBXDemo(t *testing.T) {
	t.Parallel()
	s, err := index.Load(filepath.Join("..", "fixtures", "freepbx", "astapi.ini"))
	if err != nil {
		t.Fatal(err)
	}
	if got := tenantKeys(s); !slices.Equal(got, []string{"northwind"}) {
		t.Fatalf("tenants %v, want [northwind]", got)
	}
	te := s.Tenants[0]
	if got := extNumbers(s, te.ID); !slices.Equal(got, []string{"1101", "1102", "1103", "1104", "1105", "1201", "1202"}) {
		t.Errorf("extensions %v", got)
	}
	var trunks []string
	for _, p := range s.TrunksByTenant(te.ID) {
		trunks = append(trunks, p.Name)
	}
	if !slices.Equal(trunks, []string{"backup_carrier", "voipco"}) {
		t.Errorf("trunks %v, want backup_carrier voipco", trunks)
	}
	for _, name := range []string{"office", "auditor", "admin"} {
		if u := s.UserByName(name); u == nil || !slices.Equal(u.Tenants, []string{te.ID}) {
			t.Errorf("user %s = %+v, want tenant northwind", name, u)
		}
	}
}

// hasDiagAt reports whether a diagnostic of that severity, with a line in
// file, says text.
func hasDiagAt(s *index.Snapshot, sev parser.Severity, file, text string) bool {
	for _, d := range s.Diags {
		if d.Severity == sev && d.Pos.File == file && d.Pos.Line > 0 && strings.Contains(d.Message, text) {
			return true
		}
	}
	return false
}

// TestDiscoverUnknownUserTenant: a tenant user naming a tenant discovery
// did not make gets a warning (with declared tenants it is a load error).
func TestDiscoverUnknownUserTenant(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, user("office", "role = tenant\ntenants = northwind"), onePBX)
	if !hasDiag(s.Diags, parser.Warning, "[user office]", `"northwind"`, "discover = single") {
		t.Errorf("no warning for the unknown tenant: %v", s.Diags)
	}
}

// TestNumberNotFromDID: an inbound route that rings a phone alone is a DID,
// not the phone's number, now that one tenant holds the inbound contexts
// too.
func TestNumberNotFromDID(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, "", map[string]string{
		"sip.conf": "[fax]\ntype=friend\nhost=dynamic\ncallerid=\"Fax Machine\" <3939570>\ncontext=outbound-fax\n\n" +
			"[itsp]\ntype=peer\nhost=sip.itsp.example\ncontext=from-pstn\n",
		"extensions.conf": "[from-pstn]\nexten => 18454586370,1,Dial(SIP/fax)\n[outbound-fax]\nexten => _1NXXNXXXXXX,1,Dial(SIP/itsp/${EXTEN})\n",
	})
	if e := mustExtOfPeer(t, s, "fax"); e.Number != "3939570" {
		t.Errorf("fax numbered %q, want 3939570 (its caller ID, not the DID)", e.Number)
	}
}

// A copied FreePBX / Issabel directory keeps sip.conf and extensions.conf
// as symlinks into the GUI's module directory, now absent: the warnings
// name the dangling link, and a missing extensions.conf is not silent.
func TestMissingTopFilesNamed(t *testing.T) {
	ini := writePBX(t, "", map[string]string{
		"sip_additional.conf": "[101]\ntype=friend\nhost=dynamic\n",
	})
	ast := filepath.Join(filepath.Dir(ini), "asterisk")
	for _, name := range []string{"sip.conf", "pjsip.conf"} {
		if err := os.Symlink("/nonexistent/modules/core/etc/"+name, filepath.Join(ast, name)); err != nil {
			t.Skip("no symlinks here:", err)
		}
	}
	s, err := index.Load(ini)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !hasDiag(s.Diags, parser.Warning, "sip.conf is a symlink to /nonexistent/modules/core/etc/sip.conf, which does not exist") {
		t.Errorf("no warning naming the dangling sip.conf link: %v", s.Diags)
	}
	if !hasDiag(s.Diags, parser.Warning, "pjsip.conf is a symlink to /nonexistent/modules/core/etc/pjsip.conf, which does not exist") {
		t.Errorf("no warning naming the dangling pjsip.conf link: %v", s.Diags)
	}
	if !hasDiag(s.Diags, parser.Warning, "extensions.conf not found in asterisk_dir", "no dialplan") {
		t.Errorf("no warning about the missing extensions.conf: %v", s.Diags)
	}
}
