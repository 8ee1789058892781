package index_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/parser"
)

// Tests written against mutants that survived `make mutate` (see
// scripts/mutate.sh): each pins one behaviour a plausible one-line bug
// would change without any other test noticing.

// A PJSIP endpoint whose AOR has a fixed contact (a gateway or a
// provider that takes calls at a known address, no registration, no
// outbound auth) and that no extension dials alone is a trunk, even in
// the phones' context; dialled alone by an extension, it is that
// extension's phone.
func TestPJSIPFixedContactTrunk(t *testing.T) {
	t.Parallel()
	const pjsip = "[gw]\ntype=endpoint\ncontext=from-internal\naors=gw\n\n[gw]\ntype=aor\ncontact=sip:198.51.100.20:5060\n"
	const sip = "[101]\ntype=friend\nhost=dynamic\ncontext=from-internal\n"
	const dialplan = "[from-internal]\nexten => 101,1,Dial(SIP/101)\n"
	cases := []struct {
		name, ext string
		trunk     bool
	}{
		{name: "dialled by no extension", trunk: true},
		{name: "dialled with a number after it", ext: "exten => _9X.,1,Dial(PJSIP/${EXTEN:1}@gw)\n", trunk: true},
		{name: "dialled alone by extension 150", ext: "exten => 150,1,Dial(PJSIP/gw,20)\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := loadPBX(t, "", map[string]string{"sip.conf": sip, "pjsip.conf": pjsip, "extensions.conf": dialplan + c.ext})
			if got := trunkOf(s, "gw") != nil; got != c.trunk {
				t.Errorf("gw trunk = %v, want %v; extensions %s", got, c.trunk, describeExts(s))
			}
			if got := extOfPeer(s, "gw") != nil; got == c.trunk {
				t.Errorf("gw listed as a phone = %v, want %v; extensions %s", got, !c.trunk, describeExts(s))
			}
		})
	}
}

// A tenant declared twice in astapi.ini (two headers that differ only in
// blanks, which ini keeps apart) is refused, naming it.
func TestTenantDeclaredTwice(t *testing.T) {
	t.Parallel()
	ini := writePBX(t, "[tenant acme]\ncontexts = acme-*\n\n[tenant  acme]\ncontexts = other-*\n", map[string]string{"extensions.conf": "[acme-in]\n"})
	_, err := index.Load(ini)
	if err == nil || !strings.Contains(err.Error(), "tenant acme") || !strings.Contains(err.Error(), "declared twice") {
		t.Errorf("Load: %v, want an error naming tenant acme declared twice", err)
	}
}

// TestSIPPeerInfoOptions: the peer's info as chan_sip builds it from
// options no other test reads alone: ACL lines (an empty one sets none,
// a bad one deletes the peer and the warning names the first), mailboxes
// (hasvoicemail only when no mailbox is set; duplicates and blanks
// dropped) and which kind of secret is set.
func TestSIPPeerInfoOptions(t *testing.T) {
	t.Parallel()
	peer := func(name, lines string) string {
		return "[" + name + "]\ntype=friend\nhost=dynamic\ncontext=phones\n" + lines
	}
	s := loadPBX(t, "", map[string]string{"sip.conf": peer("201", "permit=192.168.1.0/24\nsecret=Plain1Secret\n") +
		peer("202", "permit=\nmd5secret=0123456789abcdef0123456789abcdef\n") +
		peer("203", "deny=bogus\npermit=alsobad\n") +
		peer("204", "mailbox=300@default\nhasvoicemail=yes\n") +
		peer("205", "hasvoicemail=yes\n") +
		peer("206", "mailbox=301, 301 ,,302\n")})
	info := func(name string) index.PeerInfo {
		t.Helper()
		p := peerOf(s, name)
		if p == nil {
			t.Fatalf("peer %s missing", name)
		}
		return p.Info
	}
	if i := info("201"); !i.ACL || !i.SecretSet || i.MD5SecretSet {
		t.Errorf("201: ACL %v, secret %v, md5secret %v; want true, true, false", i.ACL, i.SecretSet, i.MD5SecretSet)
	}
	if i := info("202"); i.ACL || i.SecretSet || !i.MD5SecretSet {
		t.Errorf("202: ACL %v, secret %v, md5secret %v; want false, false, true", i.ACL, i.SecretSet, i.MD5SecretSet)
	}
	if peerOf(s, "203") != nil {
		t.Errorf("203 has bad ACL lines: Asterisk deletes it")
	}
	if !hasDiag(s.Diags, parser.Warning, "deny=bogus", "deletes the peer") || hasDiag(s.Diags, parser.Warning, "alsobad") {
		t.Errorf("want one warning, naming deny=bogus: %v", s.Diags)
	}
	for name, want := range map[string]string{"204": "300@default", "205": "205@default", "206": "301,302"} {
		if got := info(name).Mailbox; got != want {
			t.Errorf("%s: mailbox %q, want %q", name, got, want)
		}
	}
}

