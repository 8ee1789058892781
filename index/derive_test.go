package index_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/parser"
)

// Derivation rules of SPEC §4 (extensions, peers, trunks) and the tenant
// rules of SPEC §3, each from a small configuration of its own.

// tenantT is one declared tenant: peers *-T, contexts t-*.
const tenantT = "[tenant T]\nname = Tee Corp\ncode = T\ncontexts = t-*\n"

// extFields are the derived fields of an Extension.
type extFields struct {
	Number, Name, CIDNum, CIDName, CallWaiting string
}

func fieldsOf(e *index.Extension) extFields {
	return extFields{e.Number, e.Name, e.CIDNum, e.CIDName, e.CallWaiting}
}

func TestExtensionDerivation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		ini   string // after [server]; tenantT when empty
		files map[string]string
		peer  string
		want  extFields
	}{
		// ---- ex_number precedence ----
		{
			name: "number/users.conf section name beats a Dial and the callerid",
			files: map[string]string{
				"sip.conf":        "[general]\n", // chan_sip reads users.conf only with a sip.conf
				"users.conf":      "[general]\nhassip = yes\ncontext = t-internal\n\n[5001]\nfullname = Ann Archer\ncallerid = \"Ann\" <7777>\nsecret = s3cr3t-5001-xyz\n",
				"extensions.conf": "[t-internal]\nexten => 7000,1,Dial(SIP/5001,20)\n same => n,Hangup()\n",
			},
			peer: "5001",
			want: extFields{"5001", "Ann Archer", "", "Ann Archer", ""},
		},
		{
			name: "number/first extension in file order whose Dial rings the peer alone",
			files: map[string]string{
				"sip.conf": "[alice-T]\ntype=friend\nhost=dynamic\ncontext=t-internal\ncallerid=\"Alice\" <221>\n\n" +
					"[bob-T]\ntype=friend\nhost=dynamic\ncontext=t-internal\n",
				"extensions.conf": "" +
					"[elsewhere]\t; not the tenant's: neither globbed nor reachable\n" +
					"exten => 100,1,Dial(SIP/alice-T)\n\n" +
					"[t-zz-first]\t; defined first in the file, sorts last\n" +
					"exten => _2XX,1,Dial(SIP/alice-T)\t; a pattern: not a number\n" +
					"exten => 300,1,Dial(SIP/alice-T&SIP/bob-T)\t; not alone\n" +
					"exten => 260,1,Dial(SIP/alice-T,20)\n" +
					"exten => 250,1,Dial(SIP/alice-T,20)\n\n" +
					"[t-internal]\n" +
					"exten => 240,1,Dial(SIP/alice-T,20)\n",
			},
			peer: "alice-T",
			want: extFields{"260", "Alice", "", "Alice", ""},
		},
		{
			name: "number/Dial of a later priority counts too",
			files: map[string]string{
				"sip.conf":        "[desk-T]\ntype=friend\nhost=dynamic\ncontext=t-internal\n",
				"extensions.conf": "[t-internal]\nexten => 230,1,Answer()\n same => n,Dial(SIP/desk-T,20)\n",
			},
			peer: "desk-T",
			want: extFields{"230", "desk-T", "", "desk-T", ""},
		},
		{
			name: "number/callerid number when no extension dials the peer",
			files: map[string]string{
				"sip.conf": "[alice-T]\ntype=friend\nhost=dynamic\ncontext=t-internal\ncallerid=\"Alice\" <221>\n",
			},
			peer: "alice-T",
			want: extFields{"221", "Alice", "", "Alice", ""},
		},
		{
			name: "number/callerid number beats the leading digits",
			files: map[string]string{
				"sip.conf": "[251-T]\ntype=friend\nhost=dynamic\ncallerid=\"Front\" <299>\n",
			},
			peer: "251-T",
			want: extFields{"299", "Front", "", "Front", ""},
		},
		{
			name: "number/leading digits of the name",
			ini:  "[tenant UniglobeDorval]\ncode = UniglobeDorval\n",
			files: map[string]string{
				"sip.conf": "[251-UniglobeDorval]\ntype=friend\nhost=dynamic\ncontext=uniglobe-dorval\n",
			},
			peer: "251-UniglobeDorval",
			want: extFields{"251", "251-UniglobeDorval", "", "251-UniglobeDorval", ""},
		},
		{
			name: "number/leading digits when callerid has no number",
			files: map[string]string{
				"sip.conf": "[251-T]\ntype=friend\nhost=dynamic\ncallerid=Front Desk\n",
			},
			peer: "251-T",
			want: extFields{"251", "Front Desk", "", "Front Desk", ""},
		},
		{
			name: "number/the peer name as a last resort",
			ini:  "[tenant T]\npeers = lobby*\n",
			files: map[string]string{
				"sip.conf": "[lobby]\ntype=friend\nhost=dynamic\n",
			},
			peer: "lobby",
			want: extFields{"lobby", "lobby", "", "lobby", ""},
		},
		{
			// A phone reached through a pattern that dials the number as
			// a peer has that number, not the IVR key that also rings it.
			name: "number/a pattern dialling ${EXTEN} as a peer beats an IVR key",
			files: map[string]string{
				"sip.conf": "[1000]\ntype=friend\nhost=dynamic\ncontext=t-internal\n",
				"extensions.conf": "[t-internal]\nexten => _10XX,1,Dial(SIP/${EXTEN},20)\nexten => 900,1,Goto(t-ivr,s,1)\n\n" +
					"[t-ivr]\nexten => s,1,Background(menu)\n same => n,WaitExten(5)\nexten => 0,1,Dial(SIP/1000,20)\n",
			},
			peer: "1000",
			want: extFields{"1000", "1000", "", "1000", ""},
		},
		// ---- ex_name precedence ----
		{
			name: "name/users.conf fullname beats callerid",
			files: map[string]string{
				"sip.conf":   "[general]\n", // chan_sip reads users.conf only with a sip.conf
				"users.conf": "[general]\nhassip = yes\ncontext = t-internal\n\n[6001]\nfullname = Hannah Hughes\ncallerid = \"Hanni\" <6001>\n",
			},
			peer: "6001",
			want: extFields{"6001", "Hannah Hughes", "", "Hannah Hughes", ""},
		},
		{
			name: "name/callerid name beats description",
			files: map[string]string{
				"sip.conf": "[201-T]\ntype=friend\nhost=dynamic\ndescription=Reception desk\ncallerid=\"Alice Anders\" <201>\n",
			},
			peer: "201-T",
			want: extFields{"201", "Alice Anders", "", "Alice Anders", ""},
		},
		{
			name: "name/unquoted callerid",
			files: map[string]string{
				"sip.conf": "[202-T]\ntype=friend\nhost=dynamic\ncallerid=Bob Baker <202>\n",
			},
			peer: "202-T",
			want: extFields{"202", "Bob Baker", "", "Bob Baker", ""},
		},
		{
			name: "name/description when callerid is only a number",
			files: map[string]string{
				"sip.conf": "[203-T]\ntype=friend\nhost=dynamic\ncallerid=<2030>\ndescription=Conference room\ndescription += (Polycom Trio)\n",
			},
			peer: "203-T",
			want: extFields{"2030", "Conference room (Polycom Trio)", "", "Conference room (Polycom Trio)", ""},
		},
		{
			// chan_sip reads a bare number as the caller ID number
			// (ast_callerid_split): it is no name.
			name: "name/callerid that is a bare number is no name",
			files: map[string]string{
				"sip.conf": "[205-T]\ntype=friend\nhost=dynamic\ncallerid=5145550205\n",
			},
			peer: "205-T",
			want: extFields{"205", "205-T", "", "205-T", ""},
		},
		{
			name: "name/the peer name when nothing else",
			files: map[string]string{
				"sip.conf": "[204-T]\ntype=friend\nhost=dynamic\n",
			},
			peer: "204-T",
			want: extFields{"204", "204-T", "", "204-T", ""},
		},
		// ---- ex_cidnum / ex_cidname ----
		{
			name: "cid/setvar OUTBOUND_CID_NUM and OUTBOUND_CID_NAME",
			files: map[string]string{
				"sip.conf": "[201-T]\ntype=friend\nhost=dynamic\ncallerid=\"Alice\" <201>\n" +
					"setvar=OUTBOUND_CID_NUM=5145550100\nsetvar=OUTBOUND_CID_NAME=Acme Corp\n",
			},
			peer: "201-T",
			want: extFields{"201", "Alice", "5145550100", "Acme Corp", ""},
		},
		{
			name: "cid/the last setvar wins",
			files: map[string]string{
				"sip.conf": "[201-T]\ntype=friend\nhost=dynamic\nsetvar=OUTBOUND_CID_NUM=111\nsetvar=OUTBOUND_CID_NUM=222\n",
			},
			peer: "201-T",
			want: extFields{"201", "201-T", "222", "201-T", ""},
		},
		{
			name: "cid/pjsip set_var",
			files: map[string]string{
				"pjsip.conf": "[301-T]\ntype=endpoint\ncontext=t-internal\ncallerid=\"Peter Park\" <301>\n" +
					"set_var=OUTBOUND_CID_NUM=2125550300\nset_var=OUTBOUND_CID_NAME=Initech\n",
			},
			peer: "301-T",
			want: extFields{"301", "Peter Park", "2125550300", "Initech", ""},
		},
		{
			name: "cid/users.conf cid_number, cidname falls back to ex_name",
			files: map[string]string{
				"sip.conf":   "[general]\n", // chan_sip reads users.conf only with a sip.conf
				"users.conf": "[6002]\nhassip = yes\ncontext = t-internal\nfullname = Ivan Ingram\ncid_number = 4165550211\n",
			},
			peer: "6002",
			want: extFields{"6002", "Ivan Ingram", "4165550211", "Ivan Ingram", ""},
		},
		{
			name: "cid/OUTBOUND_CID_NAME alone: cidnum stays empty",
			files: map[string]string{
				"sip.conf": "[205-T]\ntype=friend\nhost=dynamic\ncallerid=\"Eve\" <205>\nsetvar=OUTBOUND_CID_NAME=Tee Sales\n",
			},
			peer: "205-T",
			want: extFields{"205", "Eve", "", "Tee Sales", ""},
		},
		// ---- ex_callwaiting ----
		{
			name: "callwaiting/users.conf yes",
			files: map[string]string{
				"sip.conf":   "[general]\n", // chan_sip reads users.conf only with a sip.conf
				"users.conf": "[6003]\nhassip = yes\ncontext = t-internal\ncallwaiting = yes\n",
			},
			peer: "6003",
			want: extFields{"6003", "6003", "", "6003", "yes"},
		},
		{
			name: "callwaiting/users.conf no overrides [general] yes",
			files: map[string]string{
				"sip.conf":   "[general]\n", // chan_sip reads users.conf only with a sip.conf
				"users.conf": "[general]\nhassip = yes\ncallwaiting = yes\n\n[6004]\ncontext = t-internal\ncallwaiting = no\n",
			},
			peer: "6004",
			want: extFields{"6004", "6004", "", "6004", "no"},
		},
		{
			name: "callwaiting/users.conf [general] default",
			files: map[string]string{
				"sip.conf":   "[general]\n", // chan_sip reads users.conf only with a sip.conf
				"users.conf": "[general]\nhassip = yes\ncallwaiting = yes\n\n[6005]\ncontext = t-internal\n",
			},
			peer: "6005",
			want: extFields{"6005", "6005", "", "6005", "yes"},
		},
		{
			name: "callwaiting/setvar CALLWAITING=no",
			files: map[string]string{
				"sip.conf": "[206-T]\ntype=friend\nhost=dynamic\nsetvar=CALLWAITING=no\n",
			},
			peer: "206-T",
			want: extFields{"206", "206-T", "", "206-T", "no"},
		},
		{
			name: "callwaiting/setvar CALLWAITING=true normalised to yes",
			files: map[string]string{
				"sip.conf": "[207-T]\ntype=friend\nhost=dynamic\nsetvar=CALLWAITING=true\n",
			},
			peer: "207-T",
			want: extFields{"207", "207-T", "", "207-T", "yes"},
		},
		{
			name: "callwaiting/setvar CALLWAITING=0 normalised to no",
			files: map[string]string{
				"sip.conf": "[208-T]\ntype=friend\nhost=dynamic\nsetvar=CALLWAITING=0\n",
			},
			peer: "208-T",
			want: extFields{"208", "208-T", "", "208-T", "no"},
		},
		{
			name: "callwaiting/setvar CALLWAITING= empty is unset",
			files: map[string]string{
				"sip.conf": "[209-T]\ntype=friend\nhost=dynamic\nsetvar=CALLWAITING=\n",
			},
			peer: "209-T",
			want: extFields{"209", "209-T", "", "209-T", ""},
		},
		{
			name: "callwaiting/unset",
			files: map[string]string{
				"sip.conf": "[210-T]\ntype=friend\nhost=dynamic\n",
			},
			peer: "210-T",
			want: extFields{"210", "210-T", "", "210-T", ""},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ini := tc.ini
			if ini == "" {
				ini = tenantT
			}
			s := loadPBX(t, ini, tc.files)
			e := mustExtOfPeer(t, s, tc.peer)
			if got := fieldsOf(e); got != tc.want {
				t.Errorf("extension of %s:\n got %+v\nwant %+v", tc.peer, got, tc.want)
			}
			if len(s.Tenants) == 0 || e.TenantID != s.Tenants[0].ID {
				t.Errorf("TenantID = %q", e.TenantID)
			}
		})
	}
}

