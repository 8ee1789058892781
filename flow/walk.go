package flow

import (
	"math"
	"strings"
)

// node is an object while the graph is read: created when typing reaches
// it, and an Object of the graph once something leads to it (registered).
type node struct {
	obj    Object
	anchor pos    // the priority that makes it what it is (Dial, Background…)
	cont   pos    // where typing goes on after it, with stack: anchor, or inside the macro the anchor calls
	raw    string // an unresolved target, as written
	via    string // the call site of an object inside a macro, which is one per caller
	stack  []frame
	// Condition outcomes.
	yes, no *node
	// Members of a HUNTLIST/EXT, for its tenant.
	phones     []*Phone
	registered bool
	order      int // registration order
	// Where reader.node finds it: its key's type and name (its position
	// is the slot's), and the next node of its slot.
	keyTyp, keyRaw string
	sameSlot       *node
	seq            int32   // see reader.number
	out            *Object // the graph's copy of obj (reader.graph)
}

// nodeKey identifies a node: its anchor and type, or an unresolved target.
type nodeKey struct {
	p   pos
	typ string
	raw string
}

// frame is a Gosub/Macro call: where Return() goes on, and the ${ARGn}.
type frame struct {
	ret    pos
	caller pos
	args   []string
}

// state is one typing walk.
type state struct {
	stack []frame
	// own is the extension of the outcome being typed (a DID's or a key's,
	// or the one after a Dial): until the path leaves it, what it does
	// belongs to the source, and coming back to leaving (the source
	// object) is no outcome of its own.
	own     *pos
	leaving *node
	src     bool   // own is a source's extension (DID, IVR key): its messages belong to the source
	status  string // after a Dial: the DIALSTATUS the walk assumes
	budget  *int   // steps left, shared by the branches of one walk
}

func (s *state) fork() *state {
	c := *s
	c.stack = append([]frame(nil), s.stack...)
	return &c
}

const walkBudget = 4000

// typeFrom returns the object the path from p reaches, or nil when it
// reaches none (it ends without routing the call).
func (r *reader) typeFrom(p pos, st *state) *node {
	var m *typed
	if len(st.stack) == 0 && st.own == nil && st.status == "" {
		m = r.memoAt(p)
		if m.state != unTyped {
			return r.all[m.n] // typed, or nil for a loop back here: it reaches nothing
		}
		m.state = beingTyped
	}
	r.typings++
	typings, budget := r.typings, *st.budget
	n := r.walk(p, st)
	if m != nil {
		*m = typed{n: r.number(n), steps: int32(budget - *st.budget), straight: r.typings == typings, state: wasTyped}
	}
	return n
}

// slot is p's slot in reader.memo and reader.nodeSlots: ok for a priority
// (or the end) of an extension of the dialplan, not for a pattern reached
// with a number.
func (r *reader) slot(p pos) (int, bool) {
	if p.num == "" && p.e != nil && p.i >= 0 && p.i <= len(p.e.Priorities) {
		if p.e == r.lastExt {
			return r.lastSlot + p.i, true // a walk stays on an extension for a while
		}
		if x, ok := r.extIndex[p.e]; ok {
			r.lastExt, r.lastSlot = p.e, x.slot
			return x.slot + p.i, true
		}
	}
	return 0, false
}

// app is the application at p as lowerApp gives it, worked out once per
// priority of the dialplan.
func (r *reader) app(p pos) string {
	i, ok := r.slot(p)
	if !ok {
		return lowerApp(p.prio().App)
	}
	if a := r.apps[i]; a != 0 {
		return r.appNames[a]
	}
	name := lowerApp(p.prio().App)
	a, ok := r.appNo[name]
	if !ok && len(r.appNames) < math.MaxUint16 {
		a = uint16(len(r.appNames))
		r.appNames = append(r.appNames, name)
		r.appNo[name] = a
	}
	r.apps[i] = a // stays 0, unknown, past 65535 names
	return name
}

// number is n's number in reader.all (0 for nil), given on first use.
func (r *reader) number(n *node) int32 {
	if n == nil {
		return 0
	}
	if n.seq == 0 {
		n.seq = int32(len(r.all))
		r.all = append(r.all, n)
	}
	return n.seq
}

// typed is what typing from a position found (reader.memoAt).
type typed struct {
	n int32 // the node's number (reader.number): the slots hold no pointer for the collector to scan
	// steps is the walk's length; straight says it typed nothing else on
	// the way (no branch looked ahead), so that it read no other result
	// of the memo: the walk from a transparent priority just before is
	// then this one, one step longer (see reader.entry).
	steps    int32
	straight bool
	state    typingState
}

type typingState uint8

