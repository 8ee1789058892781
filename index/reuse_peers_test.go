package index_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/internal/pbxgen"
)

// TestLoadFromPeers: a reload copies the chan_sip peers of the sections
// it shares with the last load (files that did not change) rather than
// building them again. Each edit below lands in one included file, so
// the other files' sections are shared (parser.Refresh); the copies must still come out
// as a load from nothing builds them when a shared peer is changed from
// elsewhere: a second section of its name in the edited file (chan_sip
// runs those lines on it too), a bad ACL so added (Asterisk deletes the
// peer), a users.conf user of the same name (built first), [general]'s
// defaults changed.
func TestLoadFromPeers(t *testing.T) {
	ini := writePBX(t, discoverContexts+user("admin", "role = admin"), map[string]string{
		"sip.conf":           "#include sip.d/general.conf\n#include sip.d/a.conf\n#include sip.d/b.conf\n",
		"sip.d/general.conf": "[general]\ncontext=fallback\n",
		"sip.d/a.conf": "[201]\ntype=friend\nhost=dynamic\nsecret=Alpha1Secret22\ncontext=a-phones\ncallerid=\"Ann\" <201>\n\n" +
			"[202]\ntype=friend\nhost=dynamic\nsecret=Beta2Secret333\n\n" +
			"[prov-a]\ntype=peer\nhost=sip.provider.example\ncontext=a-in\n\n[no-type]\nhost=dynamic\n",
		"sip.d/b.conf": "[301]\ntype=friend\nhost=dynamic\nsecret=Gamma3Secret44\ncontext=b-phones\n",
		"extensions.conf": "[a-phones]\nexten => 201,1,Dial(SIP/201)\nexten => 202,1,Dial(SIP/202)\n" +
			"[a-in]\nexten => s,1,Dial(SIP/201)\n[b-phones]\nexten => 301,1,Dial(SIP/301)\n" +
			"[fallback]\nexten => 202,1,Dial(SIP/202)\n",
	})
	ast := filepath.Join(filepath.Dir(ini), "asterisk")
	steps := []struct {
		name, file, text string
	}{
		{"nothing changed", "", ""},
		{"the dialplan alone changed (the peers copied whole, their warning again)", "extensions.conf", "exten => 203,1,Dial(SIP/202)\n"},
		{"a peer added to the other file", "sip.d/b.conf", "\n[302]\ntype=friend\nhost=dynamic\nsecret=Delta4Secret55\ncontext=b-phones\n"},
		{"a second section of a shared peer", "sip.d/b.conf", "\n[201]\ncallerid=\"Ann Other\" <2010>\nsecret=Epsilon5Secret6\n"},
		{"a bad ACL on a shared peer", "sip.d/b.conf", "\n[202]\ndeny=not-an-address\n"},
		{"the peer made a user only", "sip.d/b.conf", "\n[prov-a]\ntype=user\n"},
		{"a users.conf user named like a shared peer", "users.conf", "[general]\nhassip=yes\n[201]\nfullname=Desk\nsecret=Zeta6Secret777\n"},
		{"[general]'s context changed", "sip.d/general.conf", "context=b-phones\n"},
	}
	prev, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range steps {
		if st.file != "" {
			appendLine(t, filepath.Join(ast, st.file), st.text)
		}
		prev = reloadLikeLoad(t, st.name, ini, prev)
	}
}

