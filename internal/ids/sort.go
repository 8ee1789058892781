package ids

import (
	"cmp"
	"slices"
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
