package index_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/astapi/astapi/flow"
	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/internal/demofixtures"
	"github.com/astapi/astapi/internal/pbxgen"
)

// flowAnswer is everything a snapshot serves that the call flow builds:
// the graph's objects and edges (IDs included), the destinations, and
// the diagnostics.
func flowAnswer(t testing.TB, s *index.Snapshot) string {
	t.Helper()
	out, err := json.MarshalIndent(struct {
		Graph flow.GraphDump
		Dests []*index.Destination
		Diags any
	}{flow.Dump(s.Flow.Objects, s.Flow.Edges), s.Destinations, s.Diags}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// checkSplitUnchanged checks that reading the call flow of ini as one part
// gives what s (read in parts, maybe reusing) holds.
func checkSplitUnchanged(t testing.TB, ini string, s *index.Snapshot) {
	t.Helper()
	whole, err := index.LoadWholeFlow(ini)
	if err != nil {
		t.Fatal(err)
	}
	if whole.Flow.Reuse.Parts != 1 {
		t.Fatalf("LoadWholeFlow read %d parts", whole.Flow.Reuse.Parts)
	}
	if got, want := flowAnswer(t, s), flowAnswer(t, whole); got != want {
		t.Errorf("the call flow read in %d parts (%d reused, whole %v) differs from the one read whole:\n%s",
			s.Flow.Reuse.Parts, s.Flow.Reuse.Reused, s.Flow.Reuse.Whole, firstDiff(got, want))
	}
}

// firstDiff shows where two texts part.
func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			lo := max(0, i-3)
			return "line " + strconv.Itoa(i+1) + ":\n got: " + strings.Join(la[lo:min(len(la), i+3)], "\n      ") +
				"\nwant: " + strings.Join(lb[lo:min(len(lb), i+3)], "\n      ")
		}
	}
	return "lengths differ: " + strconv.Itoa(len(la)) + " and " + strconv.Itoa(len(lb)) + " lines"
}

// TestSplitFixtures: both demos read in parts give what they give read
// whole.
func TestSplitFixtures(t *testing.T) {
	for _, dir := range []string{"../fixtures", "../fixtures/freepbx"} {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			ini := demofixtures.Copy(t, dir)
			s, err := index.Load(ini)
			if err != nil {
				t.Fatal(err)
			}
			checkSplitUnchanged(t, ini, s)
		})
	}
}

// tenantPBX writes a small PBX of tenants × peers with a file per
// tenant, and returns its astapi.ini and Asterisk directory.
func tenantPBX(t *testing.T, tenants, peers int) (ini, ast string) {
	t.Helper()
	dir := t.TempDir()
	ini, err := pbxgen.Write(dir, pbxgen.Spec{Tenants: tenants, PeersPerTenant: peers, DialplanPerPeer: 4,
		PasswordHash: pbxgen.DemoHash, AdminUser: "admin", FilePerTenant: true})
	if err != nil {
		t.Fatal(err)
	}
	return ini, filepath.Join(dir, "asterisk")
}

