package index

import (
	"maps"
	"slices"

	"github.com/astapi/astapi/internal/parallel"
	"github.com/astapi/astapi/internal/slab"
	"github.com/astapi/astapi/parser"
)

// A reload that reads a few tenant files again gets a dialplan that
// shares every other context with the last load's (parser.Dialplan.Splice).
// What is derived context by context (the graph of includes and jumps,
// how each Dial() uses the peers) is then taken over from the last load,
// and only the contexts read again are derived anew, with what they
// replace taken out. dialplanDelta says when that holds.

// dialplanDelta is how a load's dialplan differs from the last load's.
// patch: both hold the same contexts by name, in the same order, and few
// of them (changed, indexes in Contexts) are other objects; the passes
// below then patch the last load's results. Otherwise they derive anew.
type dialplanDelta struct {
	last    *parser.Dialplan
	patch   bool
	changed []int
}

// deltaOf compares dp with last (nil on a first load). Beyond an eighth
// of the contexts changed, deriving anew costs less than patching.
func deltaOf(last, dp *parser.Dialplan) dialplanDelta {
	d := dialplanDelta{last: last}
	if last == nil || len(last.Contexts) != len(dp.Contexts) || !slices.Equal(last.Globals, dp.Globals) {
		return d
	}
	for i, c := range dp.Contexts {
		o := last.Contexts[i]
		if c == o {
			continue
		}
		if c.Name != o.Name || len(d.changed) >= len(dp.Contexts)/8 {
			d.changed = nil
			return d
		}
		d.changed = append(d.changed, i)
	}
	d.patch = true
	return d
}

// contextGraph is the dialplan's graph: per context, the contexts it
// includes or jumps to with a literal name (those that exist), and what
// drawing a context said, for the contexts that said anything.
type contextGraph struct {
	edges map[string][]string
	notes map[*parser.Context]parser.Diagnostics
	// kept: edges is the last load's, unchanged (see tenantContexts).
	kept bool
}

// drawContexts draws the graph of b.dp, patching last's (the last
// load's, or nil) as d allows.
func (b *builder) drawContexts(last *contextGraph, d dialplanDelta) *contextGraph {
	if last == nil || !d.patch {
		g := &contextGraph{edges: map[string][]string{}, notes: map[*parser.Context]parser.Diagnostics{}}
		for _, c := range b.dp.Contexts {
			var notes parser.Diagnostics
			if e := b.edgesOf(c, &notes); len(e) > 0 {
				g.edges[c.Name] = e
			}
			if len(notes) > 0 {
				g.notes[c] = notes
			}
		}
		return g
	}
	g := &contextGraph{edges: last.edges, notes: last.notes, kept: true}
	notesOwn := false
	for _, i := range d.changed {
		c, old := b.dp.Contexts[i], d.last.Contexts[i]
		var notes parser.Diagnostics
		if e := b.edgesOf(c, &notes); !slices.Equal(e, g.edges[c.Name]) {
			if g.kept {
				g.edges, g.kept = maps.Clone(g.edges), false
			}
			if len(e) > 0 {
				g.edges[c.Name] = e
			} else {
				delete(g.edges, c.Name)
			}
		}
		g.notes = replaceNotes(g.notes, &notesOwn, old, c, notes)
	}
	return g
}

// replaceNotes is notes (remarks by context) with old's replaced by c's
// (now): notes itself when neither has any, else a copy (made once: own
// says notes is one already).
func replaceNotes(notes map[*parser.Context]parser.Diagnostics, own *bool, old, c *parser.Context, now parser.Diagnostics) map[*parser.Context]parser.Diagnostics {
	if _, had := notes[old]; !had && len(now) == 0 {
		return notes
	}
	if !*own {
		notes, *own = maps.Clone(notes), true
	}
	delete(notes, old)
	if len(now) > 0 {
		notes[c] = now
	}
	return notes
}

// edgesOf lists the contexts c includes or jumps to with a literal name,
// those that exist; an include of one that does not is noted.
func (b *builder) edgesOf(c *parser.Context, notes *parser.Diagnostics) []string {
	var out []string
	for _, inc := range c.Includes {
		if b.dp.Context(inc.Context) == nil {
			// Asterisk accepts an include of a context that does not exist and
			// skips it when matching: FreePBX writes one per generated context
			// (include => ext-did-custom) whether the admin made it or not.
			(*diagSink)(notes).info(inc.Pos, "include => %s: no such context (Asterisk skips it)", inc.Context)
			continue
		}
		out = append(out, inc.Context)
	}
	for _, name := range b.scans.of[c].jumps {
		if b.dp.Context(name) != nil {
			out = append(out, name)
		}
	}
	return out
}