// TestSIPTemplates: templates (!) are inherited in order, own lines win,
// a (+) section is layered on, and templates are never peers.
func TestSIPTemplates(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, tenantT, map[string]string{
		"sip.conf": `[general]
context=public

[base](!)
type=friend
host=dynamic
context=t-internal
setvar=CALLWAITING=no
setvar=OUTBOUND_CID_NUM=5550000

[desk](!,base)
setvar=OUTBOUND_CID_NAME=Desk Co

[201-T](desk)
callerid="Alice" <201>
secret=first-secret-201

[202-T](desk)
setvar=CALLWAITING=yes
setvar=OUTBOUND_CID_NUM=5550202

#include sip-late.conf
`,
		"sip-late.conf": `
[201-T](+)
secret=second-secret-201
description=added later

[notype]
host=dynamic
`,
	})
	e1 := mustExtOfPeer(t, s, "201-T")
	if got, want := fieldsOf(e1), (extFields{"201", "Alice", "5550000", "Desk Co", "no"}); got != want {
		t.Errorf("201-T: got %+v want %+v", got, want)
	}
	p := e1.Peers[0]
	if p.Secret != "second-secret-201" || p.SecretKind != index.SecretPlain {
		t.Errorf("201-T secret = %q (%s), want the (+) one", p.Secret, p.SecretKind)
	}
	if p.SecretPos.File != "sip-late.conf" || p.SecretPos.Line != 3 {
		t.Errorf("201-T secret position = %s, want sip-late.conf:3", p.SecretPos)
	}
	if p.Host != "dynamic" || p.Context != "t-internal" || p.Tech != "SIP" || p.Source != "sip.conf" || p.Type != "friend" {
		t.Errorf("201-T peer = %+v", p)
	}
	if p.Pos.File != "sip.conf" || p.Pos.Line != 14 {
		t.Errorf("201-T position = %s, want sip.conf:14", p.Pos)
	}
	e2 := mustExtOfPeer(t, s, "202-T")
	if got, want := fieldsOf(e2), (extFields{"202", "202-T", "5550202", "Desk Co", "yes"}); got != want {
		t.Errorf("202-T: got %+v want %+v", got, want)
	}
	for _, n := range []string{"base", "desk", "general", "notype"} {
		if peerOf(s, n) != nil {
			t.Errorf("%s is listed as a peer", n)
		}
	}
	if len(s.Extensions) != 2 {
		t.Errorf("%d extensions, want 2: %s", len(s.Extensions), describeExts(s))
	}
	if !hasDiag(s.Diags, parser.Warning, "notype", "type") {
		t.Errorf("no warning for the section without type=: %v", s.Diags)
	}
}

