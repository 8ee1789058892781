package index_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/parser"
)

// TestSectionOwners: each peer's section belongs to the peer's tenant,
// in whichever file it lies (the last file read included); a peer of no
// tenant (lobby: not listed), a template and [general] belong to none; a context to the
// tenants whose contexts it is. Files are read in turns (sip.conf, its
// include, sip.conf again), so a section's file changes between lookups.
func TestSectionOwners(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, "[tenant acme]\nname = Acme\ncode = AC\ncontexts = acme-*\n\n[tenant bolt]\nname = Bolt\ncode = BO\ncontexts = bolt-*\n",
		map[string]string{
			"sip.conf": "[general]\ncontext=nowhere\n\n[phone](!)\ntype=friend\nhost=dynamic\n\n" + // 1, 4
				"[101](phone)\ncontext=acme-phones\n\n" + // 8
				"#include bolt.conf\n\n" +
				"[102](phone)\ncontext=acme-phones\n\n" + // 13
				"[lobby](phone)\ncontext=nowhere\n", // 16
			"bolt.conf": "[201](phone)\ncontext=bolt-phones\n\n[202](phone)\ncontext=bolt-phones\n", // 1, 4
			"extensions.conf": "[acme-phones]\nexten => 101,1,Dial(SIP/101)\nexten => 102,1,Dial(SIP/102)\n\n" + // 1
				"[bolt-phones]\nexten => 201,1,Dial(SIP/201)\nexten => 202,1,Dial(SIP/202)\n\n" + // 5
				"[nowhere]\nexten => 1,1,Hangup()\n", // 9
		})
	acme, bolt := tenantByKey(t, s, "acme").ID, tenantByKey(t, s, "bolt").ID
	for _, c := range []struct {
		file string
		line int
		want []string
	}{
		{"sip.conf", 1, nil}, {"sip.conf", 2, nil}, {"sip.conf", 4, nil},
		{"sip.conf", 8, []string{acme}}, {"sip.conf", 9, []string{acme}},
		{"bolt.conf", 1, []string{bolt}}, {"bolt.conf", 5, []string{bolt}},
		{"sip.conf", 13, []string{acme}}, {"sip.conf", 17, nil},
		{"extensions.conf", 2, []string{acme}}, {"extensions.conf", 6, []string{bolt}}, {"extensions.conf", 10, nil},
	} {
		if got := s.DiagTenants(parser.Pos{File: c.file, Line: c.line}); !slices.Equal(got, c.want) {
			t.Errorf("%s:%d belongs to %v, want %v", c.file, c.line, got, c.want)
		}
	}
}

// TestSectionOwnersConcurrent: a load's section owners are worked out at
// the first question, which many requests may ask at once; they all get
// the same answer (go test -race checks the rest).
func TestSectionOwnersConcurrent(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, "[tenant acme]\nname = Acme\ncode = AC\ncontexts = acme-*\n",
		map[string]string{
			"sip.conf":        "[101]\ntype=friend\nhost=dynamic\ncontext=acme-phones\n",
			"extensions.conf": "[acme-phones]\nexten => 101,1,Dial(SIP/101)\n",
		})
	acme := tenantByKey(t, s, "acme").ID
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for _, pos := range []parser.Pos{{File: "sip.conf", Line: 2}, {File: "extensions.conf", Line: 2}} {
				if got := s.DiagTenants(pos); !slices.Equal(got, []string{acme}) {
					t.Errorf("%s belongs to %v, want [%s]", pos, got, acme)
				}
			}
		})
	}
	wg.Wait()
}

// TestPeerTypeLayered: a second section of a sip.conf peer is another
// build_peer run on it: its type= is the peer's type.
func TestPeerTypeLayered(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, "", map[string]string{
		"sip.conf":        "[300]\ntype=peer\nhost=dynamic\ncontext=phones\n\n[300]\ntype=friend\n",
		"extensions.conf": "[phones]\nexten => 300,1,Dial(SIP/300)\n",
	})
	if p := peerOf(s, "300"); p == nil || p.Type != "friend" {
		t.Errorf("peer 300: %+v, want type friend", p)
	}
}

// TestObjectByIDWithoutFlow: a snapshot without a call flow finds no
// object.
func TestObjectByIDWithoutFlow(t *testing.T) {
	if o := index.NewSnapshot(&index.Snapshot{}).ObjectByID("1"); o != nil {
		t.Errorf("found %+v", o)
	}
}
