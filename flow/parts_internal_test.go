package flow

import (
	"strconv"
	"testing"

	"github.com/astapi/astapi/internal/ids"
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
			out, ok := byFirstChoice(c.parts, "object", func(f *partGraph) ([]*Object, []string, []uint64) { return f.objects, f.objKeys, f.objNums },
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
