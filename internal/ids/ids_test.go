package ids

import (
	"fmt"
	"slices"
	"testing"
)

// TestAssignListSameAsAssign: the fast path of AssignList gives what
// Assign gives, with repeated keys, with a pin on a key's first choice
// (the slow path), and on a later call that must see the IDs it took.
func TestAssignListSameAsAssign(t *testing.T) {
	keys := []string{"b", "a", "b", "c\x00x", "a"}
	// run gives the IDs of each call, through AssignList or through Assign.
	run := func(list bool, pins []string, calls ...[]string) [][]string {
		a := New("object")
		for _, p := range pins {
			a.Pin(p)
		}
		var out [][]string
		for _, ks := range calls {
			if list {
				out = append(out, a.AssignList(ks))
				continue
			}
			m := a.Assign(ks)
			ids := make([]string, len(ks))
			for i, k := range ks {
				ids[i] = m[k]
			}
			out = append(out, ids)
		}
		return out
	}
	clash := fmt.Sprint(Hash("object", "a"))
	for _, tc := range []struct {
		name  string
		pins  []string
		calls [][]string
	}{
		{"first choices", nil, [][]string{keys}},
		{"pinned first choice", []string{clash}, [][]string{keys}},
		{"second call sees the first", nil, [][]string{{"a"}, {"a", "d"}}},
	} {
		w, g := run(false, tc.pins, tc.calls...), run(true, tc.pins, tc.calls...)
		if !slices.EqualFunc(w, g, slices.Equal) {
			t.Errorf("%s: AssignList %q, Assign %q", tc.name, g, w)
		}
	}
	if g := run(true, []string{clash}, keys)[0]; g[1] == clash {
		t.Errorf("pinned ID %s handed out", clash)
	}
}