const (
	unTyped typingState = iota
	beingTyped
	wasTyped
)

// memoAt is the memo of typing from p: a slot of reader.memo for a
// priority (or the end) of an extension of the dialplan, an entry of
// reader.memoNum for a pattern reached with a number. The walks of a big
// dialplan look up and fill millions of them: a slot costs much less
// than a map entry keyed by the position.
func (r *reader) memoAt(p pos) *typed {
	if i, ok := r.slot(p); ok {
		return &r.memo[i]
	}
	m := r.memoNum[p]
	if m == nil {
		m = &typed{}
		r.memoNum[p] = m
	}
	return m
}

func (r *reader) walk(p pos, st *state) *node {
	for {
		if *st.budget <= 0 {
			return nil
		}
		*st.budget--
		if !p.valid() {
			// Off the end: a Macro returns, a Gosub without Return and a
			// top-level extension hang up.
			if len(st.stack) > 0 {
				p = r.pop(st)
				continue
			}
			return nil
		}
		if n := r.recognise(p, st); n != nil {
			return n
		}
		pr := p.prio()
		app := r.app(p)
		args := r.subst(pr.Args, p, st)
		switch {
		case transparent[app]:
			p = p.next()
		case app == "return" || app == "macroexit":
			if len(st.stack) == 0 {
				return nil
			}
			p = r.pop(st)
		case app == "goto":
			q, raw := r.jump(p, args)
			if q == nil {
				return r.unresolved(raw)
			}
			if st.own != nil && !q.sameExt(*st.own) {
				if r.backInto(*q, st) {
					return st.leaving
				}
				st.own, st.leaving, st.src = nil, nil, false
			}
			p = *q
		case app == "gosub":
			// Gosub(macro-name,s,1(args)) is FreePBX 17's Macro(name,args):
			// known by its name even where the file defining it is absent.
			if ctx, callArgs, ok := gosubContext(args); ok {
				if n, done := r.knownSub(p, ctx, callArgs, st); done {
					if n != nil {
						return n
					}
					p = p.next()
					continue
				}
			}
			q, callArgs, raw := r.call(p, args)
			if q == nil {
				if raw == "" {
					p = p.next()
					continue
				}
				return r.unresolved(raw)
			}
			if n, done := r.knownSub(p, q.c.Name, callArgs, st); done {
				if n != nil {
					return n
				}
				p = p.next()
				continue
			}
			st.stack = append(st.stack, frame{ret: p.next(), caller: p, args: callArgs})
			p = *q
		case app == "macro":
			parts := splitArgs(args)
			name := strings.TrimSpace(parts[0])
			if n, done := r.knownSub(p, "macro-"+name, parts[1:], st); done {
				if n != nil {
					return n
				}
				p = p.next()
				continue
			}
			c := r.dp.Context("macro-" + name)
			if c == nil {
				p = p.next()
				continue
			}
			_, e := findExten(r.dp, c, "s")
			if e == nil {
				p = p.next()
				continue
			}
			st.stack = append(st.stack, frame{ret: p.next(), caller: p, args: parts[1:]})
			p = pos{c: c, e: e}
		case app == "gotoif" || app == "gotoiftime" || app == "gosubif":
			n, next, done := r.branch(p, app, args, st)
			if done {
				return n
			}
			p = next
		case app == "execif" || app == "execiftime":
			n, next, done := r.execIf(p, app, args, st)
			if done {
				return n
			}
			p = next
		default:
			n, next, done := r.decide(p, app, args, st)
			if done {
				return n
			}
			p = next
		}
	}
}

// pop returns from the innermost call.
func (r *reader) pop(st *state) pos {
	f := st.stack[len(st.stack)-1]
	st.stack = st.stack[:len(st.stack)-1]
	return f.ret
}

// backInto: a jump from a source's own extension back into the object the
// source belongs to (an IVR key replaying the menu).
func (r *reader) backInto(q pos, st *state) bool {
	return st.leaving != nil && st.leaving.anchor.c == q.c && st.leaving.anchor.e == q.e &&
		r.typeFrom(q, r.newState()) == st.leaving
}