// TestLoadFromPeersTenantGone: astapi.ini drops a tenant while the peer
// files stay as they were: the peers copied whole lose the tenant the
// last load gave them.
func TestLoadFromPeersTenantGone(t *testing.T) {
	const tenantB = "[tenant B]\ncode = B\ncontexts = b-*\n\n"
	ini := writePBX(t, "[tenant A]\ncode = A\ncontexts = a-*\n\n"+tenantB+user("admin", "role = admin"), map[string]string{
		"sip.conf": "[201]\ntype=friend\nhost=dynamic\nsecret=Alpha1Secret22\ncontext=a-phones\n\n" +
			"[301]\ntype=friend\nhost=dynamic\nsecret=Gamma3Secret44\ncontext=b-phones\n",
		"extensions.conf": "[a-phones]\nexten => 201,1,Dial(SIP/201)\n[b-phones]\nexten => 301,1,Dial(SIP/301)\n",
	})
	prev, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(ini)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ini, bytes.Replace(data, []byte(tenantB), nil, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	reloadLikeLoad(t, "tenant B gone", ini, prev)
}

// TestLoadFromSharedPeers: when the peer files are unchanged, a reload
// shares the served snapshot's peers, and the extensions made of them,
// and never writes to them: a peer whose trunk flag or tenant changes is
// a copy in the new snapshot, and the next reload finds the copy by its
// name.
func TestLoadFromSharedPeers(t *testing.T) {
	const tenantB = "[tenant B]\ncode = B\ncontexts = b-*\n\n"
	ini := writePBX(t, "[tenant A]\ncode = A\ncontexts = a-*\n\n"+tenantB+user("admin", "role = admin"), map[string]string{
		"sip.conf": "[201]\ntype=friend\nhost=dynamic\nsecret=Alpha1Secret22\ncontext=a-phones\n\n" +
			"[202]\ntype=friend\nhost=dynamic\nsecret=Beta2Secret333\ncontext=a-phones\n\n" +
			"[301]\ntype=friend\nhost=dynamic\nsecret=Gamma3Secret44\ncontext=b-phones\n",
		"extensions.conf": "[a-phones]\nexten => 201,1,Dial(SIP/201)\nexten => 202,1,Dial(SIP/202)\n[b-phones]\nexten => 301,1,Dial(SIP/301)\n",
	})
	ast := filepath.Join(filepath.Dir(ini), "asterisk")
	peer := func(s *index.Snapshot, name string) *index.Peer { return peerNamed(t, s, name) }
	ext := func(s *index.Snapshot, number string) *index.Extension { return extNumbered(t, s, number) }
	first, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	appendLine(t, filepath.Join(ast, "extensions.conf"), "[a-phones](+)\nexten => 203,1,Dial(SIP/201)\n")
	second := reloadLikeLoad(t, "a dialplan edit that moves no peer", ini, first)
	for _, name := range []string{"201", "202", "301"} {
		if peer(second, name) != peer(first, name) {
			t.Errorf("peer %s: not shared with the served snapshot", name)
		}
		if ext(second, name) != ext(first, name) {
			t.Errorf("extension %s: not shared with the served snapshot", name)
		}
	}
	appendLine(t, filepath.Join(ast, "extensions.conf"), "exten => 9,1,Dial(SIP/202/5551234)\n")
	third := reloadLikeLoad(t, "a Dial makes 202 a trunk", ini, second)
	if p := peer(third, "202"); !p.Trunk || p == peer(second, "202") {
		t.Errorf("202 in the reload: trunk %v, shared %v; want a trunk, copied", p.Trunk, p == peer(second, "202"))
	}
	if p := peer(second, "202"); p.Trunk || p.TenantID == "" {
		t.Errorf("202 in the served snapshot: trunk %v, tenant %q; want it untouched", p.Trunk, p.TenantID)
	}
	if peer(third, "201") != peer(second, "201") || ext(third, "201") != ext(second, "201") {
		t.Error("201 (unchanged) is not shared any more")
	}
	// The next reload resolves Dial(SIP/202) to the copy: it stays a
	// trunk, and nothing differs from a load.
	appendLine(t, filepath.Join(ast, "extensions.conf"), "exten => 204,1,Dial(SIP/202)\n")
	fourth := reloadLikeLoad(t, "a reload after the copy", ini, third)
	if peer(fourth, "202") != peer(third, "202") {
		t.Error("the copy of 202 is not shared by the next reload")
	}
	data, err := os.ReadFile(ini)
	if err != nil {
		t.Fatal(err)
	}
	// astapi.ini gives 201 to tenant B by name: a phone with no code
	// goes where a peers glob says before its context's tenant.
	if err := os.WriteFile(ini, bytes.Replace(data, []byte(tenantB), []byte(tenantB[:len(tenantB)-1]+"peers = 201\n\n"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	fifth := reloadLikeLoad(t, "201 given to tenant B", ini, fourth)
	if p := peer(fifth, "201"); p.TenantID == peer(fourth, "201").TenantID {
		t.Error("201 kept its tenant")
	}
	if err := os.WriteFile(ini, bytes.Replace(data, []byte(tenantB), nil, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	reloadLikeLoad(t, "tenant B gone", ini, fifth)
	if p := peer(fourth, "301"); p.TenantID == "" {
		t.Error("301 in the served snapshot lost its tenant")
	}
}

// TestDialplanPatched: a reload that reads one tenant's dialplan file
// again patches the last load's graph of contexts and its index of how
// the Dial()s use the peers, rather than derive them anew; each step
// must still give what a load gives, remarks included: an include of a
// context that does not exist, a Dial() of an unknown peer, two phones
// dialled with a number (trunks: their extensions leave the sorted lists,
// and come back when the edits are taken out), a phone dialled alone
// from a context before its own, and each of those taken out again.
func TestDialplanPatched(t *testing.T) {
	ini, ast := tenantPBX(t, 20, 4) // 100 contexts: the 5 of a tenant's file are few
	_, extFile := pbxgen.TenantFiles(2)
	path := filepath.Join(ast, extFile)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	prev, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct{ name, text string }{
		{"an include of no context", "[t2-internal](+)\ninclude => t2-nowhere\n"},
		{"a Dial of an unknown peer", "[t2-internal](+)\nexten => 903,1,Dial(SIP/nobody-T2)\n"},
		{"two phones dialled with a number", "[t2-internal](+)\nexten => 901,1,Dial(SIP/103-T2/5551234)\nexten => 902,1,Dial(SIP/107-T2/5551234)\n"},
		{"a phone dialled alone first", "[t2-ivr](+)\nexten => 7001,1,Dial(SIP/105-T2)\n"},
		{"a jump to another tenant's context", "[t2-internal](+)\nexten => 904,1,Goto(t3-internal,100,1)\n"},
	}
	// A tenant no edit touches keeps its very lists: the reload merged
	// the others' changes into the served snapshot's, it did not group
	// everything again.
	other := tenantByKey(t, prev, "T7").ID
	for _, st := range steps {
		appendLine(t, path, st.text)
		next := reloadLikeLoad(t, st.name, ini, prev)
		if !sameArray(prev.ExtensionsByTenant(other), next.ExtensionsByTenant(other)) {
			t.Errorf("%s: tenant T7's extensions were grouped again", st.name)
		}
		if !sameArray(prev.EdgesByTenant(other), next.EdgesByTenant(other)) {
			t.Errorf("%s: tenant T7's call-flow edges were grouped again", st.name)
		}
		prev = next
	}
	if err := os.WriteFile(path, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	reloadLikeLoad(t, "all taken out again", ini, prev)
}

// TestTenantContextsPatched: a reload that changes a few contexts takes
// the tenants' contexts over only when the graph of contexts is the last
// load's: a new jump to a context of no tenant gives it to the tenant
// that jumps, and taking the jump out takes it back.
func TestTenantContextsPatched(t *testing.T) {
	files := map[string]string{
		"sip.conf":        "[101-A]\ntype=friend\nhost=dynamic\ncontext=a-internal\n\n[201-B]\ntype=friend\nhost=dynamic\ncontext=b-internal\n",
		"extensions.conf": "#include a.conf\n[b-internal]\nexten => 201,1,Dial(SIP/201-B)\n[shared-menu]\nexten => s,1,Background(menu)\n",
		"a.conf":          "[a-internal]\nexten => 101,1,Dial(SIP/101-A)\n",
	}
	files["extensions.conf"] += fillers(20) // the edited file's one context is a few of all
	ini := writePBX(t, "[tenant A]\ncode = A\ncontexts = a-*\n\n[tenant B]\ncode = B\ncontexts = b-*\n\n"+user("admin", "role = admin"), files)
	path := filepath.Join(filepath.Dir(ini), "asterisk", "a.conf")
	prev, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	appendLine(t, path, "exten => 5,1,Goto(shared-menu,s,1)\n")
	prev = reloadLikeLoad(t, "a jump to a context of no tenant", ini, prev)
	if err := os.WriteFile(path, []byte(files["a.conf"]), 0o644); err != nil {
		t.Fatal(err)
	}
	reloadLikeLoad(t, "the jump taken out", ini, prev)
}

// TestNumbersFollowEdits: a reload that changes a few contexts works out
// again only the numbers of the phones those contexts dial or name, and
// takes the extensions over when none changed; each edit here changes
// one: a Dial() of alice-A in a context before her own (and one in an
// inbound context and one in a trunk's context before that, which do not
// count: they have her old number, so counting one would keep that), an
// extension named like phone 202 (dialled from another file), and then
// both taken out.
func TestNumbersFollowEdits(t *testing.T) {
	aConf := "[a-inbound]\nexten => s,1,Hangup()\n[a-trunk]\nexten => s,1,Hangup()\n[a-menu]\nexten => s,1,Background(menu)\n" +
		"[a-phones]\nexten => 301,1,Dial(SIP/alice-A)\nexten => 201,1,Dial(SIP/201)\n"
	ini, path := tenantAPBX(t, "[alice-A]\ntype=friend\nhost=dynamic\ncontext=a-phones\n\n[201]\ntype=friend\nhost=dynamic\ncontext=a-phones\n\n"+
		"[202]\ntype=friend\nhost=dynamic\ncontext=a-phones\n\n[prov-A]\ntype=peer\nhost=sip.provider.example\ncontext=a-trunk\n",
		aConf, "[a-more]\nexten => 2020,1,Dial(SIP/202)\n")
	number := func(s *index.Snapshot, peer string) string {
		for _, e := range s.Extensions {
			for _, p := range e.Peers {
				if p.Name == peer {
					return e.Number
				}
			}
		}
		return ""
	}
	prev, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	if a, p := number(prev, "alice-A"), number(prev, "202"); a != "301" || p != "2020" {
		t.Fatalf("numbers before: alice-A %s, 202 %s; want 301, 2020", a, p)
	}
	dialled := strings.Replace(strings.ReplaceAll(aConf, "Hangup()\n", "Hangup()\nexten => 301,1,Dial(SIP/alice-A)\n"),
		"Background(menu)\n", "Background(menu)\nexten => 300,1,Dial(SIP/alice-A)\n", 1)
	for _, st := range []struct{ name, conf, alice, p202 string }{
		{"alice-A dialled before her own site", dialled, "300", "2020"},
		{"an extension named like 202", strings.Replace(dialled, "Background(menu)\n", "Background(menu)\nexten => 202,1,Answer()\n", 1), "300", "202"},
		{"both taken out", aConf, "301", "2020"},
	} {
		if err := os.WriteFile(path, []byte(st.conf), 0o644); err != nil {
			t.Fatal(err)
		}
		prev = reloadLikeLoad(t, st.name, ini, prev)
		if a, p := number(prev, "alice-A"), number(prev, "202"); a != st.alice || p != st.p202 {
			t.Errorf("%s: alice-A %s, 202 %s; want %s, %s", st.name, a, p, st.alice, st.p202)
		}
	}
}

// TestTrunksFollowEdits: a reload that changes a few contexts decides
// again the trunk flag of the peers those contexts dial, and of the peers
// whose own context changed, and of all when the graph of contexts
// changed; it keeps the others': a peer at a fixed address whose context
// gains a DID-length extension becomes a trunk, a phone of an unchanged
// context dialled with a number too, and a peer at a fixed address whose
// (unchanged) context comes to lead to an inbound one; and a phone of no
// tenant, reported as such at each reload, which a Dial() with a number
// makes a trunk (reported as a trunk of no tenant). Each is a phone again
// when its edit is taken out.
func TestTrunksFollowEdits(t *testing.T) {
	aConf := "[a-gw]\nexten => s,1,Hangup()\n[a-menu]\nexten => s,1,Background(menu)\n[a-incoming]\nexten => s,1,Answer()\n"
	ini, path := tenantAPBX(t, "[gw-A]\ntype=friend\nhost=10.0.0.9\ncontext=a-gw\n\n[bob-A]\ntype=friend\nhost=dynamic\ncontext=a-more\n\n"+
		"[gw2-A]\ntype=friend\nhost=10.0.0.10\ncontext=a-more\n\n[lobby]\ntype=friend\nhost=dynamic\ncontext=nowhere\n",
		aConf, "[a-more]\ninclude => a-menu\nexten => 301,1,Dial(SIP/bob-A)\n")
	trunk := func(s *index.Snapshot, name string) bool {
		return slices.ContainsFunc(s.Trunks, func(p *index.Peer) bool { return p.Name == name })
	}
	prev, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []struct {
		name, conf   string
		gw, bob, gw2 bool
	}{
		{"a menu key that changes no flag", strings.Replace(aConf, "Background(menu)\n", "Background(menu)\nexten => 1,1,Playback(hello)\n", 1), false, false, false},
		{"a DID-length extension in the gateway's context", strings.Replace(aConf, "Hangup()\n", "Hangup()\nexten => 5145550100,1,Hangup()\n", 1), true, false, false},
		{"bob dialled with a number", strings.Replace(aConf, "Background(menu)\n", "Background(menu)\nexten => 9,1,Dial(SIP/bob-A/5551234)\n", 1), false, true, false},
		{"the menu including an inbound context", strings.Replace(aConf, "Background(menu)\n", "Background(menu)\ninclude => a-incoming\n", 1), false, false, true},
		{"the lobby phone of no tenant dialled with a number", strings.Replace(aConf, "Background(menu)\n", "Background(menu)\nexten => 8,1,Dial(SIP/lobby/5551234)\n", 1), false, false, false},
		{"all taken out", aConf, false, false, false},
	} {
		if err := os.WriteFile(path, []byte(st.conf), 0o644); err != nil {
			t.Fatal(err)
		}
		prev = reloadLikeLoad(t, st.name, ini, prev)
		if gw, bob, gw2 := trunk(prev, "gw-A"), trunk(prev, "bob-A"), trunk(prev, "gw2-A"); gw != st.gw || bob != st.bob || gw2 != st.gw2 {
			t.Errorf("%s: trunks gw-A %v, bob-A %v, gw2-A %v; want %v, %v, %v", st.name, gw, bob, gw2, st.gw, st.bob, st.gw2)
		}
	}
}

// TestPeerEditsLikeLoad: a reload gives the peers it shares with the
// last load their tenants and trunk flags again as a load does: under
// code discovery a phone of no code takes the tenant of its context
// mates, and loses it when they go; a provider added is a trunk, and so
// is a phone [general] comes to register.
func TestPeerEditsLikeLoad(t *testing.T) {
	phone := func(name, ctx string) string {
		return fmt.Sprintf("[%s]\ntype=friend\nhost=dynamic\nsecret=Sx9%sSecret\ncontext=%s\n\n", name, name, ctx)
	}
	sip := phone("100-A", "a-phones") + phone("200-B", "b-phones") + phone("lonely", "a-phones") + phone("110-A", "a-lobby")
	dialplan := "[a-phones]\nexten => 100,1,Dial(SIP/100-A)\n[b-phones]\nexten => 200,1,Dial(SIP/200-B)\n"
	ini := writePBX(t, user("admin", "role = admin"), map[string]string{"sip.conf": sip, "phones.conf": dialplan,
		"extensions.conf": "#include phones.conf\n[a-lobby]\nexten => 110,1,Dial(SIP/110-A)\n" + fillers(40)})
	path := filepath.Join(filepath.Dir(ini), "asterisk", "sip.conf")
	var many strings.Builder // more phones than the Dial() index follows one by one
	for i := range 70 {
		many.WriteString(phone(fmt.Sprintf("%d-B", 400+i), "b-phones"))
	}
	prev, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	if e := extOfPeer(prev, "lonely"); e == nil {
		t.Fatal("lonely has no extension: not given its context mate's tenant")
	}
	for _, st := range []struct{ name, sip, dialplan string }{
		{"its mate moved to another context", strings.Replace(sip, "context=a-phones\n\n[200-B]", "context=x-phones\n\n[200-B]", 1), dialplan},
		{"back", sip, dialplan},
		{"a phone added", sip + phone("300-B", "b-phones"), dialplan},
		{"a provider added", sip + "[prov-B]\ntype=peer\nhost=10.0.0.1\ncontext=b-phones\n", dialplan},
		{"many phones added, and one dialled with a number", sip + many.String(),
			strings.Replace(dialplan, "Dial(SIP/200-B)", "Dial(SIP/110-A/5551234)", 1)},
		{"a phone registered", "[general]\nregister => u:pw@200-B\n\n" + sip + "[prov-B]\ntype=peer\nhost=10.0.0.1\ncontext=b-phones\n", dialplan},
	} {
		for _, f := range []struct{ name, text string }{{"sip.conf", st.sip}, {"phones.conf", st.dialplan}} {
			if err := os.WriteFile(filepath.Join(filepath.Dir(path), f.name), []byte(f.text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		prev = reloadLikeLoad(t, st.name, ini, prev)
	}
}

// TestSharedSectionLayered: a section the last load made a peer of is
// layered onto a new section of its name read before it, as a load does.
func TestSharedSectionLayered(t *testing.T) {
	phones := "[100-A]\ntype=friend\nhost=dynamic\nsecret=Sx9PhoneSecret\ncontext=a-phones\n\n[101-A]\ntype=friend\nhost=dynamic\nsecret=Sx9OtherSecret\ncontext=a-phones\n"
	ini := writePBX(t, "[tenant A]\ncode = A\n\n"+user("admin", "role = admin"), map[string]string{
		"sip.conf": "#include early.conf\n#include phones.conf\n", "early.conf": "", "phones.conf": phones,
		"extensions.conf": "[a-phones]\nexten => 100,1,Dial(SIP/100-A)\n"})
	prev, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	early := filepath.Join(filepath.Dir(ini), "asterisk", "early.conf")
	if err := os.WriteFile(early, []byte("[100-A]\ntype=peer\nhost=10.0.0.7\ncallerid=\"Early\" <100>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	reloadLikeLoad(t, "a section of its name before it", ini, prev)
}

// peerNamed is s's peer called name (of an extension, or a trunk).
func peerNamed(t *testing.T, s *index.Snapshot, name string) *index.Peer {
	t.Helper()
	for _, e := range s.Extensions {
		for _, p := range e.Peers {
			if p.Name == name {
				return p
			}
		}
	}
	for _, p := range s.Trunks {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no peer %s", name)
	return nil
}

// extNumbered is s's extension numbered number (the first of them).
func extNumbered(t *testing.T, s *index.Snapshot, number string) *index.Extension {
	t.Helper()
	for _, e := range s.Extensions {
		if e.Number == number {
			return e
		}
	}
	t.Fatalf("no extension %s", number)
	return nil
}

// TestPeerFileEditSharesPeers: a tenant's sip.conf file edited is
// spliced in (its template inherits one of sip.conf's), and the peers of
// the sections it did not touch are the served snapshot's very peers,
// with their extensions. A peer that changes tenant, or that a second
// section of its name builds on, is a copy: the served one is untouched.
func TestPeerFileEditSharesPeers(t *testing.T) {
	const tenants = "[tenant A]\ncode = A\ncontexts = a-*\n\n[tenant B]\ncode = B\ncontexts = b-*\n\n"
	phone := func(name, ctx string) string {
		return fmt.Sprintf("[%s](%s-phone)\nsecret=Secret%sXy9\ncallerid=\"User %s\" <%s>\n", name, ctx[:1], name, name, name)
	}
	// 32 phones in a.conf: b.conf's two or three extensions made again are
	// few of all, and
	// the extension lists are patched (see extensionLists).
	aConf := "[a-phone](!,phone)\ncontext=a-phones\n"
	for n := 201; n <= 232; n++ {
		aConf += phone(fmt.Sprint(n), "a-phones")
	}
	ini := writePBX(t, tenants+user("admin", "role = admin"), map[string]string{
		// b.conf first: a phone added there moves a.conf's in the list.
		"sip.conf": "[general]\n[phone](!)\ntype=friend\nhost=dynamic\n#include b.conf\n#include a.conf\n#include c.conf\n",
		"a.conf":   aConf,
		"b.conf":   "[b-phone](!,phone)\ncontext=b-phones\n" + phone("301", "b-phones"),
		"c.conf":   "[310](phone)\ncontext=b-phones\nsecret=Secret310Xy9\n",
		"extensions.conf": "[a-phones]\nexten => 201,1,Dial(SIP/201)\nexten => 202,1,Dial(SIP/202)\n" +
			"[b-phones]\nexten => 301,1,Dial(SIP/301)\nexten => 302,1,Dial(SIP/302)\n",
	})
	ast := filepath.Join(filepath.Dir(ini), "asterisk")
	first, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	appendLine(t, filepath.Join(ast, "b.conf"), phone("302", "b-phones"))
	second := reloadLikeLoad(t, "a phone added to b.conf", ini, first)
	if second.SIPGeneral != first.SIPGeneral {
		t.Fatal("sip.conf parsed whole: the test no longer tests a splice")
	}
	for _, name := range []string{"201", "202"} {
		if peerNamed(t, second, name) != peerNamed(t, first, name) {
			t.Errorf("peer %s (a.conf, unchanged): not shared with the served snapshot", name)
		}
		if extNumbered(t, second, name) != extNumbered(t, first, name) {
			t.Errorf("extension %s: not shared with the served snapshot", name)
		}
	}
	if peerNamed(t, second, "302").TenantID != tenantByKey(t, second, "B").ID {
		t.Error("302: not tenant B's")
	}
	if a := tenantByKey(t, second, "A").ID; !sameArray(second.ExtensionsByTenant(a), first.ExtensionsByTenant(a)) {
		t.Error("tenant A's extension list made again")
	}

	// A second and a third section named 201, in c.conf: chan_sip builds
	// on a.conf's peer, here a copy (which the third finds by name).
	served := *peerNamed(t, second, "201")
	appendLine(t, filepath.Join(ast, "c.conf"), "[201]\ntype=friend\ncallerid=\"Front Desk\" <201>\n[201]\ntype=friend\nlanguage=fr\n")
	third := reloadLikeLoad(t, "a second section of a.conf's 201 in c.conf", ini, second)
	if p := peerNamed(t, second, "201"); !reflect.DeepEqual(*p, served) {
		t.Errorf("the served snapshot's 201 was written:\n%+v\nwant\n%+v", *p, served)
	}
	if peerNamed(t, third, "201") == peerNamed(t, second, "201") {
		t.Error("201 built on in place")
	}
	if peerNamed(t, third, "202") != peerNamed(t, second, "202") {
		t.Error("202 (unchanged) is not shared any more")
	}

	// astapi.ini gives 202 to tenant B and 301 (the first peer of all)
	// to tenant A by name, in the reload that also splices c.conf: both
	// change tenant, and are copied.
	served, served301 := *peerNamed(t, third, "202"), *peerNamed(t, third, "301")
	data, err := os.ReadFile(ini)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte("contexts = b-*\n"), []byte("contexts = b-*\npeers = 202\n"), 1)
	data = bytes.Replace(data, []byte("contexts = a-*\n"), []byte("contexts = a-*\npeers = 301\n"), 1)
	if err := os.WriteFile(ini, data, 0o644); err != nil {
		t.Fatal(err)
	}
	appendLine(t, filepath.Join(ast, "c.conf"), "[311](phone)\ncontext=b-phones\nsecret=Secret311Xy9\n")
	fourth := reloadLikeLoad(t, "202 given to tenant B and 301 to tenant A, and c.conf edited", ini, third)
	for name, want := range map[string]index.Peer{"202": served, "301": served301} {
		if p := peerNamed(t, third, name); !reflect.DeepEqual(*p, want) {
			t.Errorf("the served snapshot's %s was written:\n%+v\nwant\n%+v", name, *p, want)
		}
	}
	if p := peerNamed(t, fourth, "202"); p.TenantID != tenantByKey(t, fourth, "B").ID || p == peerNamed(t, third, "202") {
		t.Errorf("202: tenant %q, shared %v; want tenant B's, copied", p.TenantID, p == peerNamed(t, third, "202"))
	}
	if p := peerNamed(t, fourth, "301"); p.TenantID != tenantByKey(t, fourth, "A").ID || p == peerNamed(t, third, "301") {
		t.Errorf("301: tenant %q, shared %v; want tenant A's, copied", p.TenantID, p == peerNamed(t, third, "301"))
	}
}

// TestBigSIPConfEdited: one big sip.conf, parsed whole again at each
// edit, shares with the last load the sections that came out the same
// (parser.Adopt), and with them their peers; when all are, the peers are
// the last load's as if sip.conf had not changed.
func TestBigSIPConfEdited(t *testing.T) {
	var sip strings.Builder
	sip.WriteString("[general]\ncontext=default\n[phone](!)\ntype=friend\nhost=dynamic\n")
	for n := 201; n <= 240; n++ {
		fmt.Fprintf(&sip, "[%d](phone)\nsecret=Secret%dXy9\ncontext=a-phones\n", n, n)
	}
	var dp strings.Builder
	dp.WriteString("[a-phones]\n")
	for n := 201; n <= 240; n++ {
		fmt.Fprintf(&dp, "exten => %d,1,Dial(SIP/%d)\n", n, n)
	}
	ini := writePBX(t, "[tenant A]\ncode = A\ncontexts = a-*\n\n"+user("admin", "role = admin"),
		map[string]string{"sip.conf": sip.String(), "extensions.conf": dp.String()})
	path := filepath.Join(filepath.Dir(ini), "asterisk", "sip.conf")
	prev, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(old, new string) {
		t.Helper()
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name, old, new string
		shared         func(n int) bool // which of 201…240 keep their peer
		again          bool             // the Dial() index patched: the very peers
	}{
		{"a comment added at the end", "context=a-phones\n[240]", "context=a-phones\n; note\n[240]", func(n int) bool { return n < 240 }, false},
		{"the comment removed", "; note\n", "", func(n int) bool { return n < 240 }, false},
		{"a comment appended", "", "", func(int) bool { return true }, true},
		{"one secret changed", "Secret220Xy9", "Secret220Zz9", func(n int) bool { return n != 220 }, false},
		{"a line inserted before 230", "[230]", "; moved\n[230]", func(n int) bool { return n < 230 }, false},
	}
	for _, st := range steps {
		if st.old == "" {
			appendLine(t, path, "; edit\n")
		} else {
			edit(st.old, st.new)
		}
		next := reloadLikeLoad(t, st.name, ini, prev)
		for n := 201; n <= 240; n++ {
			name := fmt.Sprint(n)
			if got := peerNamed(t, next, name) == peerNamed(t, prev, name); got != st.shared(n) {
				t.Errorf("%s: peer %s shared %v, want %v", st.name, name, got, !got)
			}
		}
		if got := index.DialsPatched(next); got != st.again {
			t.Errorf("%s: Dial() index patched %v, want %v", st.name, got, st.again)
		}
		prev = next
	}
}

// tenantAPBX writes a PBX of tenant A (code A, contexts a-*): sip.conf
// holds sip; extensions.conf includes a.conf (aConf, the file the test
// edits) and b.conf, then 40 contexts of no tenant (fillers); it returns
// astapi.ini's path and a.conf's.
func tenantAPBX(t *testing.T, sip, aConf, bConf string) (ini, aPath string) {
	t.Helper()
	ini = writePBX(t, "[tenant A]\ncode = A\ncontexts = a-*\n\n"+user("admin", "role = admin"), map[string]string{
		"sip.conf": sip, "a.conf": aConf, "b.conf": bConf,
		"extensions.conf": "#include a.conf\n#include b.conf\n" + fillers(40),
	})
	return ini, filepath.Join(filepath.Dir(ini), "asterisk", "a.conf")
}

// fillers are n contexts of no tenant: with them, the few contexts of
// the file a test edits are few of all, so that a reload patches what it
// derived from the dialplan (see dialplanDelta) rather than derive it anew.
func fillers(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "[filler-%d]\nexten => s,1,Hangup()\n", i)
	}
	return b.String()
}

// sameArray reports whether a and b are the same non-empty slice of one
// array: a list taken over, not made again.
func sameArray[T any](a, b []T) bool { return len(a) > 0 && len(a) == len(b) && &a[0] == &b[0] }