// dialIndex is how the dialplan's Dial()s use each peer of a peer set,
// and what looking their peers up said, by context (for the contexts
// that said anything).
type dialIndex struct {
	peers *peerSet
	uses  map[*Peer]*dialUse
	notes map[*parser.Context]parser.Diagnostics
	// patched: uses are the last load's but for the peers touched, those
	// the changed contexts dial (before or after), over the very same
	// peers.
	patched bool
	touched map[*Peer]bool
	// again is how many contexts a patch indexed again (over the same
	// peers or not); -1: the index was made anew.
	again int
}

// dialSite is an extension of a context; ci is the context's index in
// the dialplan's Contexts.
type dialSite struct {
	ctx   *parser.Context
	ci    int32
	exten string
}

// dialUse is how the dialplan dials a peer.
type dialUse struct {
	numbered int32      // devices dialling a number through it (SIP/peer/123, SIP/123@peer, PJSIP/123@peer): a trunk
	alone    []dialSite // non-pattern extensions whose Dial rings only this peer, in dialplan order
}

// eachDialUse calls f for each use the Dial()s of context c (scanned in
// scan) make of a peer of ps: numbered for a device dialling a number
// through it, alone for an extension whose Dial() rings it alone. Unknown
// peers are reported to w.
func eachDialUse(ps *peerSet, c *parser.Context, ci int, scan *contextScan, w *diagSink, buf *[]dialTarget, f func(p *Peer, numbered bool, alone *dialSite)) {
	for k := range scan.dials {
		d := &scan.dials[k]
		targets := ps.dialTargets((*buf)[:0], d, w)
		*buf = targets
		for _, t := range targets {
			if t.peer != nil && t.number {
				f(t.peer, true, nil)
			}
		}
		if len(targets) == 1 && targets[0].peer != nil && !targets[0].number && isNumber(d.e.Exten) {
			f(targets[0].peer, false, &dialSite{c, int32(ci), d.e.Exten})
		}
	}
}

// indexDials records how every Dial() of the dialplan uses each peer,
// patching last (the last load's, or nil) as d allows: the contexts d
// changed are indexed again, and when the peers are not the very same
// (one peerCore) but those of a few names (movedNames), the contexts
// that dial one of those names too. lastScans are the last load's scans.
func (b *builder) indexDials(last *dialIndex, lastScans *contextScans, d dialplanDelta) *dialIndex {
	if last == nil || !d.patch || lastScans == nil {
		return b.indexDialsAnew()
	}
	samePeers := last.peers.peerCore == b.peers.peerCore
	again := d.changed
	if !samePeers {
		moved, ok := movedNames(last.peers, b.peers)
		if !ok {
			return b.indexDialsAnew()
		}
		again = b.dialling(moved, d.changed)
	}
	out := &dialIndex{peers: b.peers, uses: maps.Clone(last.uses), notes: last.notes, again: len(again)}
	notesOwn := false
	copied := map[*Peer]*dialUse{} // the uses of out that are its own
	use := func(p *Peer) *dialUse {
		if u := copied[p]; u != nil {
			return u
		}
		u := &dialUse{}
		if o := out.uses[p]; o != nil {
			u.numbered, u.alone = o.numbered, slices.Clone(o.alone)
		}
		copied[p] = u
		out.uses[p] = u
		return u
	}
	var buf []dialTarget
	for _, i := range again {
		old, c := d.last.Contexts[i], b.dp.Contexts[i]
		scan := lastScans.of[old]
		if scan == nil {
			return b.indexDialsAnew()
		}
		// What the old context gave with the old peers is taken out (its
		// unknown peers were reported by the last load), then what the
		// new one gives with these put in.
		eachDialUse(last.peers, old, i, scan, nil, &buf, func(p *Peer, numbered bool, alone *dialSite) {
			u := use(p)
			if numbered {
				u.numbered--
			}
			if alone != nil {
				u.alone = slices.DeleteFunc(u.alone, func(s dialSite) bool { return s.ctx == old })
			}
		})
		var notes parser.Diagnostics
		eachDialUse(b.peers, c, i, b.scans.of[c], (*diagSink)(&notes), &buf, func(p *Peer, numbered bool, alone *dialSite) {
			u := use(p)
			if numbered {
				u.numbered++
			}
			if alone != nil {
				// After the sites of the contexts before it and its own.
				at, _ := slices.BinarySearchFunc(u.alone, alone.ci+1, func(s dialSite, ci int32) int { return int(s.ci - ci) })
				u.alone = slices.Insert(u.alone, at, *alone)
			}
		})
		out.notes = replaceNotes(out.notes, &notesOwn, old, c, notes)
	}
	// touched is told only over the very same peers (see numbersKept,
	// markTrunks).
	out.patched, out.touched = samePeers, make(map[*Peer]bool, len(copied))
	for p, u := range copied {
		out.touched[p] = true
		if u.numbered == 0 && len(u.alone) == 0 {
			delete(out.uses, p)
		}
	}
	return out
}

