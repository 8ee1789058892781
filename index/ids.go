package index

import (
	"hash/fnv"
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
func hashID(kind, key string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(key))
	return h.Sum64()%(1<<53-1) + 1
}

// idAllocator hands out the IDs of one kind.
type idAllocator struct {
	kind  string
	taken map[string]bool
}

func newIDAllocator(kind string) *idAllocator {
	return &idAllocator{kind: kind, taken: map[string]bool{}}
}

// pin reserves a pinned ID.
func (a *idAllocator) pin(id string) { a.taken[id] = true }

// assign returns IDs for keys (any order), deterministic for a given set.
func (a *idAllocator) assign(keys []string) map[string]string {
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
