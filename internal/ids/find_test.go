package ids

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestFindByID: every ID of a sorted list is found, by binary search, as a
// map would find it; IDs not in it, or not numbers, are not.
func TestFindByID(t *testing.T) {
	type item struct{ id string }
	idOf := func(it *item) string { return it.id }
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var list []*item
		byID := map[string]*item{}
		for range rng.IntN(300) {
			id := strconv.Itoa(rng.IntN(1000))
			if rng.IntN(20) == 0 {
				id = "0" + id // told apart from id by its text
			}
			if byID[id] == nil {
				it := &item{id}
				list = append(list, it)
				byID[id] = it
			}
		}
		SortByID(list, idOf)
		for _, want := range []string{"", "x", "-1", "1000", "5", "05", "999", "0", "00", "18446744073709551616"} {
			if _, ok := byID[want]; ok {
				continue
			}
			if got, ok := FindByID(list, idOf, want); ok {
				t.Fatalf("round %d: %q found as %q", round, want, got.id)
			}
		}
		for id, it := range byID {
			if got, ok := FindByID(list, idOf, id); !ok || got != it {
				t.Fatalf("round %d: %q not found (got %v, %v)", round, id, got, ok)
			}
		}
	}
}
