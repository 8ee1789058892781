package flow

import (
	"slices"
	"sort"
	"strings"

	"github.com/astapi/astapi/parser"
)

// inbound finds the DIDs (SPEC §4 "DIDs"): from every trunk's context,
// through include => and through extensions that only hand the dialled
// number on (Goto(ctx,${EXTEN},1)), every extension that routes the call
// is an inbound route. FreePBX: from-trunk → from-pstn → include ext-did
// → ext-did-NNNN.
func (r *reader) inbound() {
	var routes []*route
	byExt := map[*parser.Extension]*route{}
	internal := r.internal.set
	trunks := slices.Clip(r.trunkList)
	// Contexts named for inbound calls are walked as if a trunk led there:
	// a lab box often has its provider in a file astapi does not read.
	for _, c := range r.dp.Contexts {
		if inboundName(c.Name) && !noInboundWalk(c.Name) {
			trunks = append(trunks, Trunk{Context: c.Name})
		}
	}
	for _, t := range trunks {
		roots := trunkRoots(t)
		seen := map[*parser.Context]bool{}
		var visit func(c *parser.Context, depth int)
		visit = func(c *parser.Context, depth int) {
			if c == nil || seen[c] || depth > 16 || r.system(c.Name) || internal[c] {
				return
			}
			seen[c] = true
			for _, e := range c.Extensions {
				if len(e.Priorities) == 0 || !didName(e) {
					continue
				}
				p := pos{c: c, e: e}
				if next := r.handsOn(p); next != nil && !internal[next] {
					visit(next, depth+1)
					continue
				}
				f := byExt[e]
				if f == nil {
					f = &route{p: p, trunks: map[string]bool{}}
					byExt[e] = f
					routes = append(routes, f)
				}
				if t.Name != "" {
					f.trunks[t.Name] = true
				}
			}
			for _, inc := range c.Includes {
				if !noInboundWalk(inc.Context) {
					visit(r.dp.Context(inc.Context), depth+1)
				}
			}
		}
		for _, root := range roots {
			visit(r.dp.Context(root), 0)
		}
	}
	// Dialplan order, so that the result does not depend on the trunks'.
	order := map[*parser.Context]int{}
	for i, c := range r.dp.Contexts {
		order[c] = i
	}
	sort.SliceStable(routes, func(i, j int) bool {
		a, b := routes[i].p, routes[j].p
		if a.c != b.c {
			return order[a.c] < order[b.c]
		}
		return r.extIndex[a.e].index < r.extIndex[b.e].index
	})
	for _, f := range routes {
		n := r.didNode(f.p)
		to := r.typeSource(f.p, n)
		if to == nil || r.refuses(f.p, to, byExt) {
			r.dropNode(nodeKey{p: f.p, typ: TypeDID})
			continue
		}
		for name := range f.trunks {
			n.obj.DID.Trunks = append(n.obj.DID.Trunks, name)
		}
		sort.Strings(n.obj.DID.Trunks)
		r.register(n)
	}
}

// phoneContexts are the contexts the phones dial from: their context=
// and what those include. The DID walk never enters one: an inbound
// context that includes the internal extensions (Issabel custom
// from-pstn-X => include utp_interno) does not make every extension an
// inbound route, as the GUI's list of inbound routes does not show them;
// a route that hands the number to the phones (Goto(internal,${EXTEN},1))
// is one route, typed by where it goes. A trunk's context that a phone
// context includes (to try the routes from a desk phone) stays inbound:
// the closure stops there.
//
// They are the previous Build's when the dialplan, the trunks and the
// phones' contexts (in runs: a tenant's phones share one) are.
func (sh *shared) phoneContexts() *phoneContexts {
	pc := &phoneContexts{dp: sh.whole}
	for i := range sh.in.Phones {
		if name := sh.in.Phones[i].Context; len(pc.runs) == 0 || name != pc.runs[len(pc.runs)-1] {
			pc.runs = append(pc.runs, name)
		}
	}
	if prev := sh.in.Previous; prev != nil && prev.internal.same(pc) && sh.delta.trunksKept {
		return prev.internal
	}
	inbound := map[string]bool{}
	for _, t := range sh.in.Trunks {
		inbound[t.Context] = true
	}
	pc.set = map[*parser.Context]bool{}
	var queue []*parser.Context
	for _, name := range pc.runs {
		if c := sh.whole.Context(name); c != nil && !pc.set[c] {
			pc.set[c] = true
			queue = append(queue, c)
		}
	}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		for _, inc := range c.Includes {
			if next := sh.whole.Context(inc.Context); next != nil && !pc.set[next] && !inbound[next.Name] {
				pc.set[next] = true
				queue = append(queue, next)
			}
		}
	}
	return pc
}

