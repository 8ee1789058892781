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
		sameDialIndex(t, st.name, b.dialIdx, b.indexDialsAnew())
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
		if got, want := allNotes(graph.notes), allNotes(drawn.notes); !slices.Equal(got, want) {
			t.Errorf("%s: graph remarks %v, want %v", st.name, got, want)
		}
	}
}

// sameDialIndex reports where got's uses and remarks differ from want's.
func sameDialIndex(t *testing.T, name string, got, want *dialIndex) {
	t.Helper()
	if len(want.uses) != len(got.uses) {
		t.Errorf("%s: %d peers dialled, want %d", name, len(got.uses), len(want.uses))
	}
	for p, w := range want.uses {
		g := got.uses[p]
		if g == nil || g.numbered != w.numbered || !slices.Equal(g.alone, w.alone) {
			t.Errorf("%s: peer %s: uses %+v, want %+v", name, p.Name, g, w)
		}
	}
	if g, w := allNotes(got.notes), allNotes(want.notes); !slices.Equal(g, w) {
		t.Errorf("%s: Dial() remarks %v, want %v", name, g, w)
	}
}

// allNotes is the remarks of every context, sorted.
func allNotes(m map[*parser.Context]parser.Diagnostics) parser.Diagnostics {
	var out parser.Diagnostics
	for _, n := range m {
		out = append(out, n...)
	}
	out.Sort()
	return out
}

// TestDialIndexHalves: the Dial() index made in two halves at once and
// merged is the one made in one pass: counts of numbered uses added, the
// second half's sites after the first's, the remarks of both.
func TestDialIndexHalves(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"astapi.ini": "[server]\nasterisk_dir = .\n",
		"sip.conf":   "[general]\n[trunk]\ntype=peer\nhost=192.0.2.1\n[100]\ntype=friend\nhost=dynamic\n",
		"extensions.conf": "[c1]\nexten => 1,1,Dial(SIP/trunk/5551)\nexten => 2,1,Dial(SIP/ghost1)\n" +
			"[c2]\nexten => 100,1,Dial(SIP/100)\nexten => 3,1,Dial(SIP/trunk/5552)\n" +
			"[c3]\nexten => 4,1,Dial(SIP/trunk/5553)\nexten => 200,1,Dial(SIP/trunk)\n" +
			"[c4]\nexten => 101,1,Dial(SIP/100)\nexten => 5,1,Dial(SIP/ghost2)\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := Load(filepath.Join(dir, "astapi.ini"))
	if err != nil {
		t.Fatal(err)
	}
	b := &builder{dp: snap.parsed.dp, scans: snap.parsed.ctxScans, peers: snap.parsed.peers}
	halves, whole := b.indexDialsAnew(), b.indexDialsOf(0, len(b.dp.Contexts))
	sameDialIndex(t, "halves", halves, whole)
	if u := whole.uses[b.peers.getSIP("trunk")]; u == nil || u.numbered != 3 || len(u.alone) != 1 {
		t.Errorf("the trunk's uses %+v, want 3 numbered and one site", u)
	}
	if u := whole.uses[b.peers.getSIP("100")]; u == nil || len(u.alone) != 2 {
		t.Errorf("100's uses %+v, want two sites", u)
	}
	if n := len(allNotes(whole.notes)); n != 2 {
		t.Errorf("%d remarks, want two (ghost1, ghost2)", n)
	}
}

// sameArray reports whether a and b are the same non-empty slice of one
// array: a list taken over, not made again.
func sameArray[T any](a, b []T) bool { return len(a) > 0 && len(a) == len(b) && &a[0] == &b[0] }
