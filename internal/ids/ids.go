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
}

// New returns the allocator of kind.
func New(kind string) *Allocator { return &Allocator{kind: kind, taken: map[string]bool{}} }

// Pin reserves a pinned ID.
func (a *Allocator) Pin(id string) { a.taken[id] = true }

// Assign returns IDs for keys (any order, duplicates share one),
// deterministic for a given set of keys and pins.
func (a *Allocator) Assign(keys []string) map[string]string {
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
	m := a.Assign(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}