// TestUsersConf: [general] defaults apply to every user; hassip=no drops
// one; a sip.conf section of the same name is layered on the user.
func TestUsersConf(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, tenantT, map[string]string{
		"sip.conf": "[general]\n", // chan_sip reads users.conf only with a sip.conf
		"users.conf": `[general]
hassip = yes
context = t-internal
callwaiting = yes
nat = force_rport,comedia

[6001]
fullname = Ann Archer
secret = Ann-6001-secret!
cid_number = 5550001

[6002]
fullname = Bo Brown
hassip = no

[6003]
fullname = Cy Chen
callwaiting = no
host = 192.0.2.60

[tpl](!)
fullname = Template
`,
	})
	e1 := mustExtOfPeer(t, s, "6001")
	if got, want := fieldsOf(e1), (extFields{"6001", "Ann Archer", "5550001", "Ann Archer", "yes"}); got != want {
		t.Errorf("6001: got %+v want %+v", got, want)
	}
	p := e1.Peers[0]
	// No host= anywhere: chan_sip builds the peer without a host (it could
	// not even register).
	if p.Source != "users.conf" || p.Tech != "SIP" || p.Host != "" || p.Context != "t-internal" ||
		p.Secret != "Ann-6001-secret!" || p.SecretKind != index.SecretPlain {
		t.Errorf("6001 peer = %+v (secret %q)", p, p.Secret)
	}
	if extOfPeer(s, "6002") != nil {
		t.Errorf("6002 has hassip = no but is listed")
	}
	if extOfPeer(s, "tpl") != nil {
		t.Errorf("a users.conf template is listed")
	}
	e3 := mustExtOfPeer(t, s, "6003")
	if e3.CallWaiting != "no" || e3.Peers[0].Host != "192.0.2.60" {
		t.Errorf("6003: callwaiting %q host %q", e3.CallWaiting, e3.Peers[0].Host)
	}
}

