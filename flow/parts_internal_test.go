package flow

import (
	"cmp"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/astapi/astapi/internal/ids"
	"github.com/astapi/astapi/parser"
)

// TestByFirstChoice: items of parts read now get the hash of their key;
// a key shared by items of one part is one ID; an ID wanted by two keys,
// or by a reused part and a part read now, is a clash (join then gives the
// IDs over all keys at once, as ids.Allocator does).
func TestByFirstChoice(t *testing.T) {
	obj := func() *Object { return &Object{} }
	num := func(key string) uint64 { return ids.Hash("object", key) }
	fresh := func(keys ...string) *part {
		f := &partGraph{}
		for _, k := range keys {
			f.objects, f.objKeys = append(f.objects, obj()), append(f.objKeys, k)
		}
		return &part{found: f}
	}
	reused := func(keys ...string) *part {
		f := &partGraph{}
		for _, k := range keys {
			o := obj()
			o.ID = strconv.FormatUint(num(k), 10)
			f.objects, f.objNums = append(f.objects, o), append(f.objNums, num(k))
		}
		return &part{found: f, reused: true}
	}
	cases := []struct {
		name  string
		parts []*part
		ok    bool
	}{
		{"distinct", []*part{fresh("a", "b"), reused("c"), fresh("d")}, true},
		{"one key twice in a part", []*part{fresh("a", "a", "b")}, true},
		{"a reused part's shared key", []*part{reused("a", "a")}, true},
		{"a reused part's ID wanted again", []*part{reused("a"), fresh("a")}, false},
		{"one key in two parts", []*part{fresh("a"), fresh("a")}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, _, ok := byFirstChoice(c.parts, "object", func(f *partGraph) ([]*Object, []string, []uint64) { return f.objects, f.objKeys, f.objNums },
				func(o *Object, id string) { o.ID = id })
			if ok != c.ok {
				t.Fatalf("ok = %v, want %v", ok, c.ok)
			}
			if !ok {
				return
			}
			for i := 1; i < len(out); i++ {
				prev, _ := strconv.ParseUint(out[i-1].ID, 10, 64)
				cur, _ := strconv.ParseUint(out[i].ID, 10, 64)
				if prev > cur {
					t.Errorf("not sorted by ID: %d before %d", prev, cur)
				}
			}
			for _, p := range c.parts {
				for i, o := range p.found.objects {
					if !p.reused && o.ID != strconv.FormatUint(num(p.found.objKeys[i]), 10) {
						t.Errorf("%s: ID %s, want the hash of its key", p.found.objKeys[i], o.ID)
					}
				}
			}
		})
	}
}

// TestJoinClashing: with a clash, the IDs are the allocator's over every
// key.
func TestJoinClashing(t *testing.T) {
	a, b := &partGraph{objects: []*Object{{}, {}}, objKeys: []string{"x", "y"}}, &partGraph{objects: []*Object{{}}, objKeys: []string{"z"}}
	g := joinClashing([]*part{{found: a}, {found: b}})
	want := ids.New("object").AssignList([]string{"x", "y", "z"})
	got := map[string]bool{}
	for _, o := range g.Objects {
		got[o.ID] = true
	}
	for _, id := range want {
		if !got[id] {
			t.Errorf("ID %s missing from %v", id, got)
		}
	}
}