// TestNumberFromDialSites: a phone whose name is no extension gets the
// number of an extension that dials it alone: the one in the context
// that comes first in the dialplan, and within it the extension written
// first (whatever the order of the Dial()s).
func TestNumberFromDialSites(t *testing.T) {
	t.Parallel()
	peer := func(name string) string {
		return "[" + name + "]\ntype=friend\nhost=dynamic\ncontext=c1\n"
	}
	s := loadPBX(t, "", map[string]string{
		"sip.conf": peer("desk1") + peer("desk2") + peer("desk3") + peer("desk4"),
		"extensions.conf": "[c1]\n" +
			"exten => 100,1,NoOp()\n" +
			"exten => 102,1,Dial(SIP/desk2)\n" + // c1 before c2, although 202 comes first in c2
			"exten => 150,1,Dial(SIP/desk3)\n" +
			"exten => 140,1,Dial(SIP/desk3)\n" + // 150 is written first
			"exten => 160,1,NoOp()\n" +
			"exten => 170,1,Dial(SIP/desk4)\n" +
			"exten => 160,2,Dial(SIP/desk4)\n" + // 160 is written first, its Dial() comes later
			"[c2]\nexten => 202,1,Dial(SIP/desk2)\n" +
			"[c3]\nexten => 301,1,Dial(SIP/desk1)\n",
	})
	for name, want := range map[string]string{"desk1": "301", "desk2": "102", "desk3": "150", "desk4": "160"} {
		if e := extOfPeer(s, name); e == nil || e.Number != want {
			t.Errorf("%s: %v, want number %s; all: %s", name, e, want, describeExts(s))
		}
	}
}

// TestPJSIPPeerInfo: the peer info of PJSIP endpoints and wizards: the
// first AOR's mailboxes unless the endpoint names its own, insecure and
// dtmf defaults, force_rport off, ACL options, a wizard without
// remote_hosts.
func TestPJSIPPeerInfo(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, "", map[string]string{"pjsip.conf": `
[a1]
type=aor
mailboxes=501@default
[a2]
type=aor
mailboxes=502@default
[a3]
type=aor
[auth501]
type=auth
auth_type=userpass
username=501
password=Pjsip1Secret
[501]
type=endpoint
context=phones
aors=a1,a2
auth=auth501
dtmf_mode=inband
force_rport=no
rtp_symmetric=yes
[502]
type=endpoint
context=phones
aors=a3,a2
mailboxes=777@default
permit=10.0.0.0/8
[503]
type=wizard
endpoint/context=phones
accepts_registrations=yes
inbound_auth/username=503
inbound_auth/password=Wizard1Secret
endpoint/mailboxes=503@default
[auth505]
type=auth
auth_type=md5
username=505
md5_cred=0123456789abcdef0123456789abcdef
[505]
type=endpoint
context=phones
aors=a3
auth=auth505
[504]
type=wizard
endpoint/context=phones
aor/contact=sip:504@203.0.113.9:5060
`})
	for name, want := range map[string]string{
		"501": "mailbox 501@default insecure no dtmf inband nat comedia acl false dynamic true secret true md5 false",
		"502": "mailbox 777@default insecure invite dtmf rfc4733 nat force_rport acl true dynamic true secret false md5 false",
		"503": "mailbox 503@default insecure no dtmf rfc4733 nat force_rport acl false dynamic true secret true md5 false",
		"504": "mailbox  insecure invite dtmf rfc4733 nat force_rport acl false dynamic false secret false md5 false",
		"505": "mailbox  insecure no dtmf rfc4733 nat force_rport acl false dynamic true secret false md5 true",
	} {
		p := peerOf(s, name)
		if p == nil {
			t.Errorf("%s missing", name)
			continue
		}
		i := p.Info
		if got := fmt.Sprintf("mailbox %s insecure %s dtmf %s nat %s acl %v dynamic %v secret %v md5 %v", i.Mailbox, i.Insecure, i.DTMFMode, i.NAT, i.ACL, i.Dynamic, i.SecretSet, i.MD5SecretSet); got != want {
			t.Errorf("%s: %s\nwant %s", name, got, want)
		}
	}
}

// TestFixedHostDIDLength: a friend at a fixed address whose context
// answers a literal number of seven digits or more (a DID) is a trunk;
// six digits, or a pattern, is an extension.
func TestFixedHostDIDLength(t *testing.T) {
	t.Parallel()
	gw := func(name, ctx string) string {
		return "[" + name + "]\ntype=friend\nhost=203.0.113.1\ncontext=" + ctx + "\n"
	}
	s := loadPBX(t, "", map[string]string{
		"sip.conf": "[100]\ntype=friend\nhost=dynamic\ncontext=phones\n" + gw("gw7", "did7") + gw("gw6", "did6") + gw("gwx", "didx"),
		"extensions.conf": "[phones]\nexten => 100,1,Dial(SIP/100)\n" +
			"[did7]\nexten => 5551234,1,Dial(SIP/100)\n" +
			"[did6]\nexten => 555123,1,Dial(SIP/100)\n" +
			"[didx]\nexten => 555123a,1,Dial(SIP/100)\nexten => 9555123,1,NoOp()\n",
	})
	for name, want := range map[string]bool{"gw7": true, "gw6": false, "gwx": true} {
		if got := trunkOf(s, name) != nil; got != want {
			t.Errorf("%s: trunk %v, want %v", name, got, want)
		}
	}
}

// TestUsersConfPINPos: a users.conf box's PIN is found at its vmsecret
// line (or secret's); without one it points at the user's section.
func TestUsersConfPINPos(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, "", map[string]string{
		"users.conf": "[general]\nhasvoicemail=yes\ncontext=phones\n\n[6001]\nfullname=A\nvmsecret=4821\n\n[6002]\nfullname=B\n",
	})
	got := map[string]int{}
	for _, m := range s.Mailboxes {
		got[m.Box] = m.PINPos.Line
	}
	if got["6001"] != 7 || got["6002"] != 9 {
		t.Errorf("PIN lines %v, want 6001:7 (vmsecret) and 6002:9 (the section)", got)
	}
}