// TestPJSIPJoin: an endpoint takes its password from its auth and its
// host from its AOR's contact; a missing auth is a warning.
func TestPJSIPJoin(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, tenantT, map[string]string{
		"pjsip.conf": `[transport-udp]
type=transport
protocol=udp
bind=0.0.0.0:5060

[ep](!)
type=endpoint
context=t-internal
disallow=all
allow=ulaw

[401-T](ep)
callerid="Dora Diaz" <401>
auth=401-T-auth
aors=401-T

[401-T-auth]
type=auth
auth_type=userpass
username=401-T
password=pw-401-Tee-long

[401-T]
type=aor
contact=sip:401@192.0.2.44:5062;transport=udp

[402-T](ep)
auth=402-T
aors=402-T

[402-T]
type=auth
auth_type=md5
username=402-T
md5_cred=0123456789abcdef0123456789abcdef

[402-T]
type=aor
max_contacts=1

[403-T](ep)
auth=403-T-missing
aors=403-T

[403-T]
type=aor
max_contacts=1
`,
		"extensions.conf": "[t-internal]\nexten => 401,1,Dial(PJSIP/401-T,20)\nexten => 402,1,Dial(PJSIP/402-T,20)\n",
	})
	p1 := mustExtOfPeer(t, s, "401-T").Peers[0]
	if p1.Tech != "PJSIP" || p1.Source != "pjsip.conf" || p1.Type != "endpoint" {
		t.Errorf("401-T: %+v", p1)
	}
	if p1.Secret != "pw-401-Tee-long" || p1.SecretKind != index.SecretPassword {
		t.Errorf("401-T secret %q kind %q", p1.Secret, p1.SecretKind)
	}
	if p1.Host != "192.0.2.44:5062" {
		t.Errorf("401-T host %q, want the contact's 192.0.2.44:5062", p1.Host)
	}
	if p1.Context != "t-internal" {
		t.Errorf("401-T context %q (from the endpoint template)", p1.Context)
	}
	if e := mustExtOfPeer(t, s, "401-T"); e.Name != "Dora Diaz" || e.Number != "401" {
		t.Errorf("401-T extension %+v", fieldsOf(e))
	}
	p2 := mustExtOfPeer(t, s, "402-T").Peers[0]
	if p2.Secret != "0123456789abcdef0123456789abcdef" || p2.SecretKind != index.SecretMD5Cred || p2.Host != "dynamic" {
		t.Errorf("402-T secret %q kind %q host %q", p2.Secret, p2.SecretKind, p2.Host)
	}
	e3 := mustExtOfPeer(t, s, "403-T")
	if p3 := e3.Peers[0]; p3.Secret != "" || p3.SecretKind != "" {
		t.Errorf("403-T has secret %q kind %q without an auth", p3.Secret, p3.SecretKind)
	}
	if !hasDiag(s.Diags, parser.Warning, "403-T", "403-T-missing") {
		t.Errorf("no warning for the missing auth: %v", s.Diags)
	}
	if peerOf(s, "transport-udp") != nil || peerOf(s, "401-T-auth") != nil || peerOf(s, "ep") != nil {
		t.Errorf("a transport, auth or template is listed as a peer")
	}
}

// TestPJSIPWizard: a type=wizard section is an endpoint peer; one with
// remote_hosts that does not accept registrations is a trunk.
func TestPJSIPWizard(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, tenantT, map[string]string{
		"pjsip.conf": `[501-T]
type=wizard
accepts_registrations=yes
accepts_auth=yes
inbound_auth/username=501-T
inbound_auth/password=wizard-pw-501-long
endpoint/context=t-internal
endpoint/allow=ulaw

[carrier]
type=wizard
sends_auth=yes
sends_registrations=yes
remote_hosts=sip.carrier.example:5060
outbound_auth/username=tee
outbound_auth/password=carrier-pw-long-enough
endpoint/context=t-inbound
`,
		"extensions.conf": "[t-internal]\nexten => 501,1,Dial(PJSIP/501-T,20)\n" +
			"exten => _9X.,1,Dial(PJSIP/${EXTEN:1}@carrier)\n[t-inbound]\nexten => 5550100,1,Goto(t-internal,501,1)\n",
	})
	e := mustExtOfPeer(t, s, "501-T")
	p := e.Peers[0]
	if e.Number != "501" || p.Tech != "PJSIP" || p.Host != "dynamic" || p.Context != "t-internal" ||
		p.Secret != "wizard-pw-501-long" || p.SecretKind != index.SecretPassword {
		t.Errorf("501-T: number %q peer %+v secret %q", e.Number, p, p.Secret)
	}
	tr := trunkOf(s, "carrier")
	if tr == nil {
		t.Fatalf("carrier wizard is not a trunk; extensions %s", describeExts(s))
	}
	if tr.Host != "sip.carrier.example:5060" || tr.TenantID != tenantByKey(t, s, "T").ID {
		t.Errorf("carrier: host %q tenant %q", tr.Host, tr.TenantID)
	}
}