// TestMergeFirstChoice: merged into the previous Build's list, the items
// come out as byFirstChoice sorts them, clashes included; a previous list
// that is not its parts' items is refused (known false).
func TestMergeFirstChoice(t *testing.T) {
	num := func(key string) uint64 { return ids.Hash("object", key) }
	graph := func(keys ...string) *partGraph {
		f := &partGraph{}
		for _, k := range keys {
			f.objects = append(f.objects, &Object{ID: strconv.FormatUint(num(k), 10)})
			f.objNums = append(f.objNums, num(k))
		}
		return f
	}
	fresh := func(keys ...string) *part {
		f := &partGraph{}
		for _, k := range keys {
			f.objects, f.objKeys = append(f.objects, &Object{}), append(f.objKeys, k)
		}
		return &part{found: f}
	}
	of := func(f *partGraph) ([]*Object, []string, []uint64) { return f.objects, f.objKeys, f.objNums }
	setID := func(o *Object, id string) { o.ID = id }
	cases := []struct {
		name  string
		kept  [][]string // the previous parts reused, in the parts' order
		gone  [][]string // the previous parts not reused
		fresh [][]string // the parts read now, after the reused ones
		extra bool       // the previous list holds an item of no part
		ok    bool
		known bool
		twice bool // the first previous part is reused twice
	}{
		{name: "one part read again", kept: [][]string{{"a", "b"}, {"c"}}, gone: [][]string{{"d"}}, fresh: [][]string{{"d2", "e"}}, ok: true, known: true},
		{name: "nothing read", kept: [][]string{{"a"}, {"b", "b"}}, ok: true, known: true},
		{name: "all read", gone: [][]string{{"a"}}, fresh: [][]string{{"a", "x", "x"}, {"y"}}, ok: true, known: true},
		{name: "a reused ID wanted again", kept: [][]string{{"a"}}, fresh: [][]string{{"a"}}, ok: false, known: true},
		{name: "one key in two parts read now", kept: [][]string{{"a"}}, fresh: [][]string{{"b"}, {"b"}}, ok: false, known: true},
		{name: "an item of no part", kept: [][]string{{"a"}}, extra: true, known: false},
		{name: "a part reused twice", kept: [][]string{{"a"}}, twice: true, known: false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			prev := &Graph{parts: map[[32]byte]*part{}, partsWhole: true}
			var parts []*part
			add := func(keys []string, reused bool) {
				f := graph(keys...)
				prev.parts[[32]byte{byte(len(prev.parts) + 1)}] = &part{found: f}
				prev.Objects = append(prev.Objects, f.objects...)
				if reused {
					parts = append(parts, &part{found: f, reused: true})
				}
			}
			for _, k := range c.kept {
				add(k, true)
			}
			for _, k := range c.gone {
				add(k, false)
			}
			if c.extra {
				prev.Objects = append(prev.Objects, &Object{ID: "1"})
			}
			if c.twice {
				parts = append(parts, &part{found: parts[0].found, reused: true})
			}
			slices.SortStableFunc(prev.Objects, func(a, b *Object) int {
				x, _ := strconv.ParseUint(a.ID, 10, 64)
				y, _ := strconv.ParseUint(b.ID, 10, 64)
				return cmp.Compare(x, y)
			})
			for _, k := range c.fresh {
				parts = append(parts, fresh(k...))
			}
			for _, o := range prev.Objects {
				n, _ := strconv.ParseUint(o.ID, 10, 64)
				prev.objNums = append(prev.objNums, n)
			}
			got, gotNums, _, ok, known := mergeFirstChoice(parts, prev, prev.Objects, prev.objNums, "object", of, setID)
			if known != c.known || ok != c.ok {
				t.Fatalf("ok, known = %v, %v; want %v, %v", ok, known, c.ok, c.known)
			}
			if !ok {
				return
			}
			want, wantNums, wantOK := byFirstChoice(parts, "object", of, setID)
			if !wantOK || !slices.Equal(got, want) || !slices.Equal(gotNums, wantNums) {
				t.Errorf("merged %v %v, sorted %v %v (ok %v)", objectIDs(got), gotNums, objectIDs(want), wantNums, wantOK)
			}
		})
	}
}

func objectIDs(list []*Object) []string {
	var out []string
	for _, o := range list {
		out = append(out, o.ID)
	}
	return out
}

