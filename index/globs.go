package index

import (
	"path/filepath"
	"strings"
)

// globSet answers "which owners' globs match this name" without trying
// every glob: exact names and "prefix*" globs (the usual `acme-*`) are
// looked up in maps, anything else is tried in turn. Owners are numbered;
// first returns the lowest-numbered owner that matches.
type globSet struct {
	exact  map[string][]int
	prefix map[string][]int
	other  []ownedGlob
}

type ownedGlob struct {
	glob  string
	owner int
}

func newGlobSet() *globSet {
	return &globSet{exact: map[string][]int{}, prefix: map[string][]int{}}
}

func (g *globSet) add(glob string, owner int) {
	meta := strings.IndexAny(glob, `*?[\`)
	switch {
	case meta < 0:
		g.exact[glob] = append(g.exact[glob], owner)
	case meta == len(glob)-1 && glob[meta] == '*':
		g.prefix[glob[:meta]] = append(g.prefix[glob[:meta]], owner)
	default:
		g.other = append(g.other, ownedGlob{glob, owner})
	}
}

// match calls f for every owner whose glob matches name (an owner may be
// reported more than once).
func (g *globSet) match(name string, f func(owner int)) {
	for _, o := range g.exact[name] {
		f(o)
	}
	if len(g.prefix) > 0 {
		for i := 0; i <= len(name); i++ {
			for _, o := range g.prefix[name[:i]] {
				f(o)
			}
		}
	}
	for _, og := range g.other {
		if ok, _ := filepath.Match(og.glob, name); ok {
			f(og.owner)
		}
	}
}

// first returns the lowest owner whose glob matches name, or -1.
func (g *globSet) first(name string) int {
	best := -1
	g.match(name, func(o int) {
		if best < 0 || o < best {
			best = o
		}
	})
	return best
}