// TestPJSIPWizardCallerID: the wizard's endpoint/ options are the
// endpoint's, so endpoint/callerid names the extension and
// endpoint/set_var gives its outbound caller ID.
func TestPJSIPWizardCallerID(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, tenantT, map[string]string{
		"pjsip.conf": `[wendy-T]
type=wizard
accepts_registrations=yes
accepts_auth=yes
inbound_auth/username=wendy-T
inbound_auth/password=wizard-pw-wendy-long
endpoint/context=t-internal
endpoint/callerid="Wendy Walsh" <502>
endpoint/set_var=OUTBOUND_CID_NUM=5550502
`,
	})
	e := mustExtOfPeer(t, s, "wendy-T")
	want := extFields{"502", "Wendy Walsh", "5550502", "Wendy Walsh", ""}
	if got := fieldsOf(e); got != want {
		t.Errorf("wizard extension fields %+v, want %+v (from endpoint/callerid and endpoint/set_var)", got, want)
	}
}

// TestSIPAndPJSIPSameName: SIP/x and PJSIP/x are two devices when both
// drivers define x; a name only one of them defines is found whatever the
// technology the Dial names (half-migrated configurations).
func TestSIPAndPJSIPSameName(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, tenantT, map[string]string{
		"sip.conf":   "[desk-T]\ntype=friend\nhost=dynamic\ncontext=t-internal\n\n[carol-T]\ntype=friend\nhost=dynamic\ncontext=t-internal\n",
		"pjsip.conf": "[desk-T]\ntype=endpoint\ncontext=t-internal\n",
		"extensions.conf": "[t-internal]\nexten => 100,1,Dial(SIP/desk-T,20)\nexten => 200,1,Dial(PJSIP/desk-T,20)\n" +
			"exten => 300,1,Dial(PJSIP/carol-T,20)\n",
	})
	for tech, want := range map[string]string{"SIP": "100", "PJSIP": "200"} {
		var got []string
		for _, e := range s.Extensions {
			for _, p := range e.Peers {
				if p.Name == "desk-T" && p.Tech == tech {
					got = append(got, e.Number)
				}
			}
		}
		if !slices.Equal(got, []string{want}) {
			t.Errorf("%s desk-T in extensions %v, want [%s]; extensions %s", tech, got, want, describeExts(s))
		}
	}
	if e := mustExtOfPeer(t, s, "carol-T"); e.Number != "300" {
		t.Errorf("carol-T number %q, want 300 (PJSIP/carol-T finds the sip.conf peer)", e.Number)
	}
}

// TestMD5Secret: md5secret= is the peer's secret, marked as such.
func TestMD5Secret(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, tenantT, map[string]string{
		"sip.conf": "[403-T]\ntype=friend\nhost=dynamic\ncontext=t-internal\nmd5secret=6e8a3cfaf88d3b9a29e19df0f4b3fcf0\n\n" +
			"[404-T]\ntype=friend\nhost=dynamic\ncontext=t-internal\n",
	})
	p := mustExtOfPeer(t, s, "403-T").Peers[0]
	if p.Secret != "6e8a3cfaf88d3b9a29e19df0f4b3fcf0" || p.SecretKind != index.SecretMD5 {
		t.Errorf("403-T secret %q kind %q", p.Secret, p.SecretKind)
	}
	if p.SecretPos.Line != 5 {
		t.Errorf("403-T secret position %s", p.SecretPos)
	}
	if p := mustExtOfPeer(t, s, "404-T").Peers[0]; p.Secret != "" || p.SecretKind != "" {
		t.Errorf("404-T secret %q kind %q, want none", p.Secret, p.SecretKind)
	}
}

// TestTenantAssignment: the longest -<code> suffix, then the first peers
// glob, then the first contexts glob; no tenant is a warning.
func TestTenantAssignment(t *testing.T) {
	t.Parallel()
	ini := `[tenant Dorval]
code = Dorval

[tenant UD]
code = Uniglobe-Dorval

[tenant Lobby]
peers = lobby-*, door*

[tenant Ctx]
contexts = ctx-*

[tenant Ctx2]
contexts = ctx-*, c2-*
`
	peer := func(name, ctx string) string {
		s := "[" + name + "]\ntype=friend\nhost=dynamic\n"
		if ctx != "" {
			s += "context=" + ctx + "\n"
		}
		return s + "\n"
	}
	s := loadPBX(t, ini, map[string]string{
		"sip.conf": peer("251-Uniglobe-Dorval", "") + peer("252-Dorval", "") + peer("lobby-1", "ctx-a") +
			peer("lobby-Dorval", "") + peer("253-Dorval", "ctx-a") + peer("doorphone", "") +
			peer("phone9", "ctx-b") + peer("phone10", "c2-x") + peer("stray", "nowhere") + peer("nocontext", ""),
	})
	want := map[string]string{
		"251-Uniglobe-Dorval": "UD",     // the longest code
		"252-Dorval":          "Dorval", // code
		"lobby-1":             "Lobby",  // peers glob beats contexts glob
		"lobby-Dorval":        "Dorval", // code beats peers glob
		"253-Dorval":          "Dorval", // code beats contexts glob
		"doorphone":           "Lobby",  // second glob of the list
		"phone9":              "Ctx",    // the first tenant whose contexts glob matches
		"phone10":             "Ctx2",
	}
	for name, key := range want {
		e := extOfPeer(s, name)
		if e == nil {
			t.Errorf("%s: not listed", name)
			continue
		}
		if te := s.TenantByID(e.TenantID); te == nil || te.Key != key {
			t.Errorf("%s: tenant %v, want %s", name, te, key)
		}
		if e.Peers[0].TenantID != e.TenantID {
			t.Errorf("%s: peer tenant %q != extension tenant %q", name, e.Peers[0].TenantID, e.TenantID)
		}
	}
	for _, name := range []string{"stray", "nocontext"} {
		if extOfPeer(s, name) != nil {
			t.Errorf("%s has no tenant but is listed", name)
		}
		if !hasDiag(s.Diags, parser.Warning, name, "no tenant") {
			t.Errorf("no warning for %s: %v", name, s.Diags)
		}
	}
	for _, te := range s.Tenants {
		if !te.Declared {
			t.Errorf("tenant %s not marked declared", te.Key)
		}
	}
}

