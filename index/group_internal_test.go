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

// TestRegroup: after items are added and dropped, the groups of tenants
// neither touched are the very slices they were; the others are merged
// again in ID order (numeric), and a tenant left without items goes.
func TestRegroup(t *testing.T) {
	type item struct{ tenant, id string }
	mk := func(tenant string, ids ...string) []*item {
		var out []*item
		for _, id := range ids {
			out = append(out, &item{tenant, id})
		}
		return out
	}
	a, b, c := mk("a", "5", "20", "300"), mk("b", "7", "70"), mk("c", "9")
	groups := map[string][]*item{"a": a, "b": b, "c": c}
	added := append(mk("a", "6", "1000"), mk("d", "8")...) // in ID order within a tenant
	dropped := map[*item]bool{a[1]: true, c[0]: true}
	got, changed := regroup(groups, added, dropped, func(i *item) string { return i.tenant }, func(i *item) string { return i.id })
	ids := func(list []*item) (out []string) {
		for _, i := range list {
			out = append(out, i.id)
		}
		return out
	}
	if want := []string{"5", "6", "300", "1000"}; !slices.Equal(ids(got["a"]), want) {
		t.Errorf("a: %v, want %v", ids(got["a"]), want)
	}
	if &got["b"][0] != &b[0] {
		t.Error("b, untouched, is not the same slice")
	}
	if _, ok := got["c"]; ok {
		t.Errorf("c, emptied, still has %v", ids(got["c"]))
	}
	if want := []string{"8"}; !slices.Equal(ids(got["d"]), want) {
		t.Errorf("d: %v, want %v", ids(got["d"]), want)
	}
	if want := map[string]bool{"a": true, "c": true, "d": true}; fmt.Sprint(changed) != fmt.Sprint(want) {
		t.Errorf("changed %v, want %v", changed, want)
	}
	if len(groups["a"]) != 3 || groups["c"] == nil {
		t.Error("the previous groups were modified")
	}
}