// TestBuildKeepsRuns: a Build from the previous Graph over the same
// contexts takes over what their keys read (contextRuns), and says how
// its lists changed (Graph.Changes): nothing when every part is reused;
// a tenant's objects and edges, added and left out, when its part is
// read again.
func TestBuildKeepsRuns(t *testing.T) {
	cfg := parseDialplan(t, t.TempDir(), "[a-in]\nexten => _X.,1,Goto(a-ivr,s,1)\n[a-ivr]\nexten => s,1,Background(welcome)\n same => n,WaitExten(5)\nexten => 1,1,Dial(SIP/a1,20)\n"+
		"[b-in]\nexten => _X.,1,Goto(b-ivr,s,1)\n[b-ivr]\nexten => s,1,Background(hello)\n same => n,WaitExten(5)\nexten => 1,1,Dial(SIP/b1,20)\n")
	in := Input{Dialplan: parser.BuildDialplan(cfg), Digests: cfg.Digests,
		Tenants: []Tenant{{ID: "A", Key: "a", Contexts: []string{"a-in", "a-ivr"}}, {ID: "B", Key: "b", Contexts: []string{"b-in", "b-ivr"}}},
		Trunks:  []Trunk{{Tech: "SIP", Name: "ta", Context: "a-in", TenantID: "A"}, {Tech: "SIP", Name: "tb", Context: "b-in", TenantID: "B"}}}
	first, _ := Build(in)
	if first.Changes() != nil || len(first.keys) != 2 {
		t.Fatalf("first Build: changes %v, %d part keys, want none and 2", first.Changes(), len(first.keys))
	}
	in.Previous = first
	again, _ := Build(in)
	for c, k := range first.keys {
		if again.keys[c].runs != k.runs {
			t.Errorf("the runs of %s were read again", c.Name)
		}
		if again.keys[c].key != k.key {
			t.Errorf("the key of the part of %s changed", c.Name)
		}
	}
	if ch := again.Changes(); ch == nil || len(ch.AddedObjects)+len(ch.DroppedObjects)+len(ch.AddedEdges)+len(ch.DroppedEdges) != 0 {
		t.Errorf("nothing changed, Changes %+v", ch)
	}
	// A's IDs change: its part is read again. (A Graph keeps its Input's
	// lists: a new Input has lists of its own.)
	in.Tenants = slices.Clone(in.Tenants)
	in.Tenants[0].Key, in.Previous = "a2", again
	moved, _ := Build(in)
	ch := moved.Changes()
	if ch == nil || len(ch.AddedObjects) == 0 || len(ch.AddedObjects) != len(ch.DroppedObjects) || len(ch.AddedEdges) != len(ch.DroppedEdges) {
		t.Fatalf("A read again: Changes %+v", ch)
	}
	for _, o := range ch.AddedObjects {
		if o.TenantID != "A" {
			t.Errorf("added %s of %q, want only A's", o.ID, o.TenantID)
		}
	}
	for o := range ch.DroppedObjects {
		if o.TenantID != "A" || !slices.Contains(again.Objects, o) {
			t.Errorf("dropped %s of %q: not one of A's in the previous Graph", o.ID, o.TenantID)
		}
	}
	if n := moved.EdgeNums(); len(n) != len(moved.Edges) || len(n) == 0 {
		t.Errorf("EdgeNums: %d for %d edges", len(n), len(moved.Edges))
	}
	var none *Graph
	if none.Changes() != nil || none.EdgeNums() != nil {
		t.Error("a nil Graph has changes or numbers")
	}
}

// TestBuildEmptyWhole: an empty dialplan read whole (no contexts, so no
// first context to keep its key's runs by), from nothing and from a
// previous Graph, builds an empty Graph.
func TestBuildEmptyWhole(t *testing.T) {
	in := Input{Dialplan: parser.BuildDialplan(&parser.Config{}), Whole: true, Digests: map[string]string{}}
	first, _ := Build(in)
	in.Previous = first
	again, _ := Build(in)
	if len(again.Objects)+len(again.Edges) != 0 || len(again.keys) != 0 {
		t.Errorf("%d objects, %d edges, %d part keys; want none", len(again.Objects), len(again.Edges), len(again.keys))
	}
}