// TestTenantDiscovery: without [tenant] sections there is one tenant per
// distinct context of the (non-trunk) peers, named after it.
func TestTenantDiscovery(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, discoverContexts+user("sales", "role = tenant\ntenants = sales"), map[string]string{
		"sip.conf": `[101]
type=friend
host=dynamic
context=from-internal

[102]
type=friend
host=dynamic
context=from-internal

[201]
type=friend
host=dynamic
context=sales

[provider]
type=peer
host=sip.provider.example
context=from-pstn
`,
		"pjsip.conf": "[301]\ntype=endpoint\ncontext=from-internal\n",
		"extensions.conf": `[from-internal]
exten => 101,1,Dial(SIP/101)
exten => 102,1,Dial(SIP/102)
exten => 301,1,Dial(PJSIP/301)
exten => _9X.,1,Dial(SIP/provider/${EXTEN:1})
[sales]
exten => 201,1,Dial(SIP/201)
[from-pstn]
exten => 5550100,1,Goto(from-internal,101,1)
`,
	})
	var keys []string
	for _, te := range s.Tenants {
		keys = append(keys, te.Key)
		if te.Declared {
			t.Errorf("discovered tenant %s marked declared", te.Key)
		}
		if te.Name != te.Key {
			t.Errorf("discovered tenant %s named %q", te.Key, te.Name)
		}
		if !slices.Contains(te.Contexts, te.Key) {
			t.Errorf("tenant %s lacks its own context: %v", te.Key, te.Contexts)
		}
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"from-internal", "sales"}) {
		t.Fatalf("tenants %v, want [from-internal sales] (no tenant for the trunk's context)", keys)
	}
	fi := tenantByKey(t, s, "from-internal")
	if n := len(s.ExtensionsByTenant(fi.ID)); n != 3 {
		t.Errorf("from-internal has %d extensions, want 3 (101, 102, 301)", n)
	}
	if e := mustExtOfPeer(t, s, "201"); e.TenantID != tenantByKey(t, s, "sales").ID {
		t.Errorf("201 in tenant %s", e.TenantID)
	}
	u := s.UserByName("sales")
	if u == nil || !slices.Equal(u.Tenants, []string{tenantByKey(t, s, "sales").ID}) {
		t.Errorf("user sales: %+v", u)
	}
	// from-pstn is nobody's context, but it reaches only from-internal.
	if p := trunkOf(s, "provider"); p == nil || p.TenantID != fi.ID {
		t.Errorf("provider trunk %+v, want it in from-internal (its context reaches only that tenant)", p)
	}
	if ds := destsFrom(s, "DID", "from-pstn,5550100,1"); len(ds) != 1 || ds[0].TenantID != fi.ID || ds[0].TypeDst != "EXT" {
		t.Errorf("DID of from-pstn: %+v", ds)
	}
	if extOfPeer(s, "provider") != nil {
		t.Errorf("provider trunk listed as an extension")
	}
}

