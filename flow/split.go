package flow

import (
	"runtime"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/astapi/astapi/internal/parallel"
	"github.com/astapi/astapi/parser"
)

// This file holds how Build cuts the dialplan into parts (see parts.go):
// the contexts linked by what their text names, joined in a union-find.

// split cuts the dialplan into parts: contexts are in one part when one
// includes the other, when one names the other in an application's
// arguments (also as macro-<name>, or through a global variable), or
// when one trunk's calls start in both.
func (sh *shared) split() []*part {
	dp, in := sh.whole, sh.in
	n := len(dp.Contexts)
	u := newUnion(n)
	// The words are looked up in parallel runs of contexts, each
	// context's links kept for the next Build (see splitLinks).
	prev := sh.in.Previous.splitLinksFor(dp)
	sh.links = &splitLinks{contexts: dp.Contexts, globals: dp.Globals, to: make([][]int32, n)}
	if sh.sameNames = prev != nil; prev != nil {
		sh.links.index, sh.links.targets = prev.index, prev.targets
	} else {
		sh.links.index, sh.links.targets = wordTargets(dp)
	}
	ctxIndex, targets := sh.links.index, sh.links.targets
	var moved atomic.Bool // a context read again links elsewhere than before
	parallel.Runs(n, runtime.GOMAXPROCS(0), func(_, lo, hi int) {
		var out []int32
		link := func(ci int, tok string) {
			for _, cj := range targets[tok] {
				if int(cj) != ci {
					out = append(out, cj)
				}
			}
		}
		for ci := lo; ci < hi; ci++ {
			c := dp.Contexts[ci]
			if prev != nil && prev.contexts[ci] == c {
				sh.links.to[ci] = prev.to[ci]
				continue
			}
			out = out[:0]
			for _, inc := range c.Includes {
				link(ci, inc.Context)
			}
			for _, e := range c.Extensions {
				eachToken(e.Hint, func(tok string) { link(ci, tok) })
				for i := range e.Priorities {
					eachToken(e.Priorities[i].Args, func(tok string) { link(ci, tok) })
				}
			}
			if len(out) > 0 {
				slices.Sort(out)
				sh.links.to[ci] = slices.Clone(slices.Compact(out))
			}
			if prev != nil && !slices.Equal(sh.links.to[ci], prev.to[ci]) {
				moved.Store(true)
			}
		}
	})
	// The same links, trunks and tenants' contexts cut the dialplan as
	// before (the phones do not enter the cut).
	if prev != nil && !moved.Load() && prev.cut != nil && sh.cutsAs(prev.tables) {
		sh.links.cut, sh.links.tables = prev.cut, sh.tables
		parts := make([]*part, len(prev.cut))
		for k, pc := range prev.cut {
			p := &part{contexts: make([]*parser.Context, len(pc.contexts)), trunks: pc.trunks, tenants: pc.tenants}
			for j, ci := range pc.contexts {
				p.contexts[j] = dp.Contexts[ci]
			}
			parts[k] = p
		}
		return parts
	}
	for ci, to := range sh.links.to {
		for _, cj := range to {
			u.join(ci, int(cj))
		}
	}
	trunkRoot := make([]int, len(in.Trunks))
	for i, t := range in.Trunks {
		trunkRoot[i] = -1
		for _, name := range trunkRoots(t) {
			if ci, ok := ctxIndex[name]; ok {
				if trunkRoot[i] < 0 {
					trunkRoot[i] = ci
				}
				u.join(trunkRoot[i], ci)
			}
		}
	}
	byRoot := map[int]*part{}
	var parts []*part
	partOf := func(x int) *part {
		root := u.find(x)
		p := byRoot[root]
		if p == nil {
			p = &part{}
			byRoot[root] = p
			parts = append(parts, p)
		}
		return p
	}
	at := map[*part]int{} // index in parts
	cut := []partCut{}
	for ci, c := range dp.Contexts {
		p := partOf(ci)
		p.contexts = append(p.contexts, c)
		k, ok := at[p]
		if !ok {
			k = len(cut)
			at[p] = k
			cut = append(cut, partCut{})
		}
		cut[k].contexts = append(cut[k].contexts, int32(ci))
	}
	for i, ci := range trunkRoot {
		if ci >= 0 {
			p := partOf(ci)
			p.trunks = append(p.trunks, in.Trunks[i])
		}
	}
	for _, p := range parts {
		for _, c := range p.contexts {
			p.tenants = append(p.tenants, sh.owners[c.Name]...)
		}
		slices.Sort(p.tenants)
		p.tenants = slices.Compact(p.tenants)
		k := at[p] // every part has a context: a trunk's root is one
		cut[k].trunks, cut[k].tenants = p.trunks, p.tenants
	}
	sh.links.cut, sh.links.tables = cut, sh.tables
	return parts
}

