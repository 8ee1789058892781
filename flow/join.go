package flow

// This file holds how Build joins what its parts found into the Graph's
// lists: IDs as first choices (hashes of their keys), sorted by number,
// merged into the previous Graph's lists when most parts are reused.

import (
	"cmp"
	"slices"
	"strconv"
	"sync"

	"github.com/astapi/astapi/internal/ids"
)

// join makes the Graph of the parts when every object's and edge's ID is
// its first choice (see ids.Allocator): then a part reused keeps its IDs.
// ok is false when two keys want one ID.
func join(parts []*part, prev *Graph) (*Graph, bool) {
	// Objects and edges are numbered apart: concurrently.
	g := &Graph{}
	var objsOK bool
	var objChanges *listChanges[*Object]
	var wg sync.WaitGroup
	wg.Go(func() {
		g.Objects, g.objNums, objChanges, objsOK = joinList(parts, prev, "object", func(g *Graph) ([]*Object, []uint64) { return g.Objects, g.objNums },
			func(f *partGraph) ([]*Object, []string, []uint64) { return f.objects, f.objKeys, f.objNums },
			func(o *Object, id string) { o.ID = id })
	})
	var ok bool
	var edgeChanges *listChanges[*Edge]
	g.Edges, g.edgeNums, edgeChanges, ok = joinList(parts, prev, "destination", func(g *Graph) ([]*Edge, []uint64) { return g.Edges, g.edgeNums },
		func(f *partGraph) ([]*Edge, []string, []uint64) { return f.edges, f.edgeKeys, f.edgeNums },
		func(e *Edge, id string) { e.ID = id })
	wg.Wait()
	if !ok || !objsOK {
		return nil, false
	}
	if objChanges != nil && edgeChanges != nil {
		g.changes = &Changes{AddedObjects: objChanges.added, DroppedObjects: objChanges.dropped,
			AddedEdges: edgeChanges.added, DroppedEdges: edgeChanges.dropped}
	}
	return g, true
}

// listChanges is how mergeFirstChoice made a list from the previous one.
type listChanges[T comparable] struct {
	added   []T // sorted by ID
	dropped map[T]bool
}

// joinList is byFirstChoice for one kind of item, merged into prev's
// list when that says the same (see mergeFirstChoice).
func joinList[T comparable](parts []*part, prev *Graph, kind string, list func(*Graph) ([]T, []uint64),
	of func(*partGraph) ([]T, []string, []uint64), setID func(T, string)) ([]T, []uint64, *listChanges[T], bool) {
	if prev != nil && prev.partsWhole {
		prevList, prevNums := list(prev)
		if out, nums, changes, ok, known := mergeFirstChoice(parts, prev, prevList, prevNums, kind, of, setID); known {
			return out, nums, changes, ok
		}
	}
	out, nums, ok := byFirstChoice(parts, kind, of, setID)
	return out, nums, nil, ok
}

// numbered is an object or edge with its ID as a number: the hash of its
// key for a part read now, the ID it has for a part reused.
type numbered[T any] struct {
	n    uint64
	part int
	key  string // "" in a reused part
	v    T
}

// byFirstChoice gives the items of the parts read now their first-choice
// IDs, and returns every item sorted by ID (items of one key, which share
// it, in the parts' order); false when two keys want one ID. Keys of a
// part are distinct from those of any other (they hold positions of the
// part's own contexts), and a reused part's IDs were checked when it was
// read.
func byFirstChoice[T any](parts []*part, kind string, of func(*partGraph) ([]T, []string, []uint64), setID func(T, string)) ([]T, []uint64, bool) {
	n := 0
	for _, p := range parts {
		items, _, _ := of(p.found)
		n += len(items)
	}
	all := make([]numbered[T], 0, n)
	for pi, p := range parts {
		items, keys, nums := of(p.found)
		for i, it := range items {
			if p.reused {
				all = append(all, numbered[T]{n: nums[i], part: pi, v: it})
			} else {
				all = append(all, numbered[T]{n: ids.Hash(kind, keys[i]), part: pi, key: keys[i], v: it})
			}
		}
	}
	// Sorted by number, then by place in all (the parts' order): small
	// pairs, not the items, and not a stable sort, which is several times
	// slower at a million items.
	type ranked struct {
		n  uint64
		at int
	}
	order := make([]ranked, len(all))
	for i, x := range all {
		order[i] = ranked{x.n, i}
	}
	slices.SortFunc(order, func(a, b ranked) int {
		if a.n != b.n {
			return cmp.Compare(a.n, b.n)
		}
		return cmp.Compare(a.at, b.at)
	})
	out, nums := make([]T, len(all)), make([]uint64, len(all))
	for i, r := range order {
		x := all[r.at]
		if i > 0 {
			if y := all[order[i-1].at]; y.n == x.n && (y.part != x.part || y.key != x.key) {
				return nil, nil, false
			}
		}
		out[i], nums[i] = numberedID(x, setID), x.n
	}
	return out, nums, true
}

