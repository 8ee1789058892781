package index

import (
	"fmt"
	"slices"
	"testing"
)

// TestGrouping: groupBy keeps each group in list order, in slices without
// spare capacity; a second list with the same keys item for item is
// grouped alike (fits), and one that differs anywhere is not.
func TestGrouping(t *testing.T) {
	type item struct{ tenant, name string }
	key := func(i item) string { return i.tenant }
	list := []item{{"1", "a"}, {"1", "b"}, {"2", "c"}, {"1", "d"}, {"3", "e"}, {"2", "f"}}
	got := groupBy(list, key)
	want := map[string][]string{"1": {"a", "b", "d"}, "2": {"c", "f"}, "3": {"e"}}
	if len(got) != len(want) {
		t.Fatalf("%d groups, want %d", len(got), len(want))
	}
	for k, names := range want {
		var have []string
		for _, it := range got[k] {
			have = append(have, it.name)
		}
		if !slices.Equal(have, names) || cap(got[k]) != len(got[k]) {
			t.Errorf("group %s: %v (cap %d), want %v", k, have, cap(got[k]), names)
		}
	}
	g := groupingOf(list, key)
	twin := make([]string, len(list))
	for i, it := range list {
		twin[i] = fmt.Sprint(it.tenant)
	}
	if !fits(g, twin, func(s string) string { return s }) {
		t.Fatal("a list with the same keys does not fit")
	}
	if twins := groupInto(g, twin); !slices.Equal(twins["1"], []string{"1", "1", "1"}) || len(twins["3"]) != 1 {
		t.Errorf("the twin list grouped as %v", twins)
	}
	for _, bad := range [][]string{twin[:5], append(slices.Clone(twin[:5]), "9"), append([]string{"2"}, twin[1:]...)} {
		if fits(g, bad, func(s string) string { return s }) {
			t.Errorf("%v fits %v", bad, twin)
		}
	}
}
