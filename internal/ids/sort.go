package ids

import (
	"cmp"
	"slices"
	"sort"
	"strconv"
)

// SortByID sorts list by numeric ID, parsing each ID once; equal IDs keep
// their order, as in a stable sort. A list already in order (the call
// flow's lists reach the snapshot sorted) is only checked. Sorting plain
// keys is many times faster than sort.SliceStable's reflective swaps on
// the lists of a big PBX.
func SortByID[T any](list []T, id func(T) string) {
	type keyed struct {
		n uint64
		i int
		v T
	}
	var last uint64
	sorted := true
	for i, v := range list {
		n, _ := strconv.ParseUint(id(v), 10, 64)
		if i > 0 && n < last {
			sorted = false
			break
		}
		last = n
	}
	if sorted {
		return
	}
	tmp := make([]keyed, len(list))
	for i, v := range list {
		n, _ := strconv.ParseUint(id(v), 10, 64)
		tmp[i] = keyed{n, i, v}
	}
	slices.SortFunc(tmp, func(a, b keyed) int {
		if c := cmp.Compare(a.n, b.n); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	for i := range tmp {
		list[i] = tmp[i].v
	}
}

// FindByID returns the item of list (sorted by SortByID) whose ID is
// want, by binary search: a list of a hundred thousand needs no map of
// its own. An ID that is not a decimal number is never found.
func FindByID[T any](list []T, id func(T) string, want string) (T, bool) {
	var zero T
	n, err := strconv.ParseUint(want, 10, 64)
	if err != nil {
		return zero, false
	}
	num := func(i int) uint64 {
		m, _ := strconv.ParseUint(id(list[i]), 10, 64)
		return m
	}
	// IDs equal as numbers ("07", "7") are told apart by their text.
	for i := sort.Search(len(list), func(i int) bool { return num(i) >= n }); i < len(list) && num(i) == n; i++ {
		if id(list[i]) == want {
			return list[i], true
		}
	}
	return zero, false
}
