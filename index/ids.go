package index

import "github.com/astapi/astapi/internal/ids"

// IDs: a pin from astapi.ini wins; otherwise an object's ID is
//
//	FNV-1a-64("<kind>\x00<natural key>") mod (2^53-1) + 1
//
// in decimal (internal/ids), which stays below 2^53 so JavaScript clients
// read it exactly. Natural keys: tenant = section name (or discovered
// context); user = user name; extension = tenant key \x00 number;
// mailbox = voicemail context \x00 box; phone = MAC \x00 users.conf user;
// call-flow objects and destinations: see package flow.
// On the (unlikely) clash with an ID already taken, "\x00" and a counter
// are appended until the ID is free; objects are numbered in key order so
// every replica agrees.

// MaxID is the largest ID: 2^53-1, the largest integer a JavaScript client
// holds exactly. Derived IDs are 1..MaxID, pins may not exceed it, and the
// API refuses larger ones.
const MaxID = ids.MaxID

// idAllocator hands out the IDs of one kind (see ids.Allocator).
type idAllocator struct{ a *ids.Allocator }

func newIDAllocator(kind string) *idAllocator { return &idAllocator{ids.New(kind)} }

// pin reserves a pinned ID.
func (a *idAllocator) pin(id string) { a.a.Pin(id) }

// assign returns IDs for keys (any order), deterministic for a given set.
func (a *idAllocator) assign(keys []string) map[string]string { return a.a.Assign(keys) }

// assignList is assign returning the ID of each key in a list parallel to
// keys.
func (a *idAllocator) assignList(keys []string) []string { return a.a.AssignList(keys) }

// assignListFirst is assignList, and whether every key got its first
// choice.
func (a *idAllocator) assignListFirst(keys []string) ([]string, bool) {
	return a.a.AssignListFirst(keys)
}