// numberedID gives x its number as its ID when it has a key (it is of a
// part read now), and returns it.
func numberedID[T any](x numbered[T], setID func(T, string)) T {
	if x.key != "" {
		setID(x.v, strconv.FormatUint(x.n, 10))
	}
	return x.v
}

// mergeFirstChoice is byFirstChoice for a Build that reused most of its
// parts from prev, whose list (sorted by ID) holds the items of its parts
// and of no other: the items of the parts reused keep their order in it,
// those of prev's other parts are left out, and the items of the parts
// read now, sorted, are merged in. At ten thousand parts that is a
// fraction of sorting every item again. known is false when prev's list
// cannot be told apart by part that way (then byFirstChoice decides).
func mergeFirstChoice[T comparable](parts []*part, prev *Graph, prevList []T, prevNums []uint64, kind string,
	of func(*partGraph) ([]T, []string, []uint64), setID func(T, string)) (out []T, nums []uint64, changes *listChanges[T], ok, known bool) {
	if len(prevNums) != len(prevList) {
		return nil, nil, nil, false, false
	}
	reused := make(map[*partGraph]bool, len(parts))
	kept := 0
	var fresh []numbered[T]
	for pi, p := range parts {
		items, keys, _ := of(p.found)
		if !p.reused {
			for i, it := range items {
				fresh = append(fresh, numbered[T]{n: ids.Hash(kind, keys[i]), part: pi, key: keys[i], v: it})
			}
			continue
		}
		if reused[p.found] {
			return nil, nil, nil, false, false // one part of prev taken twice
		}
		reused[p.found] = true
		kept += len(items)
	}
	dropped := map[T]bool{}
	for _, old := range prev.parts {
		if !reused[old.found] {
			items, _, _ := of(old.found)
			for _, it := range items {
				dropped[it] = true
			}
		}
	}
	if len(prevList)-len(dropped) != kept {
		return nil, nil, nil, false, false
	}
	// Stable: items of one number stay in the parts' order.
	slices.SortStableFunc(fresh, func(a, b numbered[T]) int { return cmp.Compare(a.n, b.n) })
	for i := 1; i < len(fresh); i++ {
		if x, y := fresh[i], fresh[i-1]; x.n == y.n && (x.part != y.part || x.key != y.key) {
			return nil, nil, nil, false, true
		}
	}
	// The previous numbers are read in order, and no item is touched:
	// at half a million items, reading each one's ID cost more than the
	// merge.
	out, nums = make([]T, 0, kept+len(fresh)), make([]uint64, 0, kept+len(fresh))
	j := 0
	for i, it := range prevList {
		if len(dropped) > 0 && dropped[it] {
			continue
		}
		n := prevNums[i]
		for ; j < len(fresh) && fresh[j].n < n; j++ {
			out, nums = append(out, numberedID(fresh[j], setID)), append(nums, fresh[j].n)
		}
		if j < len(fresh) && fresh[j].n == n {
			return nil, nil, nil, false, true // an item of a part read now wants the ID of one reused
		}
		out, nums = append(out, it), append(nums, n)
	}
	for ; j < len(fresh); j++ {
		out, nums = append(out, numberedID(fresh[j], setID)), append(nums, fresh[j].n)
	}
	changes = &listChanges[T]{added: make([]T, len(fresh)), dropped: dropped}
	for i, x := range fresh {
		changes.added[i] = x.v
	}
	return out, nums, changes, true, true
}

// joinClashing is join when IDs clash: every part was read in this Build,
// and the IDs are given over all keys at once.
func joinClashing(parts []*part) *Graph {
	g := &Graph{}
	var objKeys, edgeKeys []string
	for _, p := range parts {
		g.Objects = append(g.Objects, p.found.objects...)
		objKeys = append(objKeys, p.found.objKeys...)
		g.Edges = append(g.Edges, p.found.edges...)
		edgeKeys = append(edgeKeys, p.found.edgeKeys...)
	}
	for i, id := range ids.New("object").AssignList(objKeys) {
		g.Objects[i].ID = id
	}
	for i, id := range ids.New("destination").AssignList(edgeKeys) {
		g.Edges[i].ID = id
	}
	ids.SortByID(g.Objects, func(o *Object) string { return o.ID })
	ids.SortByID(g.Edges, func(e *Edge) string { return e.ID })
	return g
}