// TestBuildKeepsTables: the look-ups of the tenants, phones and trunks
// are taken over when the next Input has equal ones (in lists of its
// own), and made again when any differs; either way the Graph is the one
// a Build from nothing makes.
func TestBuildKeepsTables(t *testing.T) {
	cfg := parseDialplan(t, t.TempDir(), "[a-in]\nexten => _X.,1,Goto(a-phones,100,1)\n[a-phones]\nexten => 100,1,Dial(SIP/a1,20)\n same => n,VoiceMail(100@a)\n"+
		"[b-phones]\nexten => 200,1,Dial(SIP/b1,20)\n")
	input := func() Input {
		return Input{Dialplan: parser.BuildDialplan(cfg), Digests: cfg.Digests,
			Tenants: []Tenant{{ID: "A", Key: "a", Contexts: []string{"a-in", "a-phones"}}, {ID: "B", Key: "b", Contexts: []string{"b-phones"}}},
			Phones:  []Phone{{Tech: "SIP", Name: "a1", Number: "100", TenantID: "A", Context: "a-phones"}, {Tech: "SIP", Name: "b1", Number: "200", TenantID: "B", Context: "b-phones"}},
			Trunks:  []Trunk{{Tech: "SIP", Name: "ta", Context: "a-in", TenantID: "A"}}}
	}
	first, _ := Build(input())
	for _, c := range []struct {
		name   string
		change func(*Input)
		kept   bool
	}{
		{"equal", func(*Input) {}, true},
		{"a phone's number", func(in *Input) { in.Phones[1].Number = "201" }, false},
		{"a tenant's contexts", func(in *Input) { in.Tenants[1].Contexts = nil }, false},
		{"a trunk's tenant", func(in *Input) { in.Trunks[0].TenantID = "" }, false},
	} {
		in := input()
		c.change(&in)
		in.Previous = first
		got, _ := Build(in)
		if kept := got.tables == first.tables; kept != c.kept {
			t.Errorf("%s: tables taken over %v, want %v", c.name, kept, c.kept)
		}
		in.Previous = nil
		want, _ := Build(in)
		if a, b := dumpJSON(t, got), dumpJSON(t, want); a != b {
			t.Errorf("%s: the Build from the last differs from one from nothing:\n%s\n%s", c.name, a, b)
		}
	}
}

// TestSplitKeepsCut: a Build whose contexts link as the previous Build's
// did (read again, but saying the same), with the same trunks and
// tenants, cuts the dialplan the same way without working the cut out
// again; a context that comes to link elsewhere has it worked out again.
// Either way the Graph is the one a Build from nothing makes.
func TestSplitKeepsCut(t *testing.T) {
	dir := t.TempDir()
	dialplan := func(extra string) *parser.Dialplan {
		text := "[a-in]\nexten => _X.,1,Goto(a-ivr,s,1)\n[a-ivr]\nexten => s,1,Background(welcome)\n same => n,WaitExten(5)\nexten => 1,1,Dial(SIP/a1,20)\n" + extra +
			"[b-in]\nexten => _X.,1,Goto(b-ivr,s,1)\n[b-ivr]\nexten => s,1,Background(hello)\n same => n,WaitExten(5)\nexten => 1,1,Dial(SIP/b1,20)\n"
		return parser.BuildDialplan(parseDialplan(t, dir, text))
	}
	input := func(dp *parser.Dialplan) Input {
		return Input{Dialplan: dp,
			Tenants: []Tenant{{ID: "A", Key: "a", Contexts: []string{"a-in", "a-ivr"}}, {ID: "B", Key: "b", Contexts: []string{"b-in", "b-ivr"}}},
			Phones:  []Phone{{Tech: "SIP", Name: "a1", Number: "100", TenantID: "A", Context: "a-ivr"}, {Tech: "SIP", Name: "b1", Number: "200", TenantID: "B", Context: "b-ivr"}},
			Trunks:  []Trunk{{Tech: "SIP", Name: "ta", Context: "a-in", TenantID: "A"}, {Tech: "SIP", Name: "tb", Context: "b-in", TenantID: "B"}}}
	}
	first, _ := Build(input(dialplan("")))
	if len(first.links.cut) != 2 {
		t.Fatalf("first Build: %d parts cut, want 2", len(first.links.cut))
	}
	for _, c := range []struct {
		name, extra string
		edit        func(in *Input)
		kept        bool
		parts       int
	}{
		{"read again, the same links", "", nil, true, 2},
		{"a phone added", "", func(in *Input) {
			in.Phones = append(in.Phones, Phone{Tech: "SIP", Name: "a2", Number: "101", TenantID: "A", Context: "a-ivr"})
		}, true, 2},
		{"a trunk's calls start elsewhere", "", func(in *Input) { in.Trunks[1].Context = "a-in" }, false, 2},
		{"a tenant claims one more context", "", func(in *Input) { in.Tenants[1].Contexts = append(in.Tenants[1].Contexts, "a-ivr") }, false, 2},
		{"an IVR key to the other tenant's menu", "exten => 2,1,Goto(b-ivr,s,1)\n", nil, false, 1},
	} {
		in := input(dialplan(c.extra))
		if c.edit != nil {
			c.edit(&in)
		}
		in.Previous = first
		got, _ := Build(in)
		if kept := &got.links.cut[0] == &first.links.cut[0]; kept != c.kept || len(got.links.cut) != c.parts {
			t.Errorf("%s: cut taken over %v, %d parts; want %v, %d", c.name, kept, len(got.links.cut), c.kept, c.parts)
		}
		in.Previous = nil
		want, _ := Build(in)
		if a, b := dumpJSON(t, got), dumpJSON(t, want); a != b {
			t.Errorf("%s: the Build from the last differs from one from nothing:\n%s\n%s", c.name, a, b)
		}
	}
}