// decide types the application at p: an object (done), or the position
// typing goes on from.
func (r *reader) decide(p pos, app, args string, st *state) (*node, pos, bool) {
	ctxName := strings.ToLower(p.c.Name)
	switch app {
	case "dial":
		return r.dialNode(p, args, st), p, true
	case "queue":
		n := r.nodeAt(p, TypeQueue, st)
		if n.obj.Number == "" {
			n.obj.Number = numberOr(p.exten(), strings.TrimSpace(firstArg(args)))
		}
		return n, p, true
	case "voicemail", "voicemailmain":
		return r.voicemailNode(p, app, args, st), p, true
	case "background", "read", "waitexten":
		if strings.HasPrefix(ctxName, "app-announcement-") {
			return r.nodeAt(p, TypePlayback, st), p, true
		}
		if app == "waitexten" || r.hasKeys(p) || (app == "background" && r.waitsAfter(p)) {
			return r.nodeAt(p, TypeIVR, st), p, true
		}
		if app == "read" {
			return nil, p.next(), false
		}
		return r.playback(p, st)
	case "playback", "saydigits", "saynumber", "sayalpha", "sayunixtime", "controlplayback":
		if strings.HasPrefix(ctxName, "app-announcement-") {
			return r.nodeAt(p, TypePlayback, st), p, true
		}
		return r.playback(p, st)
	case "playtones":
		if r.endsAfter(p) {
			return r.nodeAt(p, TypeSpecial, st), p, true
		}
		return nil, p.next(), false
	case "disa":
		return r.nodeAt(p, TypeDISA, st), p, true
	case "confbridge", "meetme":
		return r.nodeAt(p, TypeMeetme, st), p, true
	}
	if terminators[app] {
		return r.nodeAt(p, TypeSpecial, st), p, true
	}
	// Any other application (an AGI script…) ends the flow only when the
	// extension ends after it; otherwise the dialplan goes on routing.
	if !r.endsAfter(p) {
		return nil, p.next(), false
	}
	n := r.nodeAt(p, TypeCustom, st)
	if app == "agi" || app == "eagi" || app == "deadagi" {
		if n.obj.Custom == nil {
			n.obj.Custom = &Custom{Kind: CustomAGI, Description: "Run AGI " + strings.TrimSpace(firstArg(args))}
		}
		return n, p, true
	}
	if n.obj.Custom == nil {
		n.obj.Custom = &Custom{Kind: CustomApplication, Description: "Run application " + strings.TrimSpace(p.prio().App)}
	}
	return n, p, true
}

// playback: a message that ends the call or hands it on is an
// announcement; one before what routes the call on its own extension is
// plumbing. In a source's own extension the message belongs to the
// source, unless nothing else follows it.
func (r *reader) playback(p pos, st *state) (*node, pos, bool) {
	if st.src && st.own != nil && p.sameExt(*st.own) {
		rest := r.typeFrom(p.next(), st.fork())
		if rest != nil && !(rest.obj.Type == TypeSpecial && rest.anchor.sameExt(p)) {
			return rest, p, true
		}
		return r.nodeAt(p, TypePlayback, st), p, true
	}
	if r.endsAfter(p) || r.leavesAfter(p) {
		return r.nodeAt(p, TypePlayback, st), p, true
	}
	return nil, p.next(), false
}

// nextDecisive is the first priority after p on its extension that is
// not transparent (invalid when the extension ends first).
func (r *reader) nextDecisive(p pos) pos {
	q := p.next()
	for q.valid() && transparent[r.app(q)] {
		q = q.next()
	}
	return q
}

// endsAfter: after p the extension only hangs up.
func (r *reader) endsAfter(p pos) bool {
	q := r.nextDecisive(p)
	if !q.valid() {
		return true
	}
	a := r.app(q)
	return terminators[a] || a == "return" || a == "macroexit" || (a == "wait" && r.endsAfter(q))
}

// leavesAfter: after p the extension jumps elsewhere (hands the call on).
func (r *reader) leavesAfter(p pos) bool {
	q := r.nextDecisive(p)
	return q.valid() && r.app(q) == "goto"
}

// waitsAfter: a WaitExten follows p on its extension.
func (r *reader) waitsAfter(p pos) bool {
	for q := p.next(); q.valid(); q = q.next() {
		switch a := r.app(q); {
		case a == "waitexten":
			return true
		case transparent[a] || a == "background" || a == "playback" || a == "execif":
			continue
		default:
			return false
		}
	}
	return false
}

// hasKeys: p's context has one-key extensions (an IVR's menu).
func (r *reader) hasKeys(p pos) bool {
	for _, e := range p.c.Extensions {
		if e != p.e && len(e.Exten) == 1 && ivrKey(e.Exten) != "" && e.Exten != "t" && e.Exten != "i" {
			return true
		}
	}
	return false
}

// numberOr is exten when it is a plain number, else alt.
func numberOr(exten, alt string) string {
	if IsNumber(exten) {
		return exten
	}
	return alt
}

// IsNumber reports whether s is a dialable number (digits, *, #, +).
func IsNumber(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] == '*' || s[i] == '#' || s[i] == '+') {
			return false
		}
	}
	return true
}