// TestDiscoveredTrunkOwner: without [tenant] sections a trunk's inbound
// context is nobody's (tenants come from the phones' contexts). The
// tenant that context reaches owns the trunk, so its DIDs are that
// tenant's; when it reaches none, the only tenant if there is one; else
// nobody, with a warning at the trunk.
func TestDiscoveredTrunkOwner(t *testing.T) {
	t.Parallel()
	const phones = "[101]\ntype=friend\nhost=dynamic\ncontext=office\n\n[201]\ntype=friend\nhost=dynamic\ncontext=shop\n\n"
	const trunk = "[provider]\ntype=peer\nhost=sip.provider.example\ncontext=from-pstn\n" // line 1 of its own
	const dialplan = "[office]\nexten => 101,1,Dial(SIP/101)\nexten => _9X.,1,Dial(SIP/provider/${EXTEN:1})\n" +
		"[shop]\nexten => 201,1,Dial(SIP/201)\n"
	cases := []struct {
		name   string
		sip    string // after phones
		inbox  string // the dialplan of from-pstn and what it includes
		owner  string // tenant key, "" for none
		did    string // a DID source of from-pstn the owner lists
		warned string // a warning names the trunk with this text
	}{
		{
			name:  "Goto into one tenant's context",
			inbox: "[from-pstn]\nexten => 5550100,1,Goto(office,101,1)\n",
			owner: "office", did: "from-pstn,5550100,1",
		},
		{
			name:  "Dial of one tenant's phone",
			inbox: "[from-pstn]\nexten => 5550200,1,Dial(SIP/201,30)\n same => n,Hangup()\n",
			owner: "shop", did: "from-pstn,5550200,1",
		},
		{
			name:  "through a context of nobody's",
			inbox: "[from-pstn]\ninclude => did-routing\n[did-routing]\nexten => 5550100,1,Gosub(office,101,1)\n",
			owner: "office",
		},
		{
			name:   "reaches two tenants",
			inbox:  "[from-pstn]\nexten => 5550100,1,Goto(office,101,1)\nexten => 5550200,1,Goto(shop,201,1)\n",
			warned: "reaches several: office, shop",
		},
		{
			name:   "reaches none of two",
			inbox:  "[from-pstn]\nexten => _X.,1,Playback(tt-weasels)\n same => n,Hangup()\n",
			warned: "reaches no tenant",
		},
		{
			name:   "no context at all",
			sip:    "[other]\ntype=peer\nhost=sip.other.example\n\n",
			inbox:  "[from-pstn]\nexten => 5550100,1,Goto(office,101,1)\n",
			owner:  "office",
			warned: "trunk other belongs to no tenant",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sip := phones + c.sip + trunk
			dial := dialplan
			if c.sip != "" {
				dial += "[office-out]\nexten => _8X.,1,Dial(SIP/other/${EXTEN:1})\n"
			}
			s := loadPBX(t, discoverContexts, map[string]string{"sip.conf": sip, "extensions.conf": dial + c.inbox})
			p := trunkOf(s, "provider")
			switch {
			case c.owner == "" && (p == nil || p.TenantID != ""):
				t.Errorf("provider %+v, want it listed under no tenant", p)
			case c.owner != "" && (p == nil || p.TenantID != tenantByKey(t, s, c.owner).ID):
				t.Errorf("provider %+v, want it in %s", p, c.owner)
			}
			if c.did != "" {
				if ds := destsFrom(s, "DID", c.did); len(ds) != 1 || ds[0].TenantID != tenantByKey(t, s, c.owner).ID {
					t.Errorf("DID %s: %+v;%s", c.did, ds, describeDests(s))
				}
			}
			if c.warned != "" {
				found := false
				for _, d := range s.Diags {
					if d.Severity == parser.Warning && strings.Contains(d.Message, c.warned) && d.Pos.File == "sip.conf" && d.Pos.Line > 0 {
						found = true
					}
				}
				if !found {
					t.Errorf("no warning with a position says %q: %v", c.warned, s.Diags)
				}
			}
		})
	}

	// One tenant: its trunk, even one whose context reaches nothing.
	s := loadPBX(t, discoverContexts, map[string]string{
		"sip.conf":        "[101]\ntype=friend\nhost=dynamic\ncontext=office\n\n" + trunk,
		"extensions.conf": "[office]\nexten => 101,1,Dial(SIP/101)\n[from-pstn]\nexten => _X.,1,Hangup()\nexten => 5550100,1,Dial(SIP/${EXTEN})\n",
	})
	office := tenantByKey(t, s, "office")
	if p := trunkOf(s, "provider"); p == nil || p.TenantID != office.ID {
		t.Errorf("single tenant: provider %+v, want it in office", p)
	}
	if ds := destsFrom(s, "DID", "from-pstn,5550100,1"); len(ds) != 1 || ds[0].TenantID != office.ID {
		t.Errorf("single tenant: DIDs %+v;%s", ds, describeDests(s))
	}
}

// TestTenantContexts: globs, the peers' contexts, and what they reach by
// include, Goto, GotoIf, ExecIfTime and Gosub; a context another tenant
// claims is never pulled in.
func TestTenantContexts(t *testing.T) {
	t.Parallel()
	ini := "[tenant A]\ncode = A\ncontexts = a-*\n\n[tenant B]\ncode = B\ncontexts = b-*\n"
	s := loadPBX(t, ini, map[string]string{
		"sip.conf": "[1-A]\ntype=friend\nhost=dynamic\ncontext=phones-a\n\n[1-B]\ntype=friend\nhost=dynamic\ncontext=b-internal\n",
		"extensions.conf": `[phones-a]
include => shared-out
exten => 1,1,Dial(SIP/1-A)
exten => 2,1,Gosub(sub-a,s,1)
exten => 3,1,Goto(b-internal,1,1)
exten => 4,1,GotoIf($["${X}" = "1"]?cond-yes,s,1:cond-no,s,1)
exten => 6,1,ExecIfTime(*,*,*,*?Goto(tc-a,s,1))

[shared-out]
exten => _9X.,1,Goto(deep,s,1)

[deep]
exten => s,1,Hangup()

[sub-a]
exten => s,1,Return()

[cond-yes]
exten => s,1,Hangup()

[cond-no]
exten => s,1,Hangup()

[tc-a]
exten => s,1,Hangup()

[a-inbound]
exten => 5550100,1,Goto(phones-a,1,1)

[b-internal]
exten => 1,1,Dial(SIP/1-B)
 same => n,Goto(b-private,s,1)
 same => n,Goto(phones-a,1,1)

[b-private]
exten => s,1,Hangup()

[orphan]
exten => s,1,Hangup()
`,
	})
	wantA := []string{"a-inbound", "cond-no", "cond-yes", "deep", "phones-a", "shared-out", "sub-a", "tc-a"}
	wantB := []string{"b-internal", "b-private"}
	if got := tenantByKey(t, s, "A").Contexts; !slices.Equal(got, wantA) {
		t.Errorf("A contexts\n got %v\nwant %v", got, wantA)
	}
	if got := tenantByKey(t, s, "B").Contexts; !slices.Equal(got, wantB) {
		t.Errorf("B contexts\n got %v\nwant %v", got, wantB)
	}
}

