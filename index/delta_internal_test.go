package index

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

// TestDialIndexOverPeerEdits: after each edit of one tenant's peers, the
// Dial() index patched from the last load's (the contexts that dial a
// name whose peer changed indexed again) is the one made anew: a peer
// added that a Dial() named in vain, one changed, one renamed away.
func TestDialIndexOverPeerEdits(t *testing.T) {
	dir := t.TempDir()
	ini, err := pbxgen.Write(dir, pbxgen.Spec{Tenants: 20, PeersPerTenant: 4, DialplanPerPeer: 4,
		PasswordHash: pbxgen.DemoHash, AdminUser: "admin", FilePerTenant: true})
	if err != nil {
		t.Fatal(err)
	}
	sipFile, extFile := pbxgen.TenantFiles(2)
	edit := func(file, old, new string) {
		path := filepath.Join(dir, "asterisk", file)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if old == "" {
			b = append(b, new...)
		} else if b = []byte(strings.Replace(string(b), old, new, 1)); !strings.Contains(string(b), new) {
			t.Fatalf("%s has no %q", file, old)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	edit(extFile, "", "[t2-internal](+)\nexten => 903,1,Dial(SIP/later-T2)\nexten => 904,1,Dial(SIP/101-T2/5551234)\n")
	prev, err := Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []struct {
		name, file string
		old, new   string
		ext        string // appended to the tenant's dialplan file too
	}{
		// 103-T2 becomes a trunk: the load gives it a copy of its own
		// (settlePeers), which the next load's peer of the same section
		// is not.
		{name: "a phone dialled with a number", file: extFile, new: "[t2-internal](+)\nexten => 905,1,Dial(SIP/103-T2/5551234)\n"},
		{name: "a phone added that a Dial() named", file: sipFile, new: "\n[later-T2](t2-phone)\nsecret=Later2Secret9x\n"},
		{name: "a phone dialled alone and with a number changed", file: sipFile,
			old: "[101-T2](t2-phone)\nsecret=", new: "[101-T2](t2-phone)\nhost=10.0.0.9\nsecret="},
		{name: "a phone renamed away", file: sipFile, old: "[102-T2](t2-phone)", new: "[102x-T2](t2-phone)"},
		{name: "nothing", file: sipFile, new: "; a comment\n"},
		{name: "a phone added, and a Dial() of it", file: sipFile, new: "\n[both-T2](t2-phone)\nsecret=Both2Secret9x\n",
			ext: "[t2-internal](+)\nexten => 906,1,Dial(SIP/both-T2)\n"},
	} {
		edit(st.file, st.old, st.new)
		if st.ext != "" {
			edit(extFile, "", st.ext)
		}
		b := &builder{prev: prev}
		if prev, err = b.load(ini); err != nil {
			t.Fatal(err)
		}
		if b.dialIdx.again < 0 {
			t.Errorf("%s: the Dial() index made anew, not patched", st.name)
		}
		if st.file == sipFile && st.ext == "" && b.dialIdx.again > 2 {
			t.Errorf("%s: %d contexts indexed again, want at most the two that dial the phone", st.name, b.dialIdx.again)
		}
		sameDialIndex(t, st.name, b.dialIdx, b.indexDialsAnew())
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

// TestTenantContextsOverPeerEdits: a phone added to a tenant's peer file
// in a context its tenant claims already leaves the tenants' contexts as
// they were, taken over (claimsAgain); a phone that claims another
// context for its tenant, and its removal, have them worked out again.
// Each time they are those of a load from nothing.
func TestTenantContextsOverPeerEdits(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string, flag int) {
		t.Helper()
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_WRONLY|flag, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(body); err != nil {
			t.Fatal(err)
		}
	}
	phone := func(name, ctx string) string {
		return "[" + name + "]\ntype=friend\nhost=dynamic\nsecret=Secret" + name + "Xy9\ncontext=" + ctx + "\n"
	}
	write("astapi.ini", "[server]\nasterisk_dir = .\n\n[tenant A]\ncode = A\ncontexts = a-*\n\n[tenant B]\ncode = B\ncontexts = b-*\npeers = 3*\n", os.O_TRUNC)
	write("sip.conf", "[general]\n#include a.conf\n#include b.conf\n", os.O_TRUNC)
	write("a.conf", phone("201", "a-phones")+phone("202", "a-phones"), os.O_TRUNC)
	write("b.conf", phone("301", "b-phones"), os.O_TRUNC)
	write("extensions.conf", "[a-phones]\nexten => 201,1,Dial(SIP/201)\n[b-phones]\nexten => 301,1,Dial(SIP/301)\n"+
		"[shared]\nexten => 500,1,Playback(x)\n", os.O_TRUNC)
	ini := filepath.Join(dir, "astapi.ini")
	prev, err := Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []struct {
		name, file, body string
		kept             bool
	}{
		{"a phone in a context its tenant claims", "b.conf", phone("302", "b-phones"), true},
		{"a phone claiming another context", "b.conf", phone("303", "shared"), false},
		{"nothing", "b.conf", "; a comment\n", true},
		{"that phone gone", "b.conf", "", false},
	} {
		if st.body == "" {
			write(st.file, phone("301", "b-phones")+phone("302", "b-phones"), os.O_TRUNC)
		} else {
			write(st.file, st.body, os.O_APPEND)
		}
		b := &builder{prev: prev}
		if prev, err = b.load(ini); err != nil {
			t.Fatal(err)
		}
		if b.reachKept != st.kept {
			t.Errorf("%s: tenants' contexts taken over %v, want %v", st.name, b.reachKept, st.kept)
		}
		fresh, err := Load(ini)
		if err != nil {
			t.Fatal(err)
		}
		for i, tn := range prev.Tenants {
			if !slices.Equal(tn.Contexts, fresh.Tenants[i].Contexts) {
				t.Errorf("%s: tenant %s: contexts %v, want %v", st.name, tn.Key, tn.Contexts, fresh.Tenants[i].Contexts)
			}
		}
	}
}

// TestClaimsAgain: claimsAgain by hand, for what a reload from files
// rarely shows: a peer shared with the last load whose tenant changed,
// and too many pairs to check one by one.
func TestClaimsAgain(t *testing.T) {
	p1, p2 := &Peer{Name: "p1", Context: "x"}, &Peer{Name: "p2", Context: "x"}
	set := func(was []int32, list ...*Peer) *peerSet {
		return &peerSet{peerCore: &peerCore{list: list}, was: was}
	}
	last := &parsedFiles{peers: set(nil, p1, p2), ownerAt: []int32{0, 1}}
	for _, c := range []struct {
		name    string
		ownerAt []int32
		want    bool
	}{
		{"the same tenants", []int32{0, 1}, true},
		{"p1 to tenant 1: nothing claims x for tenant 0", []int32{1, 1}, false},
		{"both swapped: the same pairs", []int32{1, 0}, true},
	} {
		b := &builder{peers: set([]int32{0, 1}, p1, p2), ownerAt: c.ownerAt}
		if got := b.claimsAgain(last); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	var many []*Peer
	var owners, was []int32
	for i := range maxTouchedClaims + 1 {
		many = append(many, &Peer{Name: fmt.Sprint(i), Context: fmt.Sprint("c", i)})
		owners, was = append(owners, 0), append(was, -1)
	}
	b := &builder{peers: set(was, many...), ownerAt: owners}
	if b.claimsAgain(&parsedFiles{peers: set(nil, many...), ownerAt: owners}) {
		t.Errorf("%d pairs checked one by one, past maxTouchedClaims", len(many))
	}
}