// partCut is a part as split cut it: its contexts (indexes in the
// dialplan's), trunks and tenants.
type partCut struct {
	contexts []int32
	trunks   []Trunk
	tenants  []int
}

// wordTargets are each context's index by name, and what a word of an
// argument links to: the context it names, the macro-<word> context, and
// through a global what its value names.
func wordTargets(dp *parser.Dialplan) (map[string]int, map[string][]int32) {
	n := len(dp.Contexts)
	index := make(map[string]int, n)
	for i, c := range dp.Contexts {
		index[c.Name] = i
	}
	targets := make(map[string][]int32, 2*n)
	for ci, c := range dp.Contexts {
		targets[c.Name] = append(targets[c.Name], int32(ci))
		if name, ok := strings.CutPrefix(c.Name, "macro-"); ok {
			targets[name] = append(targets[name], int32(ci))
		}
	}
	for _, g := range dp.Globals {
		var to []int32
		eachToken(g.Value, func(tok string) { to = append(to, targets[tok]...) })
		if len(to) > 0 {
			targets[g.Name] = append(slices.Clip(targets[g.Name]), to...)
		}
	}
	return index, targets
}

// splitLinks are the contexts each context of a dialplan links to (by
// index), as split found them. They depend on the context itself and on
// what its words can name: every context's name and place, and the
// globals. A Build whose dialplan has the same context names in the same
// places and the same globals (an edit within contexts: the dialplan kept
// shares the contexts of the files that did not change) takes over the
// links of the contexts it shares, rather than reading all their words
// again, and what the words name (index, targets: wordTargets).
type splitLinks struct {
	contexts []*parser.Context
	globals  []parser.Global
	to       [][]int32
	index    map[string]int
	targets  map[string][]int32
	// cut is how split cut the dialplan with these links, and the trunks
	// and tenants of tables: the same links, trunks and tenants (tables
	// taken over) cut it the same way.
	cut    []partCut
	tables *tables
}

// splitLinksFor returns the links of g's Build when they can serve a
// split of dp, or nil.
func (g *Graph) splitLinksFor(dp *parser.Dialplan) *splitLinks {
	if g == nil || g.links == nil || len(g.links.contexts) != len(dp.Contexts) || !slices.Equal(g.links.globals, dp.Globals) {
		return nil
	}
	l := g.links
	for i, c := range dp.Contexts {
		if l.contexts[i] != c && l.contexts[i].Name != c.Name {
			return nil
		}
	}
	return l
}

// trunkRoots are the contexts a trunk's calls start in: its context=,
// and the context FreePBX gives a chan_sip trunk without one.
func trunkRoots(t Trunk) []string {
	var roots []string
	if t.Context != "" {
		roots = append(roots, t.Context)
	}
	if t.Name != "" {
		roots = append(roots, "from-trunk-"+strings.ToLower(t.Tech)+"-"+t.Name)
	}
	return roots
}

// eachToken calls f with each word of s that could name a context or a
// peer: what lies between the characters that separate arguments,
// variables, devices and expressions.
func eachToken(s string, f func(string)) {
	start := -1
	for i := 0; i <= len(s); i++ {
		sep := i == len(s)
		if !sep {
			switch s[i] {
			case ',', '(', ')', '|', '/', '@', '$', '{', '}', ':', ';', '=', '"', '\'', ' ', '\t', '[', ']', '&', '!', '<', '>', '?', '^', '%':
				sep = true
			}
		}
		if sep {
			if start >= 0 {
				f(s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
}

// union is a union-find of 0..n-1.
type union struct{ parent []int32 }

func newUnion(n int) *union {
	u := &union{parent: make([]int32, n)}
	for i := range u.parent {
		u.parent[i] = int32(i)
	}
	return u
}

func (u *union) find(x int) int {
	for int(u.parent[x]) != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = int(u.parent[x])
	}
	return x
}

func (u *union) join(a, b int) {
	ra, rb := u.find(a), u.find(b)
	if ra != rb {
		u.parent[max(ra, rb)] = int32(min(ra, rb))
	}
}

// cutsAs reports whether t, the tables the previous cut was made with,
// hold the trunks and the tenants' contexts that sh's do: all that split
// reads of them.
func (sh *shared) cutsAs(t *tables) bool {
	return t == sh.tables || t != nil && slices.Equal(t.trunkList, sh.in.Trunks) &&
		slices.EqualFunc(t.tenants, sh.in.Tenants, func(a, b Tenant) bool { return slices.Equal(a.Contexts, b.Contexts) })
}