// TestSplitLinks: a multi-tenant PBX whose tenants reach one another in
// the ways split must see (a phone of another tenant dialled, a Goto
// through a global, a macro), and those it cannot (a context name put
// together from a global at run time; one target that cannot be followed,
// or one phone rung by a pattern, met in two parts), which make Build
// read the whole dialplan at once. Each gives what reading it whole
// gives, and an unchanged reload reuses every part.
func TestSplitLinks(t *testing.T) {
	cases := []struct {
		name, sip, ext string
		whole          bool // the parts turn out not to be independent
		maxParts       int
	}{
		{name: "independent", maxParts: 6},
		{name: "phone of another tenant", ext: "[t1-internal](+)\nexten => 700,1,Dial(SIP/101-T2)\n", maxParts: 6},
		{name: "goto through a global", ext: "[globals](+)\nNIGHT=t3-ivr\n[t1-internal](+)\nexten => 701,1,Goto(${NIGHT},s,1)\n", maxParts: 5},
		{name: "macro", ext: "[macro-shared]\nexten => s,1,Dial(SIP/${ARG1})\n[t4-internal](+)\nexten => 702,1,Macro(shared,100-T4)\n[t5-internal](+)\nexten => 703,1,Macro(shared,100-T5)\n", maxParts: 5},
		{name: "name built at run time", ext: "[globals](+)\nSUFFIX=ivr\n[t1-internal](+)\nexten => 704,1,Goto(t2-${SUFFIX},s,1)\n", whole: true},
		{name: "pattern phone of another tenant", ext: "[t1-internal](+)\nexten => 705,1,Dial(Local/105@t2-internal)\n", maxParts: 6},
		{name: "one dead target from two parts", ext: "[t1-ivr](+)\nexten => 7,1,Goto(nowhere,s,1)\n[t2-ivr](+)\nexten => 7,1,Goto(nowhere,s,1)\n", whole: true},
		{name: "a pattern ringing a phone another part rings", ext: "[t2-extra]\nexten => _1XX,1,Dial(SIP/${EXTEN}-T2)\n", whole: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ini, ast := tenantPBX(t, 6, 6)
			if c.ext != "" {
				appendLine(t, filepath.Join(ast, "extensions.conf"), "\n"+c.ext)
			}
			s, err := index.Load(ini)
			if err != nil {
				t.Fatal(err)
			}
			r := s.Flow.Reuse
			if r.Whole != c.whole {
				t.Errorf("read whole: %v, want %v (%+v)", r.Whole, c.whole, r)
			}
			if !c.whole && (r.Parts < 2 || r.Parts > c.maxParts) {
				t.Errorf("%d parts, want 2..%d", r.Parts, c.maxParts)
			}
			checkSplitUnchanged(t, ini, s)
			again, err := index.LoadFrom(ini, s)
			if err != nil {
				t.Fatal(err)
			}
			if again.Flow.Reuse.Reused != again.Flow.Reuse.Parts && !c.whole {
				t.Errorf("an unchanged reload reused %d of %d parts", again.Flow.Reuse.Reused, again.Flow.Reuse.Parts)
			}
			if got, want := flowAnswer(t, again), flowAnswer(t, s); got != want {
				t.Errorf("reload reusing parts differs:\n%s", firstDiff(got, want))
			}
		})
	}
}

// TestReuseSeesNewContext: a part that looked up a context no file had
// (a name put together at run time) is not reused once a file of another
// part defines it: the walk would now leave the part.
func TestReuseSeesNewContext(t *testing.T) {
	ini, ast := tenantPBX(t, 4, 4)
	appendLine(t, filepath.Join(ast, "extensions.conf"), "\n[globals](+)\nSUFFIX=night\n")
	_, t1 := pbxgen.TenantFiles(1)
	appendLine(t, filepath.Join(ast, t1), "\n[t1-ivr](+)\nexten => 7,1,Goto(x${SUFFIX},s,1)\n")
	first, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	if first.Flow.Reuse.Whole {
		t.Fatalf("read whole before the context exists: %+v", first.Flow.Reuse)
	}
	_, t3 := pbxgen.TenantFiles(3)
	appendLine(t, filepath.Join(ast, t3), "\n[xnight]\nexten => s,1,VoiceMail(100@t1,u)\n")
	again, err := index.LoadFrom(ini, first)
	if err != nil {
		t.Fatal(err)
	}
	checkSplitUnchanged(t, ini, again)
	if !again.Flow.Reuse.Whole {
		t.Errorf("the walk now leaves its part: want the whole dialplan read, got %+v", again.Flow.Reuse)
	}
}

// TestReuseWhole: a dialplan that has to be read whole is reused whole
// while nothing changes, and read again when something does.
func TestReuseWhole(t *testing.T) {
	ini, ast := tenantPBX(t, 3, 3)
	appendLine(t, filepath.Join(ast, "extensions.conf"), "\n[globals](+)\nSUFFIX=ivr\n[t1-internal](+)\nexten => 704,1,Goto(t2-${SUFFIX},s,1)\n")
	first, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	same, err := index.LoadFrom(ini, first)
	if err != nil {
		t.Fatal(err)
	}
	if r := same.Flow.Reuse; !r.Whole || r.Reused != 1 {
		t.Errorf("unchanged: %+v, want the whole dialplan reused", r)
	}
	_, t0 := pbxgen.TenantFiles(0)
	appendLine(t, filepath.Join(ast, t0), "\n[t0-internal](+)\nexten => 705,1,Dial(SIP/101-T0)\n")
	changed, err := index.LoadFrom(ini, same)
	if err != nil {
		t.Fatal(err)
	}
	if r := changed.Flow.Reuse; !r.Whole || r.Reused != 0 {
		t.Errorf("changed: %+v, want the whole dialplan read again", r)
	}
	checkSplitUnchanged(t, ini, changed)
}

