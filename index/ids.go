package index

import (
	"sort"
	"strconv"
)

// IDs: a pin from astapi.ini wins; otherwise an object's ID is
//
//	FNV-1a-64("<kind>\x00<natural key>") mod (2^53-1) + 1
//
// in decimal, which stays below 2^53 so JavaScript clients read it exactly.
// Natural keys: tenant = section name (or discovered context); user = user
// name; extension = tenant key \x00 number; destination = tenant key \x00
// source type \x00 source \x00 destination type \x00 destination \x00 order.
// On the (unlikely) clash with an ID already taken, "\x00" and a counter
// are appended until the ID is free; objects are numbered in key order so
// every replica agrees.
// MaxID is the largest ID: 2^53-1, the largest integer a JavaScript client
// holds exactly. Derived IDs are 1..MaxID, pins may not exceed it, and the
// API refuses larger ones.
const MaxID = 1<<53 - 1

func hashID(kind, key string) uint64 {
	// FNV-1a 64 (hash/fnv), inlined: it runs for every object.
	const (
		offset64 = 14695981039346656037
		prime64  = 1099511628211
	)
	h := uint64(offset64)
	for i := 0; i < len(kind); i++ {
		h ^= uint64(kind[i])
		h *= prime64
	}
	h *= prime64 // the 0 byte: h ^= 0
	for i := 0; i < len(key); i++ {
		h ^= uint64(key[i])
		h *= prime64
	}
	return h%MaxID + 1
}

// idAllocator hands out the IDs of one kind.
type idAllocator struct {
	kind  string
	taken map[string]bool
	strs  strArena // the IDs
}

func newIDAllocator(kind string) *idAllocator {
	return &idAllocator{kind: kind, taken: map[string]bool{}}
}

// pin reserves a pinned ID.
func (a *idAllocator) pin(id string) { a.taken[id] = true }

// assign returns IDs for keys (any order), deterministic for a given set.
func (a *idAllocator) assign(keys []string) map[string]string {
	if out, ok := a.assignFirstChoice(keys); ok {
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
			id := strconv.FormatUint(hashID(a.kind, key), 10)
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

// assignFirstChoice is assign when no key's first-choice ID is taken (by a
// pin or another key): then every key gets its first choice whatever the
// order, so the keys need no sorting. ok is false, and nothing is taken,
// when some key's is.
func (a *idAllocator) assignFirstChoice(keys []string) (map[string]string, bool) {
	taken := make(map[string]bool, len(a.taken)+len(keys))
	for id := range a.taken {
		taken[id] = true
	}
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		if _, done := out[k]; done {
			continue
		}
		id := a.strs.uint(hashID(a.kind, k))
		if taken[id] {
			return nil, false
		}
		taken[id] = true
		out[k] = id
	}
	a.taken = taken
	return out, true
}

// assignList is assign returning the ID of each key in a list parallel to
// keys. It is the allocator's last use: what it takes is not recorded.
func (a *idAllocator) assignList(keys []string) []string {
	ids := make([]string, len(keys))
	// First choices, as in assignFirstChoice, with the index of the key
	// that took each ID (a duplicate key gets the same ID).
	byID := make(map[string]int32, len(keys))
	for i, k := range keys {
		id := a.strs.uint(hashID(a.kind, k))
		if a.taken[id] {
			return a.assignListSorted(keys, ids)
		}
		if j, ok := byID[id]; ok {
			if keys[j] != k {
				return a.assignListSorted(keys, ids)
			}
		} else {
			byID[id] = int32(i)
		}
		ids[i] = id
	}
	return ids
}

func (a *idAllocator) assignListSorted(keys, ids []string) []string {
	out := a.assign(keys)
	for i, k := range keys {
		ids[i] = out[k]
	}
	return ids
}

// hashIDParts is hashID(kind, strings.Join(parts, "\x00")).
func hashIDParts(kind string, parts ...string) uint64 {
	const prime64 = 1099511628211
	h := uint64(14695981039346656037)
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

// assignHashed is assignList for keys given by the first-choice IDs they
// hash to (hashIDParts) and, only when two of those clash or one is
// taken, by keyOf.
func (a *idAllocator) assignHashed(hashes []uint64, keyOf func(i int) string) []string {
	ids := make([]string, len(hashes))
	byHash := make(map[uint64]int32, len(hashes))
	for i, h := range hashes {
		if j, ok := byHash[h]; ok {
			if keyOf(int(j)) != keyOf(i) {
				return a.assignKeysOf(len(hashes), keyOf, ids)
			}
			ids[i] = ids[j] // the same key
			continue
		}
		id := a.strs.uint(h)
		if a.taken[id] {
			return a.assignKeysOf(len(hashes), keyOf, ids)
		}
		byHash[h] = int32(i)
		ids[i] = id
	}
	return ids
}

func (a *idAllocator) assignKeysOf(n int, keyOf func(i int) string, ids []string) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = keyOf(i)
	}
	return a.assignListSorted(keys, ids)
}
