package index_test

import (
	"strings"
	"testing"

	"github.com/astapi/astapi/index"
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
