package index

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/astapi/astapi/internal/ids"
)

// lastWith is a last load of extensions with these keys and IDs, and
// the extensions sorted by ID.
func lastWith(keys, idList []string, first bool) (*parsedFiles, []*Extension) {
	last := &parsedFiles{extKeys: keys, extIDsFirst: first}
	for _, id := range idList {
		last.exts = append(last.exts, &Extension{ID: id})
	}
	byID := slices.Clone(last.exts)
	sortByID(byID, func(e *Extension) string { return e.ID })
	return last, byID
}

func firstChoice(key string) string { return strconv.FormatUint(ids.Hash(extensionKind, key), 10) }

// TestPatchIDs: over random edits of a list of keys, the IDs patched
// from the last are those an allocator gives; a first choice another
// extension holds (but one the edit drops), a key twice, IDs that were
// not all first choices, or too many keys changed are left to the
// allocator.
func TestPatchIDs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	n := 0
	key := func() string { n++; return "T" + strconv.Itoa(n%7) + "\x00" + strconv.Itoa(n) }
	var keys []string
	for range 200 {
		keys = append(keys, key())
	}
	want, first := newIDAllocator(extensionKind).assignListFirst(keys)
	patched := 0
	for step := range 300 {
		last, byID := lastWith(keys, want, first)
		keys = slices.Clone(keys)
		at := rng.IntN(len(keys))
		switch rng.IntN(4) {
		case 0:
			keys = slices.Delete(keys, at, min(len(keys), at+1+rng.IntN(3)))
		case 1:
			keys[at] = key()
		case 2:
			block := make([]string, rng.IntN(maxNewIDs+8))
			for i := range block {
				block[i] = key()
			}
			keys = slices.Insert(keys, at, block...)
		default:
			keys = slices.Insert(keys, at, key())
		}
		want, first = newIDAllocator(extensionKind).assignListFirst(keys)
		got, gotFirst, ok := patchIDs(keys, last, byID)
		if !ok {
			continue
		}
		patched++
		if !slices.Equal(got, want) || gotFirst != first {
			t.Fatalf("step %d: patched %v (first %v), want %v (%v)", step, got, gotFirst, want, first)
		}
	}
	if patched < 150 {
		t.Errorf("patched %d of 300 edits", patched)
	}

	a, b, c, x := "A\x001", "A\x002", "A\x003", "A\x009"
	for _, tc := range []struct {
		name     string
		lastKeys []string
		lastIDs  []string
		first    bool
		keys     []string
		want     []string // nil: left to the allocator
	}{
		{"the same keys, IDs not first choices", []string{a, c}, []string{"7", "8"}, false, []string{a, c}, []string{"7", "8"}},
		{"a key added, IDs not first choices", []string{a, c}, []string{"7", "8"}, false, []string{a, b, c}, nil},
		{"a key added", []string{a, c}, []string{firstChoice(a), firstChoice(c)}, true, []string{a, b, c},
			[]string{firstChoice(a), firstChoice(b), firstChoice(c)}},
		// c's extension holds b's first choice (as a clash would give).
		{"its first choice held", []string{a, c}, []string{firstChoice(a), firstChoice(b)}, true, []string{a, b, c}, nil},
		{"its first choice held by one dropped", []string{a, x, c}, []string{firstChoice(a), firstChoice(b), firstChoice(c)}, true,
			[]string{a, b, c}, []string{firstChoice(a), firstChoice(b), firstChoice(c)}},
		{"a key twice", []string{a, c}, []string{firstChoice(a), firstChoice(c)}, true, []string{a, b, b, c}, nil},
		{"keys added at the bound", []string{a}, []string{firstChoice(a)}, true, many(a, maxNewIDs), firstChoices(many(a, maxNewIDs))},
		{"keys added past it", []string{a}, []string{firstChoice(a)}, true, many(a, maxNewIDs+1), nil},
		{"keys dropped at the bound", many(a, maxNewIDs), firstChoices(many(a, maxNewIDs)), true, []string{a}, []string{firstChoice(a)}},
		{"keys dropped past it", many(a, maxNewIDs+1), firstChoices(many(a, maxNewIDs+1)), true, []string{a}, nil},
	} {
		last, byID := lastWith(tc.lastKeys, tc.lastIDs, tc.first)
		got, first, ok := patchIDs(tc.keys, last, byID)
		if tc.want == nil && ok || tc.want != nil && (!ok || !slices.Equal(got, tc.want)) {
			t.Errorf("%s: %q (ok %v), want %q", tc.name, got, ok, tc.want)
		}
		if ok && first != tc.first {
			t.Errorf("%s: first choices %v, want %v", tc.name, first, tc.first)
		}
	}
}

// many is key and n more after it.
func many(key string, n int) []string {
	out := []string{key}
	for i := range n {
		out = append(out, key+"-"+strconv.Itoa(i))
	}
	return out
}

func firstChoices(keys []string) []string {
	var out []string
	for _, k := range keys {
		out = append(out, firstChoice(k))
	}
	return out
}