// TestTrunks: a peer dialed with a number after it is a trunk of its
// tenant, and so is a type=peer with a fixed host that no extension dials;
// trunks are never extensions.
func TestTrunks(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, tenantT, map[string]string{
		"sip.conf": `[trunk](!)
type=peer
insecure=port,invite
context=t-inbound

[prov1](trunk)
host=sip1.provider.example
secret=prov1-secret-long-enough

[prov2]
type=friend
host=dynamic
context=t-inbound

[prov4](trunk)
host=sip4.provider.example

[fixedphone-T]
type=peer
host=192.0.2.7
context=t-internal

[frienddesk-T]
type=friend
host=192.0.2.8
context=t-internal

[201-T]
type=friend
host=dynamic
context=t-internal
`,
		"pjsip.conf": "[prov3]\ntype=endpoint\ncontext=t-inbound\naors=prov3\n\n[prov3]\ntype=aor\ncontact=sip:pbx.provider3.example\n",
		"extensions.conf": `[t-internal]
exten => 201,1,Dial(SIP/201-T,20)
exten => 299,1,Dial(SIP/fixedphone-T,20)
exten => _9X.,1,Dial(SIP/prov1/${EXTEN:1},60)
exten => _8X.,1,Dial(SIP/${EXTEN:1}@prov2,60)
exten => _7X.,1,Dial(PJSIP/${EXTEN:1}@prov3,60)

[t-inbound]
exten => 5550100,1,Goto(t-internal,201,1)
`,
	})
	tid := tenantByKey(t, s, "T").ID
	var trunks []string
	for _, p := range s.Trunks {
		trunks = append(trunks, p.Name)
		if !p.Trunk || p.TenantID != tid {
			t.Errorf("trunk %s: Trunk=%v tenant %q", p.Name, p.Trunk, p.TenantID)
		}
	}
	if want := []string{"prov1", "prov2", "prov3", "prov4"}; !slices.Equal(trunks, want) {
		t.Errorf("trunks %v, want %v", trunks, want)
	}
	if got := s.TrunksByTenant(tid); len(got) != 4 {
		t.Errorf("TrunksByTenant: %d trunks", len(got))
	}
	for _, n := range []string{"prov1", "prov2", "prov3", "prov4"} {
		if extOfPeer(s, n) != nil {
			t.Errorf("trunk %s listed as an extension", n)
		}
	}
	if p := trunkOf(s, "prov3"); p != nil && p.Host != "pbx.provider3.example" {
		t.Errorf("prov3 host %q", p.Host)
	}
	if p := trunkOf(s, "prov1"); p != nil && (p.Host != "sip1.provider.example" || p.Secret != "prov1-secret-long-enough") {
		t.Errorf("prov1 host %q secret %q", p.Host, p.Secret)
	}
	if e := extOfPeer(s, "fixedphone-T"); e == nil || e.Number != "299" {
		t.Errorf("fixed-host type=peer dialed alone should be extension 299: %v", e)
	}
	if e := extOfPeer(s, "frienddesk-T"); e == nil {
		t.Errorf("a type=friend with a fixed host is a phone, not a trunk")
	}
	if len(s.Extensions) != 3 {
		t.Errorf("extensions: %s", describeExts(s))
	}
}

// TestSharedNumber: peers of one tenant that share a number are one
// extension; the same number in two tenants is two.
func TestSharedNumber(t *testing.T) {
	t.Parallel()
	ini := "[tenant A]\ncode = A\ncontexts = a-*\n\n[tenant B]\ncode = B\ncontexts = b-*\n"
	s := loadPBX(t, ini, map[string]string{
		"sip.conf": "[201-A]\ntype=friend\nhost=dynamic\ncontext=a-internal\ncallerid=\"Desk\" <201>\n\n" +
			"[201-A-mobile]\ntype=friend\nhost=dynamic\ncontext=a-internal\ncallerid=\"Mobile\" <201>\n\n" +
			"[201-B]\ntype=friend\nhost=dynamic\n",
	})
	if len(s.Extensions) != 2 {
		t.Fatalf("extensions: %s", describeExts(s))
	}
	a := mustExtOfPeer(t, s, "201-A")
	if len(a.Peers) != 2 || a.Peers[1].Name != "201-A-mobile" || a.Name != "Desk" {
		t.Errorf("201 of A: %+v peers %d", fieldsOf(a), len(a.Peers))
	}
	b := mustExtOfPeer(t, s, "201-B")
	if b.ID == a.ID || b.TenantID == a.TenantID {
		t.Errorf("A's and B's 201 share an ID or a tenant")
	}
}

// TestSIPGeneralContext: chan_sip gives a peer without context= the
// [general] context, so that is the context discovery and the contexts
// globs see.
func TestSIPGeneralContext(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, discoverContexts, map[string]string{
		"sip.conf":        "[general]\ncontext=office\nallowguest=no\n\n[100]\ntype=friend\nhost=dynamic\nsecret=Office-100-secret\n",
		"extensions.conf": "[office]\nexten => 100,1,Dial(SIP/100,20)\n",
	})
	p := peerOf(s, "100")
	if p == nil || p.Context != "office" || len(s.Tenants) != 1 || s.Tenants[0].Key != "office" {
		var ctx string
		if p != nil {
			ctx = p.Context
		}
		t.Errorf("peer 100 context %q, %d tenants; want [general] context=office and one tenant office", ctx, len(s.Tenants))
	}
}

// TestTrunkWithoutTenantDiagnosed: issue #4 wants a diagnostic with a
// position for everything skipped. A trunk that no tenant claims is
// neither listed nor audited, so it needs one as much as a phone does.
func TestTrunkWithoutTenantDiagnosed(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, tenantT, map[string]string{
		"sip.conf":        "[201-T]\ntype=friend\nhost=dynamic\ncontext=t-internal\n\n[provider]\ntype=peer\nhost=sip.provider.example\ncontext=from-pstn\n",
		"extensions.conf": "[t-internal]\nexten => 201,1,Dial(SIP/201-T)\nexten => _9X.,1,Dial(SIP/provider/${EXTEN:1})\n",
	})
	if trunkOf(s, "provider") != nil {
		t.Fatalf("provider has no tenant but is listed")
	}
	if !hasDiag(s.Diags, parser.Warning, "provider") {
		t.Errorf("no warning names the trunk without a tenant: %v", s.Diags)
	}
}
