// Package ids derives the deterministic IDs of SPEC §5: a hash of an
// object's kind and natural key, so that every replica reading the same
// files agrees and unrelated objects never move an ID. Package index
// (tenants, users, extensions) and package flow (call-flow objects and
// edges) share it.
package ids

import (
	"sort"
	"strconv"
)

// MaxID is the largest ID: 2^53-1, the largest integer a JavaScript client
// holds exactly. Derived IDs are 1..MaxID.
const MaxID = 1<<53 - 1

const (
	offset64 = 14695981039346656037
	prime64  = 1099511628211
)

// Hash is FNV-1a-64("<kind>\x00<key>") mod (2^53-1) + 1.
func Hash(kind, key string) uint64 { return HashParts(kind, key) }

// HashParts is Hash(kind, strings.Join(parts, "\x00")) without the join.
func HashParts(kind string, parts ...string) uint64 {
	h := uint64(offset64)
	for i := 0; i < len(kind); i++ {
		h ^= uint64(kind[i])
		h *= prime64
	}
	h *= prime64 // the 0 byte after the kind
	for n, p := range parts {
		if n > 0 {
			h *= prime64 // the 0 byte between parts
		}
		for i := 0; i < len(p); i++ {
			h ^= uint64(p[i])
			h *= prime64
		}
	}
	return h%MaxID + 1
}

// Allocator hands out the IDs of one kind. On the (unlikely) clash with an
// ID already taken, "\x00" and a counter are appended to the key until the
// ID is free, keys taken in sorted order so that every replica agrees.
type Allocator struct {
	kind  string
	taken map[string]bool
	// listed are IDs AssignList took that are not yet in taken: most
	// allocators are used once, and a map of every ID of a big PBX as
	// strings is costly to fill for nothing (see settle).
	listed []uint64
}

// settle moves the IDs of listed into taken.
func (a *Allocator) settle() {
	for _, n := range a.listed {
		a.taken[strconv.FormatUint(n, 10)] = true
	}
	a.listed = nil
}

// New returns the allocator of kind.
func New(kind string) *Allocator { return &Allocator{kind: kind, taken: map[string]bool{}} }

// Pin reserves a pinned ID.
func (a *Allocator) Pin(id string) {
	a.settle()
	a.taken[id] = true
}

// Assign returns IDs for keys (any order, duplicates share one),
// deterministic for a given set of keys and pins.
func (a *Allocator) Assign(keys []string) map[string]string {
	a.settle()
	if out, ok := a.firstChoice(keys); ok {
		return out
	}
	sorted := append([]string(nil), keys...)
	sort.Strings(sorted)
	out := make(map[string]string, len(keys))
	for _, k := range sorted {
		if _, done := out[k]; done {
			continue
		}
		key := k
		for n := 1; ; n++ {
			id := strconv.FormatUint(Hash(a.kind, key), 10)
			if !a.taken[id] {
				a.taken[id] = true
				out[k] = id
				break
			}
			key = k + "\x00" + strconv.Itoa(n)
		}
	}
	return out
}

// firstChoice is Assign when no key's first-choice ID is taken (by a pin
// or another key): every key then gets its first choice whatever the
// order. ok is false, and nothing is taken, when some key's is.
func (a *Allocator) firstChoice(keys []string) (map[string]string, bool) {
	taken := make(map[string]bool, len(a.taken)+len(keys))
	for id := range a.taken {
		taken[id] = true
	}
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		if _, done := out[k]; done {
			continue
		}
		id := strconv.FormatUint(Hash(a.kind, k), 10)
		if taken[id] {
			return nil, false
		}
		taken[id] = true
		out[k] = id
	}
	a.taken = taken
	return out, true
}

// AssignList is Assign returning the ID of each key in a list parallel
// to keys.
func (a *Allocator) AssignList(keys []string) []string {
	out, _ := a.AssignListFirst(keys)
	return out
}

// AssignListFirst is AssignList, and whether every key got its first
// choice, Hash(kind, key).
func (a *Allocator) AssignListFirst(keys []string) ([]string, bool) {
	if out, ok := a.firstChoiceList(keys); ok {
		return out, true
	}
	m := a.Assign(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out, false
}

// firstChoiceList is AssignList when every key gets its first choice (see
// firstChoice), worked out on the numbers rather than in maps keyed by
// the keys and the IDs as strings: the same result, a fraction of the
// cost on the hundreds of thousands of keys of a big PBX. ok is false,
// and nothing is taken, when some key's first choice is taken.
func (a *Allocator) firstChoiceList(keys []string) ([]string, bool) {
	a.settle()
	first := make(map[uint64]int, len(keys)) // ID -> the first key given it
	nums := make([]uint64, len(keys))
	from := make([]int, len(keys)) // the first key of the same ID
	for i, k := range keys {
		n := Hash(a.kind, k)
		j, ok := first[n]
		switch {
		case !ok:
			first[n], j = i, i
		case keys[j] != k:
			return nil, false // two keys, one ID
		}
		nums[i], from[i] = n, j
	}
	for id := range a.taken {
		if n, err := strconv.ParseUint(id, 10, 64); err == nil && strconv.FormatUint(n, 10) == id {
			if _, ok := first[n]; ok {
				return nil, false
			}
		}
	}
	out := make([]string, len(keys))
	for i, n := range nums {
		if j := from[i]; j < i {
			out[i] = out[j] // a repeated key
			continue
		}
		out[i] = strconv.FormatUint(n, 10)
		a.listed = append(a.listed, n)
	}
	return out, true
}