// TestLoadFromKeepsParses: a reload keeps the parse of a top-level file
// whose files did not change (and the dialplan, when users.conf did not
// change either), and serves what a load from nothing serves.
func TestLoadFromKeepsParses(t *testing.T) {
	ini, ast := tenantPBX(t, 4, 3)
	sip2, ext2 := pbxgen.TenantFiles(2)
	steps := []struct {
		name, file, text  string
		keepSIP, keepPlan bool
	}{
		{"nothing changed", "", "", true, true},
		{"a tenant added to astapi.ini", "../astapi.ini", "\n[tenant T9]\nname = Tenant 9\ncode = T9\ncontexts = t9-*\n", true, true},
		{"a dialplan file", ext2, "\n[t2-internal](+)\nexten => 555,1,Dial(SIP/100-T2)\n", true, false},
		{"a peers file", sip2, "\n[150-T2](t2-phone)\nsecret=Another1Secret\n", false, true},
		// What a dialplan file's contexts link to changes the call flow's
		// parts; the links of the contexts of the other files are taken over
		// only while no context is added (here one named like a word of
		// every tenant's Dial()s: all become one part).
		{"a jump to another tenant's context", ext2, "\n[t2-internal](+)\nexten => 556,1,Goto(t3-internal,100,1)\n", true, false},
		{"a context named like a word of every tenant's dialplan", ext2, "\n[SIP]\nexten => s,1,Hangup()\n", true, false},
		{"users.conf appears", "users.conf", "[general]\nhassip=yes\n[6001]\nfullname=Desk\nsecret=Users1Secret\ncontext=t1-internal\n", true, false},
	}
	prev, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range steps {
		if st.file != "" {
			appendLine(t, filepath.Join(ast, st.file), st.text)
		}
		next := reloadLikeLoad(t, st.name, ini, prev)
		if got := index.SIPParse(next) == index.SIPParse(prev); got != st.keepSIP {
			t.Errorf("%s: sip.conf's parse kept: %v, want %v", st.name, got, st.keepSIP)
		}
		// No step edits sip.conf itself: a tenant's file, whose template
		// inherits one of sip.conf's, is spliced in, not parsed with all.
		if next.SIPGeneral != prev.SIPGeneral {
			t.Errorf("%s: sip.conf parsed whole again", st.name)
		}
		if got := next.Dialplan == prev.Dialplan; got != st.keepPlan {
			t.Errorf("%s: dialplan kept: %v, want %v", st.name, got, st.keepPlan)
		}
		if r := next.Flow.Reuse; st.file != sip2 && st.keepPlan && r.Reused != r.Parts { // a new phone may be its tenant's
			t.Errorf("%s: %d of %d call-flow parts reused, want all", st.name, r.Reused, r.Parts)
		}
		prev = next
	}
}

// reloadLikeLoad reloads ini from prev (index.LoadFrom) and checks that
// the result is what a load from nothing gives: the index with its
// secrets, every field of every peer, and the call flow.
func reloadLikeLoad(t *testing.T, step, ini string, prev *index.Snapshot) *index.Snapshot {
	t.Helper()
	next, err := index.LoadFrom(ini, prev)
	if err != nil {
		t.Fatal(err)
	}
	full, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what string
		dump func(*index.Snapshot) any
	}{
		{"index", func(s *index.Snapshot) any { return s.Dump(true) }},
		{"peers", func(s *index.Snapshot) any { return index.PeerDumpOf(s) }},
		{"extension lists", extensionLists},
		{"call-flow lists by tenant", flowLists},
	} {
		got, _ := json.Marshal(c.dump(next))
		want, _ := json.Marshal(c.dump(full))
		if string(got) != string(want) {
			t.Errorf("%s: the reload differs from a load in its %s:\n%s", step, c.what, firstDiff(string(got), string(want)))
		}
	}
	if a, b := flowAnswer(t, next), flowAnswer(t, full); a != b {
		t.Errorf("%s: the reload's call flow differs from a load's:\n%s", step, firstDiff(a, b))
	}
	return next
}