// maxMoved bounds the names movedNames lists: past it, the Dial() index is
// made anew (PJSIP endpoints and users.conf peers are made anew at every
// load, so most of them are "moved").
const maxMoved = 64

// movedNames lists, lower-cased, the names of the peers of now that are
// not last's very peers (new, or changed; peerSet.was tells) and of
// last's peers that now has not kept: a Dial() of any other name finds
// the same peer in both. ok is false past maxMoved names.
func movedNames(last, now *peerSet) (map[string]bool, bool) {
	kept := make([]bool, len(last.list))
	moved := map[string]bool{}
	note := func(p *Peer) bool {
		moved[lower(p.Name)] = true
		return len(moved) <= maxMoved
	}
	for i, p := range now.list {
		if i < len(now.was) {
			if j := now.was[i]; j >= 0 {
				kept[j] = true
				continue
			}
		}
		if !note(p) {
			return nil, false
		}
	}
	for j, p := range last.list {
		if !kept[j] && !note(p) {
			return nil, false
		}
	}
	return moved, true
}

// dialling adds to changed (indexes of contexts, sorted) those of the
// other contexts whose Dial()s name a peer of one of the moved names,
// sorted. The contexts are looked at in runs at once (every device's
// name is lower-cased and looked up).
func (b *builder) dialling(moved map[string]bool, changed []int) []int {
	n := len(b.dp.Contexts)
	runs := make([][]int, tenantRuns(n))
	parallel.Runs(n, len(runs), func(run, lo, hi int) {
		for i := lo; i < hi; i++ {
			if _, found := slices.BinarySearch(changed, i); found {
				continue
			}
		dials:
			for _, d := range b.scans.of[b.dp.Contexts[i]].dials {
				for _, dev := range d.devices {
					if dev.tech == "" {
						continue
					}
					if _, hit := lookupLower(moved, dev.name); hit {
						runs[run] = append(runs[run], i)
						break dials
					}
				}
			}
		}
	})
	out := slices.Concat(append(runs, changed)...)
	slices.Sort(out)
	return out
}

// indexDialsAnew is indexDials from nothing. Two halves of the dialplan
// are indexed at once (nothing else runs beside it in a load), then
// merged: the second half's sites come after the first's, as in
// dialplan order.
func (b *builder) indexDialsAnew() *dialIndex {
	n := len(b.dp.Contexts)
	halves := [2]*dialIndex{}
	parallel.Runs(n, max(1, min(2, n)), func(run, lo, hi int) {
		halves[run] = b.indexDialsOf(lo, hi)
	})
	out := halves[0]
	if second := halves[1]; second != nil {
		for p, u := range second.uses {
			if mine := out.uses[p]; mine != nil {
				mine.numbered += u.numbered
				mine.alone = append(mine.alone, u.alone...)
			} else {
				out.uses[p] = u
			}
		}
		maps.Copy(out.notes, second.notes)
	}
	return out
}

// indexDialsOf indexes the Dial()s of contexts lo to hi.
func (b *builder) indexDialsOf(lo, hi int) *dialIndex {
	out := &dialIndex{peers: b.peers, uses: map[*Peer]*dialUse{}, notes: map[*parser.Context]parser.Diagnostics{}, again: -1}
	var uses slab.Slab[dialUse]
	var sites slab.Slab[dialSite]
	var buf []dialTarget
	for i := lo; i < hi; i++ {
		c := b.dp.Contexts[i]
		var notes parser.Diagnostics
		eachDialUse(b.peers, c, i, b.scans.of[c], (*diagSink)(&notes), &buf, func(p *Peer, numbered bool, alone *dialSite) {
			u := out.uses[p]
			if u == nil {
				u = uses.New()
				out.uses[p] = u
			}
			if numbered {
				u.numbered++
			}
			if alone != nil {
				if u.alone == nil {
					u.alone = sites.One(*alone)
				} else {
					u.alone = append(u.alone, *alone)
				}
			}
		})
		if len(notes) > 0 {
			out.notes[c] = notes
		}
	}
	return out
}