// parseDialplan writes text as dir/extensions.conf and parses it.
func parseDialplan(t *testing.T, dir, text string) *parser.Config {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "extensions.conf"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := parser.ParseFile(filepath.Join(dir, "extensions.conf"), parser.Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// dumpJSON is g's objects and edges as JSON.
func dumpJSON(t *testing.T, g *Graph) string {
	t.Helper()
	data, err := json.Marshal(Dump(g.Objects, g.Edges))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestPhoneContextsNotRoutes: a trunk's context that includes the
// phones' context of a second tenant (Issabel's from-pstn-X => include
// the internal extensions) makes no DID of each phone: every phone
// context counts as internal, not only the first phones'.
func TestPhoneContextsNotRoutes(t *testing.T) {
	cfg := parseDialplan(t, t.TempDir(), "[a-phones]\nexten => 100,1,Dial(SIP/a1,20)\n"+
		"[b-phones]\nexten => 200,1,Dial(SIP/b1,20)\n"+
		"[b-in]\ninclude => b-phones\nexten => 5551234,1,Goto(b-phones,200,1)\n")
	g, _ := Build(Input{Dialplan: parser.BuildDialplan(cfg),
		Tenants: []Tenant{{ID: "A", Key: "a", Contexts: []string{"a-phones"}}, {ID: "B", Key: "b", Contexts: []string{"b-in", "b-phones"}}},
		Phones:  []Phone{{Tech: "SIP", Name: "a1", Number: "100", TenantID: "A", Context: "a-phones"}, {Tech: "SIP", Name: "b1", Number: "200", TenantID: "B", Context: "b-phones"}},
		Trunks:  []Trunk{{Tech: "SIP", Name: "tb", Context: "b-in", TenantID: "B"}}})
	var dids []string
	for _, o := range g.Objects {
		if o.Type == TypeDID {
			dids = append(dids, o.Entry)
		}
	}
	if !slices.Equal(dids, []string{"b-in,5551234,1"}) {
		t.Errorf("DIDs %q, want only b-in,5551234,1", dids)
	}
}

// TestKeyFollowsGlobalSum: a part's key is taken over only under the
// same global sum. The same dialplan and tables, but names now read from
// the files' comments (Input.Line): every part must be read again.
func TestKeyFollowsGlobalSum(t *testing.T) {
	text := "[a-menu] ; Alpha menu\nexten => s,1,Background(alpha)\n same => n,WaitExten(5)\nexten => 1,1,Dial(SIP/a1,20)\n"
	cfg := parseDialplan(t, t.TempDir(), text)
	dp := parser.BuildDialplan(cfg)
	lines := strings.Split(text, "\n")
	input := func() Input {
		return Input{Dialplan: dp, Digests: cfg.Digests,
			Tenants: []Tenant{{ID: "A", Key: "a", Contexts: []string{"a-menu"}}},
			Phones:  []Phone{{Tech: "SIP", Name: "a1", Number: "101", TenantID: "A", Context: "a-menu"}}}
	}
	first, _ := Build(input())
	in := input()
	in.Previous = first
	in.Line = func(_ string, n int) string {
		if n < 1 || n > len(lines) {
			return ""
		}
		return lines[n-1]
	}
	got, _ := Build(in)
	in.Previous = nil
	want, _ := Build(in)
	if a, b := dumpJSON(t, got), dumpJSON(t, want); a != b {
		t.Errorf("the Build from the last differs from one from nothing:\n%s\n%s", a, b)
	}
	if !strings.Contains(dumpJSON(t, want), "Alpha menu") {
		t.Error("no object named from the comment")
	}
}

// TestSameAnswers: each kind of lookup is compared with what the
// previous Build's tables answered; a changed answer, moved context names
// or no previous tables say no.
func TestSameAnswers(t *testing.T) {
	in := Input{
		Tenants: []Tenant{{ID: "A", Key: "a"}},
		Phones:  []Phone{{Tech: "SIP", Name: "p1", Number: "100", TenantID: "A"}},
		Trunks:  []Trunk{{Tech: "SIP", Name: "t1", Context: "in", TenantID: "A"}},
	}
	var wg sync.WaitGroup
	prev, _ := newTables(in, nil, &wg)
	wg.Wait()
	lookups := []string{lookPhone + "SIP/p1", lookNumber + "100", lookTrunk + "SIP/t1", lookTrunkTenant + "t1", lookTenantKey + "A", lookNoContext + "gone"}
	for _, c := range []struct {
		name string
		edit func(in *Input)
		want bool
	}{
		{"the same", func(*Input) {}, true},
		{"a phone added elsewhere", func(in *Input) {
			in.Phones = append(in.Phones, Phone{Tech: "SIP", Name: "p2", Number: "200", TenantID: "A"})
		}, true},
		{"the phone's context", func(in *Input) { in.Phones[0].Context = "x" }, false},
		{"another phone on the number", func(in *Input) {
			in.Phones = append(in.Phones, Phone{Tech: "SIP", Name: "p3", Number: "100", TenantID: "A"})
		}, false},
		{"the trunk's context", func(in *Input) { in.Trunks[0].Context = "x" }, false},
		{"the trunk's tenant", func(in *Input) { in.Trunks[0].TenantID = "" }, false},
		{"a trunk of the name before it", func(in *Input) { in.Trunks = append([]Trunk{{Tech: "IAX2", Name: "t1", TenantID: "B"}}, in.Trunks...) }, false},
		{"the tenant's key", func(in *Input) { in.Tenants[0].Key = "b" }, false},
	} {
		now := in
		now.Phones, now.Trunks, now.Tenants = slices.Clone(in.Phones), slices.Clone(in.Trunks), slices.Clone(in.Tenants)
		c.edit(&now)
		now.Previous = &Graph{tables: prev}
		// The tables made whole (nothing known of what changed) and
		// from prev's (taken over or patched, the changes noted).
		for _, from := range []*tables{nil, prev} {
			tb, delta := newTables(now, from, &wg)
			sh := &shared{in: now, tables: tb, delta: delta, sameNames: true}
			wg.Wait()
			if got := sh.sameAnswers(lookups); got != c.want {
				t.Errorf("%s (from %p): sameAnswers %v, want %v", c.name, from, got, c.want)
			}
			if c.want && sh.sameAnswers(append(slices.Clone(lookups), "?odd")) {
				t.Errorf("%s: a lookup of no known kind passed", c.name)
			}
			sh.sameNames = false
			if sh.sameAnswers(lookups) {
				t.Errorf("%s: same answers although the context names moved", c.name)
			}
		}
	}
}

// TestPhoneContextsKept: the phones' contexts are the previous Build's
// while the dialplan, the trunks and the runs of the phones' contexts
// are, and are found again when one of those changes.
func TestPhoneContextsKept(t *testing.T) {
	text := "[p]\ninclude => q\nexten => 100,1,Dial(SIP/a1,20)\n[q]\ninclude => r\n[r]\nexten => 5551234,1,Dial(SIP/a1,20)\n"
	dp := parser.BuildDialplan(parseDialplan(t, t.TempDir(), text))
	names := func(pc *phoneContexts) []string {
		var out []string
		for c := range pc.set {
			out = append(out, c.Name)
		}
		slices.Sort(out)
		return out
	}
	var prev *Graph
	for _, c := range []struct {
		name     string
		dp       *parser.Dialplan
		phoneCtx string
		trunks   []Trunk
		kept     bool
		want     []string
	}{
		{"first", dp, "p", nil, false, []string{"p", "q", "r"}},
		{"the same", dp, "p", nil, true, []string{"p", "q", "r"}},
		{"a trunk's calls start in q", dp, "p", []Trunk{{Tech: "SIP", Name: "t", Context: "q"}}, false, []string{"p"}},
		{"the phone's context", dp, "r", []Trunk{{Tech: "SIP", Name: "t", Context: "q"}}, false, []string{"r"}},
		{"the dialplan read again", parser.BuildDialplan(parseDialplan(t, t.TempDir(), text)), "r", []Trunk{{Tech: "SIP", Name: "t", Context: "q"}}, false, []string{"r"}},
	} {
		in := Input{Dialplan: c.dp, Tenants: []Tenant{{ID: "A", Key: "a", Contexts: []string{"p", "q", "r"}}},
			Phones: []Phone{{Tech: "SIP", Name: "a1", Number: "100", TenantID: "A", Context: c.phoneCtx}}, Trunks: c.trunks, Previous: prev}
		g, _ := Build(in)
		if got := names(g.internal); !slices.Equal(got, c.want) {
			t.Errorf("%s: phones' contexts %q, want %q", c.name, got, c.want)
		}
		if kept := prev != nil && g.internal == prev.internal; kept != c.kept {
			t.Errorf("%s: kept %v, want %v", c.name, kept, c.kept)
		}
		prev = g
	}
}

// TestTenantAddedSharingAContext: a tenant added after the others that
// claims a context a part already had gives, from the previous Build,
// the Graph a Build from nothing gives (sameTenants looks at a tenant the
// previous tables did not have).
func TestTenantAddedSharingAContext(t *testing.T) {
	text := "[a-in]\nexten => _X.,1,Goto(a-menu,s,1)\n[a-menu]\nexten => s,1,Background(menu)\n same => n,WaitExten(5)\nexten => 1,1,Dial(SIP/a1,20)\n"
	cfg := parseDialplan(t, t.TempDir(), text)
	dp := parser.BuildDialplan(cfg)
	in := Input{Dialplan: dp, Digests: cfg.Digests,
		Tenants: []Tenant{{ID: "A", Key: "a", Contexts: []string{"a-in", "a-menu"}}},
		Phones:  []Phone{{Tech: "SIP", Name: "a1", Number: "101", TenantID: "A", Context: "a-menu"}},
		Trunks:  []Trunk{{Tech: "SIP", Name: "ta", Context: "a-in", TenantID: "A"}}}
	first, _ := Build(in)
	in.Tenants = append(slices.Clone(in.Tenants), Tenant{ID: "B", Key: "b", Contexts: []string{"a-menu"}})
	want, _ := Build(in)
	in.Previous = first
	got, _ := Build(in)
	if a, b := dumpJSON(t, got), dumpJSON(t, want); a != b {
		t.Errorf("the Build from the last differs from one from nothing:\n%s\n%s", a, b)
	}
}