// extensionLists are the IDs of s's extensions, in its order, and by
// tenant: what ExtensionByID and ExtensionsByTenant search.
func extensionLists(s *index.Snapshot) any {
	ids := func(es []*index.Extension) []string {
		out := []string{}
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	byTenant := map[string][]string{}
	for _, t := range s.Tenants {
		byTenant[t.ID] = ids(s.ExtensionsByTenant(t.ID))
	}
	return map[string]any{"all": ids(s.Extensions), "by tenant": byTenant}
}

// flowLists are the IDs of s's call-flow objects, edges and destinations
// by tenant, in order: a reload takes the served snapshot's over and
// groups again only the tenants of what changed (regroupFlow).
func flowLists(s *index.Snapshot) any {
	out := map[string][3][]string{}
	for _, t := range s.Tenants {
		var l [3][]string
		for _, o := range s.ObjectsByTenant(t.ID, "") {
			l[0] = append(l[0], o.ID)
		}
		for _, e := range s.EdgesByTenant(t.ID) {
			l[1] = append(l[1], e.ID)
		}
		for _, d := range s.DestinationsByTenant(t.ID) {
			l[2] = append(l[2], d.ID)
		}
		out[t.ID] = l
	}
	return out
}

// TestReuseIncludeOrder: a context written in two files takes its
// position (so its name, from the header's comment), the order of its
// extensions and which of two definitions wins from the file read first.
// Swapping the two #include lines changes neither file: the part must
// still be read again.
func TestReuseIncludeOrder(t *testing.T) {
	ini, ast := tenantPBX(t, 3, 3)
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(ast, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("menu-a.conf", "[t1-menu] ; Alpha menu\nexten => s,1,Background(welcome)\nsame => n,WaitExten(5)\n"+
		"exten => 1,1,Dial(SIP/100-T1,20)\nexten => 5,1,Dial(SIP/100-T1,20)\n")
	write("menu-b.conf", "[t1-menu] ; Beta menu\nexten => 2,1,Dial(SIP/101-T1,20)\nexten => 5,1,Dial(SIP/101-T1,20)\n")
	top, err := os.ReadFile(filepath.Join(ast, "extensions.conf"))
	if err != nil {
		t.Fatal(err)
	}
	write("extensions.conf", string(top)+"\n#include menu-a.conf\n#include menu-b.conf\n")
	prev, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	write("extensions.conf", string(top)+"\n#include menu-b.conf\n#include menu-a.conf\n")
	inc, err := index.LoadFrom(ini, prev)
	if err != nil {
		t.Fatal(err)
	}
	full, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := flowAnswer(t, inc), flowAnswer(t, full); a != b {
		t.Errorf("the reload's call flow differs from a load's (%+v):\n%s", inc.Flow.Reuse, firstDiff(a, b))
	}
}

// TestLoadFromBudget: a reload that keeps parses charges the read budget
// what a load charges (max_config_files counts every read, a file
// included twice twice): it fails exactly when a load fails.
func TestLoadFromBudget(t *testing.T) {
	setLimit := func(t *testing.T, ini string, orig []byte, files int) {
		t.Helper()
		body := strings.Replace(string(orig), "[server]\n", "[server]\nmax_config_files = "+strconv.Itoa(files)+"\n", 1)
		if err := os.WriteFile(ini, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name string
		edit func(t *testing.T, ast string) // after the first load
		prep func(t *testing.T, ast string) // before it
	}{
		{name: "a dialplan file edited", edit: func(t *testing.T, ast string) {
			_, f := pbxgen.TenantFiles(5)
			appendLine(t, filepath.Join(ast, f), "\n[t5-internal](+)\nexten => 555,1,Dial(SIP/100-T5)\n")
		}},
		{name: "users.conf edited", prep: func(t *testing.T, ast string) {
			appendLine(t, filepath.Join(ast, "users.conf"), "[general]\nhassip=yes\n")
		}, edit: func(t *testing.T, ast string) {
			appendLine(t, filepath.Join(ast, "users.conf"), "[6001]\nfullname=Desk\nsecret=Users1Secret\ncontext=t1-internal\n")
		}},
		{name: "a file included three times, then a peers file added", prep: func(t *testing.T, ast string) {
			_, f := pbxgen.TenantFiles(0)
			appendLine(t, filepath.Join(ast, "extensions.conf"), "\n#include "+f+"\n#include "+f+"\n")
		}, edit: func(t *testing.T, ast string) {
			appendLine(t, filepath.Join(ast, "extra.conf"), "[extra-peer]\ntype=peer\nhost=dynamic\n")
			appendLine(t, filepath.Join(ast, "sip.conf"), "\n#include extra.conf\n")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ini, ast := tenantPBX(t, 8, 2)
			if c.prep != nil {
				c.prep(t, ast)
			}
			orig, err := os.ReadFile(ini)
			if err != nil {
				t.Fatal(err)
			}
			// The least limit the first load fits in.
			var prev *index.Snapshot
			for limit := 1; prev == nil && limit < 100; limit++ {
				setLimit(t, ini, orig, limit)
				prev, _ = index.Load(ini)
			}
			if prev == nil {
				t.Fatal("no limit up to 100 loads it")
			}
			c.edit(t, ast)
			_, loadErr := index.Load(ini)
			_, reloadErr := index.LoadFrom(ini, prev)
			if (loadErr == nil) != (reloadErr == nil) {
				t.Errorf("load: %v; reload from the previous snapshot: %v", loadErr, reloadErr)
			}
		})
	}
}
