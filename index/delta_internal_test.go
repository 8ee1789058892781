package index

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/astapi/astapi/internal/pbxgen"
	"github.com/astapi/astapi/parser"
)

// TestDeltaPatchesAsAnew: after each edit of one tenant's dialplan file,
// the graph of contexts and the index of Dial() uses that a reload
// patched from the last load's are those derived anew from the same
// dialplan and peers: the same edges, remarks and uses, sites in the
// same order.
func TestDeltaPatchesAsAnew(t *testing.T) {
	dir := t.TempDir()
	ini, err := pbxgen.Write(dir, pbxgen.Spec{Tenants: 20, PeersPerTenant: 4, DialplanPerPeer: 4,
		PasswordHash: pbxgen.DemoHash, AdminUser: "admin", FilePerTenant: true})
	if err != nil {
		t.Fatal(err)
	}
	_, extFile := pbxgen.TenantFiles(2)
	path := filepath.Join(dir, "asterisk", extFile)
	// A phone of no tenant: a reload that gives the phones their tenants
	// again (ownersAgain) reports the last load's list of them.
	sip, err := os.OpenFile(filepath.Join(dir, "asterisk", "sip.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = sip.WriteString("\n[stray]\ntype=friend\nhost=dynamic\nsecret=Stray1Secret9\ncontext=nobodys\n")
	sip.Close()
	if err != nil {
		t.Fatal(err)
	}
	prev, err := Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []struct {
		name, text string
		edges      bool // the edit changes the graph of contexts
		// kept: the extensions are taken over whole (numbersKept): the
		// same peers, tenants' contexts and numbers.
		kept bool
		// owners: the phones' tenants are the last load's (ownersAgain):
		// the same declarations, peers and trunk flags.
		owners bool
	}{
		{"an include of no context", "[t2-internal](+)\ninclude => t2-nowhere\n", false, true, true},
		{"a Dial of an unknown peer", "[t2-internal](+)\nexten => 903,1,Dial(SIP/nobody-T2)\n", false, true, true},
		{"a phone dialled with a number", "[t2-internal](+)\nexten => 901,1,Dial(SIP/103-T2/5551234)\n", false, false, false},
		// t2-ivr comes before t3-internal, where 101-T3 is dialled already.
		{"another tenant's phone dialled alone, before its own site", "[t2-ivr](+)\nexten => 7001,1,Dial(SIP/101-T3)\nexten => 7002,1,Dial(SIP/101-T3)\n", false, true, true},
		{"a jump to another tenant's context", "[t2-internal](+)\nexten => 904,1,Goto(t3-internal,100,1)\n", true, false, true},
	} {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.WriteString(st.text)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		b := &builder{prev: prev}
		lastDP, lastExts, lastOrphans := prev.parsed.dp, prev.parsed.exts, prev.parsed.orphans
		if prev, err = b.load(ini); err != nil {
			t.Fatal(err)
		}
		if d := deltaOf(lastDP, b.dp); !d.patch || len(d.changed) == 0 {
			t.Fatalf("%s: not patched (%d contexts changed)", st.name, len(d.changed))
		}
		if kept := sameArray(lastExts, prev.parsed.exts); kept != st.kept {
			t.Errorf("%s: extensions taken over %v, want %v", st.name, kept, st.kept)
		}
		if again := sameArray(lastOrphans, prev.parsed.orphans); again != st.owners {
			t.Errorf("%s: the phones' tenants taken over %v, want %v", st.name, again, st.owners)
		}
		if !b.dialIdx.patched || prev.parsed.graph.kept == st.edges {
			t.Errorf("%s: Dial() index patched %v, graph kept %v; want patched, kept %v", st.name, b.dialIdx.patched, prev.parsed.graph.kept, !st.edges)
		}
		anew := b.indexDialsAnew()
		if len(anew.uses) != len(b.dials) {
			t.Errorf("%s: %d peers dialled, want %d", st.name, len(b.dials), len(anew.uses))
		}
		for p, want := range anew.uses {
			got := b.dials[p]
			if got == nil || got.numbered != want.numbered || !slices.Equal(got.alone, want.alone) {
				t.Errorf("%s: peer %s: uses %+v, want %+v", st.name, p.Name, got, want)
			}
		}
		notes := func(m map[*parser.Context]parser.Diagnostics) parser.Diagnostics {
			var out parser.Diagnostics
			for _, n := range m {
				out = append(out, n...)
			}
			out.Sort()
			return out
		}
		if got, want := notes(b.dialIdx.notes), notes(anew.notes); !slices.Equal(got, want) {
			t.Errorf("%s: Dial() remarks %v, want %v", st.name, got, want)
		}
		graph := prev.parsed.graph
		drawn := b.drawContexts(nil, dialplanDelta{})
		if len(graph.edges) != len(drawn.edges) {
			t.Errorf("%s: %d contexts with edges, want %d", st.name, len(graph.edges), len(drawn.edges))
		}
		for name, want := range drawn.edges {
			if got := graph.edges[name]; !slices.Equal(got, want) {
				t.Errorf("%s: context %s leads to %v, want %v", st.name, name, got, want)
			}
		}
		if got, want := notes(graph.notes), notes(drawn.notes); !slices.Equal(got, want) {
			t.Errorf("%s: graph remarks %v, want %v", st.name, got, want)
		}
	}
}

// sameArray reports whether a and b are the same non-empty slice of one
// array: a list taken over, not made again.
func sameArray[T any](a, b []T) bool { return len(a) > 0 && len(a) == len(b) && &a[0] == &b[0] }