// phoneContexts are the phones' contexts (set) of a dialplan, and the
// runs of the phones' context names they were found from.
type phoneContexts struct {
	dp   *parser.Dialplan
	runs []string
	set  map[*parser.Context]bool
}

// same reports whether pc (nil: no) was found in o's dialplan from o's
// runs.
func (pc *phoneContexts) same(o *phoneContexts) bool {
	return pc != nil && pc.dp == o.dp && slices.Equal(pc.runs, o.runs)
}

// didName: an extension a call from outside is sent to: a number, s, a
// pattern, or a word a registration names (register => …/incoming); not
// the special extensions (h, i, t, fax…), not an IVR's one-key options,
// not a name built by the dialplan itself (h-${HANGUPCAUSE}).
func didName(e *parser.Extension) bool {
	x := e.Exten
	if special[x] || (len(x) == 1 && x != "s") {
		return false
	}
	if e.IsPattern() || IsNumber(x) {
		return true
	}
	for i := 0; i < len(x); i++ {
		if c := x[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// inboundName: a context named for inbound calls.
func inboundName(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"inbound", "incoming", "from-trunk", "from-pstn", "from-did"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// handsOn returns the context an extension hands the dialled number to
// (its first routing step is Goto(ctx,${EXTEN},1)), or nil.
func (r *reader) handsOn(p pos) *parser.Context {
	q := p
	for q.valid() && transparent[lowerApp(q.prio().App)] {
		q = q.next()
	}
	if !q.valid() || lowerApp(q.prio().App) != "goto" {
		return nil
	}
	parts := splitArgs(q.prio().Args)
	if len(parts) != 3 || strings.TrimSpace(parts[1]) != "${EXTEN}" {
		return nil
	}
	return r.dp.Context(strings.TrimSpace(parts[0]))
}

// route is an extension the DID walk reached, and the trunks it came from.
type route struct {
	p      pos
	trunks map[string]bool
}

// refuses: a catch-all (a pattern or s) that only refuses the call, or
// only hands it to another route, is not a route of its own; nor is an
// outbound pattern that dials out.
func (r *reader) refuses(p pos, to *node, routes map[*parser.Extension]*route) bool {
	if !(p.e.IsPattern() || p.e.Exten == "s") {
		return false
	}
	if to.obj.Type == TypeSpecial || (to.obj.Type == TypePlayback && to.anchor.sameExt(p)) {
		return true
	}
	if t := r.firstJump(p); t != nil && t.e != p.e && routes[t.e] != nil {
		return true
	}
	return p.e.IsPattern() && to.obj.Type == TypeCustom && to.obj.Custom != nil && to.obj.Custom.Kind == CustomForward
}

// firstJump is where the first Goto of p's extension lands, or nil.
func (r *reader) firstJump(p pos) *pos {
	for q := p; q.valid(); q = q.next() {
		if lowerApp(q.prio().App) == "goto" {
			t, _ := r.jump(q, r.subst(q.prio().Args, q, &state{}))
			return t
		}
	}
	return nil
}
