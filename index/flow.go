package index

import (
	"bytes"
	"fmt"
	"github.com/astapi/astapi/internal/slab"
	"slices"
	"strconv"
	"strings"

	"github.com/astapi/astapi/parser"
)

// Destination types (SPEC §4), the vocabulary clients of the original API know.
const (
	DstExt       = "EXT"
	DstHuntlist  = "HUNTLIST"
	DstQueue     = "QUEUE"
	DstVoicemail = "VOICEMAIL"
	DstIVR       = "IVR"
	DstCondition = "CONDITION"
	DstDISA      = "DISA"
	DstMeetme    = "MEETME"
	DstPlayback  = "PLAYBACK"
	DstSpecial   = "SPECIAL"
	DstCustom    = "CUSTOM"

	SrcDID             = "DID"
	SrcCondition       = "CONDITION"
	SrcNotCondition    = "NOTCONDITION"
	SrcExtNoAnswer     = "EXT-NOANSWER"
	SrcExtBusy         = "EXT-BUSY"
	SrcHuntlistTimeout = "HUNTLIST-TIMEOUT"
	SrcQueueTimeout    = "QUEUE-TIMEOUT"
)

// NormalizeType maps the alias "NOT CONDITION" to "NOTCONDITION".
func NormalizeType(t string) string {
	if strings.EqualFold(strings.TrimSpace(t), "NOT CONDITION") {
		return SrcNotCondition
	}
	return strings.ToUpper(strings.TrimSpace(t))
}

// loc is a priority of the dialplan.
type loc struct {
	ctx *parser.Context
	ext *parser.Extension
	i   int // index into ext.Priorities
}

func (l loc) prio() *parser.Priority { return &l.ext.Priorities[l.i] }

// appendTo appends the position "context,exten,priority" to buf.
func (l loc) appendTo(buf []byte) []byte {
	buf = append(buf, l.ctx.Name...)
	buf = append(buf, ',')
	buf = append(buf, l.ext.Exten...)
	buf = append(buf, ',')
	return strconv.AppendInt(buf, int64(l.prio().Priority), 10)
}

func (l loc) next() (loc, bool) {
	if l.i+1 < len(l.ext.Priorities) {
		return loc{l.ctx, l.ext, l.i + 1}, true
	}
	return l, false
}

// target is where an edge leads: a typed dialplan position, or a raw
// destination that could not be resolved (typed CUSTOM).
type target struct {
	dst string
	typ string
}

// passThrough apps do not decide where a call goes; typing follows them.
var passThrough = map[string]bool{
	"answer": true, "noop": true, "set": true, "wait": true, "ringing": true, "progress": true,
	"verbose": true, "log": true, "mset": true, "setlanguage": true, "setcallerpres": true,
	"setcidname": true, "setcidnum": true, "setmusiconhold": true, "setglobalvar": true,
}

// walker walks one tenant's contexts and emits its destinations.
type walker struct {
	b       *builder
	tenant  *Tenant
	inbound map[string]bool
	out     []*Destination
	diags   diagSink
	ord     map[ordKey]int
	lc      *lowerCache
	// seen is classify's set of visited positions (appendTo of each,
	// end to end in seenBuf): kept from call to call to save allocations.
	seenBuf  []byte
	seenEnds []int
	// Destinations and their strings come from chunks shared by the
	// tenants a worker walks; dials is dialTargets' buffer.
	dests slab.Slab[Destination]
	strs  strArena
	dials []dialTarget
}

// locString is l's position "context,exten,priority", in f's arena.
func (f *walker) locString(l loc) string {
	f.strs.reserve(len(l.ctx.Name) + len(l.ext.Exten) + 22)
	start := len(f.strs.buf)
	f.strs.buf = l.appendTo(f.strs.buf)
	return f.strs.since(start)
}

// ordKey counts the targets of one source.
type ordKey struct{ typeSrc, src string }

func (b *builder) destinations() []*Destination {
	inbound := map[string]bool{}
	for _, p := range b.peers.list {
		if p.Trunk && p.Context != "" {
			inbound[p.Context] = true
		}
	}
	for _, c := range b.dp.Contexts {
		n := lower(c.Name)
		for _, w := range []string{"inbound", "incoming", "from-trunk", "from-pstn", "from-did"} {
			if strings.Contains(n, w) {
				inbound[c.Name] = true
			}
		}
	}
	// The tenants' flows are independent: workers walk contiguous runs of
	// tenants, and their results are joined in tenant order.
	runs := tenantRuns(len(b.tenants))
	type part struct {
		out     []*Destination
		tenants []*Tenant // of each destination
		hashes  []uint64  // the first choice of each destination's ID
		diags   diagSink
	}
	parts := make([]part, runs)
	inParallel(len(b.tenants), runs, func(w, lo, hi int) {
		tenants := b.tenants[lo:hi]
		pt := &parts[w]
		// One flow per worker, its tables cleared for each tenant.
		f := &walker{b: b, inbound: inbound, ord: map[ordKey]int{}, lc: newLowerCache()}
		// The tenant's contexts of the dialplan, in dialplan order.
		type orderedContext struct {
			order int
			c     *parser.Context
		}
		var ordered []orderedContext
		for _, t := range tenants {
			f.tenant = t
			clear(f.ord)
			f.out, f.diags = f.out[:0], f.diags[:0]
			ordered = ordered[:0]
			for _, name := range t.Contexts {
				if c := b.dp.Context(name); c != nil {
					ordered = append(ordered, orderedContext{b.ctxOrder[name], c})
				}
			}
			slices.SortFunc(ordered, func(x, y orderedContext) int { return x.order - y.order })
			for _, oc := range ordered {
				f.context(oc.c)
			}
			for _, d := range f.out {
				pt.tenants = append(pt.tenants, t)
				parts := destKeyParts(t, d)
				pt.hashes = append(pt.hashes, hashIDParts(destKind, parts[:]...))
			}
			pt.out = append(pt.out, f.out...)
			pt.diags = append(pt.diags, f.diags...)
		}
	})
	var (
		all     []*Destination
		tenants []*Tenant
		hashes  []uint64
	)
	for _, pt := range parts {
		all = append(all, pt.out...)
		tenants = append(tenants, pt.tenants...)
		hashes = append(hashes, pt.hashes...)
		b.diags = append(b.diags, pt.diags...)
	}
	ids := newIDAllocator(destKind).assignHashed(hashes, func(i int) string {
		parts := destKeyParts(tenants[i], all[i])
		return strings.Join(parts[:], "\x00")
	})
	for i, d := range all {
		d.ID = ids[i]
	}
	return all
}

const destKind = "destination"

// destKeyParts are the parts of a destination's natural key (see hashID).
func destKeyParts(t *Tenant, d *Destination) [6]string {
	return [6]string{t.Key, d.TypeSrc, d.Src, d.TypeDst, d.Dst, strconv.Itoa(d.Ord)}
}

func (f *walker) emit(typeSrc string, src loc, t target) {
	s := f.locString(src)
	key := ordKey{typeSrc, s}
	f.ord[key]++
	p := src.prio()
	d := f.dests.New()
	*d = Destination{TenantID: f.tenant.ID, TypeSrc: typeSrc, TypeDst: t.typ, Ord: f.ord[key],
		Src: s, Dst: t.dst, File: p.Pos.File, Line: p.Pos.Line}
	f.out = append(f.out, d)
}

// ivrKey maps an IVR context's extension to its source type.
func ivrKey(exten string) string {
	switch {
	case len(exten) == 1 && exten[0] >= '0' && exten[0] <= '9':
		return "IVR_" + exten
	case exten == "*":
		return "IVR_STAR"
	case exten == "#":
		return "IVR_SHARP"
	case exten == "t":
		return "IVR_TIMEOUT"
	case exten == "i":
		return "IVR_WRONG"
	}
	return ""
}

// isIVR reports whether a context's s extension runs Background or WaitExten.
func (f *walker) isIVR(c *parser.Context) bool {
	s := c.Extension("s", "")
	if s == nil {
		return false
	}
	for _, p := range s.Priorities {
		if a := f.lc.lower(p.App); a == "background" || a == "waitexten" {
			return true
		}
	}
	return false
}

var notDID = map[string]bool{"h": true, "i": true, "t": true, "e": true, "o": true, "a": true, "T": true}

func (f *walker) context(c *parser.Context) {
	ivr := f.isIVR(c)
	for _, e := range c.Extensions {
		if len(e.Priorities) == 0 {
			continue
		}
		first := loc{c, e, 0}
		if k := ivrKey(e.Exten); ivr && k != "" {
			f.emit(k, first, f.classify(first))
		} else if f.inbound[c.Name] && !notDID[e.Exten] {
			f.emit(SrcDID, first, f.classify(first))
		}
		var lastDial *loc
		lastDialKind := ""
		for i := range e.Priorities {
			at := loc{c, e, i}
			p := at.prio()
			switch app := f.lc.lower(p.App); app {
			case "gotoif", "gotoiftime", "gosubif":
				// GosubIf branches are subroutine calls, typed like Gosub
				// targets; a missing branch falls through, as with GotoIf.
				cond, branches, ok := cutCondition(p.Args)
				if !ok {
					f.diags.warn(p.Pos, "%s(%s): no '?' before the destinations", p.App, shorten(p.Args))
					continue
				}
				t, fl := cutBranches(branches)
				srcT, srcF, src := SrcCondition, SrcNotCondition, at
				if app == "gotoif" && lastDial != nil && lastDialKind == DstExt && strings.Contains(strings.ToUpper(cond), "DIALSTATUS") {
					src = *lastDial
					srcT, srcF = SrcExtNoAnswer, SrcExtNoAnswer
					if strings.Contains(strings.ToUpper(cond), "BUSY") {
						srcT = SrcExtBusy
					}
					lastDial = nil
				}
				if strings.TrimSpace(t) != "" {
					f.emit(srcT, src, f.jump(at, t))
				}
				if strings.TrimSpace(fl) != "" {
					f.emit(srcF, src, f.jump(at, fl))
				} else if n, ok := at.next(); ok {
					f.emit(srcF, src, f.classify(n))
				}
			case "execiftime":
				_, inline, ok := cutCondition(p.Args)
				if !ok {
					continue
				}
				f.emit(SrcCondition, at, f.inline(at, inline))
				if n, ok := at.next(); ok {
					f.emit(SrcNotCondition, at, f.classify(n))
				}
			case "dial":
				kind := f.dialKind(p, e)
				lastDial, lastDialKind = nil, kind
				n, ok := at.next()
				if !ok {
					continue
				}
				switch kind {
				case DstExt:
					if np := n.prio(); strings.EqualFold(np.App, "gotoif") && strings.Contains(strings.ToUpper(np.Args), "DIALSTATUS") {
						d := at
						lastDial = &d // the GotoIf gives the EXT-BUSY / EXT-NOANSWER edges
						continue
					}
					f.emit(SrcExtNoAnswer, at, f.classify(n))
				case DstHuntlist:
					f.emit(SrcHuntlistTimeout, at, f.classify(n))
				}
			case "queue":
				if n, ok := at.next(); ok {
					f.emit(SrcQueueTimeout, at, f.classify(n))
				}
			}
		}
	}
}

// dialKind types a Dial(): EXT for one extension peer of the tenant,
// HUNTLIST for several, CUSTOM otherwise (trunks, other technologies,
// other tenants' peers).
func (f *walker) dialKind(p *parser.Priority, e *parser.Extension) string {
	n := 0
	// scanDials has reported the unknown peers of every Dial() already.
	f.dials = f.b.dialTargets(f.dials[:0], p.Args, e, p.Pos, nil)
	for _, t := range f.dials {
		// Another tenant's phone is none of this tenant's extensions.
		if t.peer == nil || t.peer.Trunk || t.number || t.peer.TenantID != f.tenant.ID {
			return DstCustom
		}
		n++
	}
	switch {
	case n == 1:
		return DstExt
	case n > 1:
		return DstHuntlist
	}
	return DstCustom
}

// jump resolves a Goto-style "[[context,]exten,]priority" from at.
func (f *walker) jump(at loc, spec string) target {
	l, ok := f.resolve(at, spec)
	if !ok {
		return unresolved(spec)
	}
	return f.classify(l)
}

// unresolved is the CUSTOM target of a jump that cannot be followed: its
// raw destination, which says more than the position of the jump.
func unresolved(spec string) target {
	return target{dst: strings.TrimSpace(spec), typ: DstCustom}
}

// inline types the application ExecIfTime runs on its true branch.
func (f *walker) inline(at loc, app string) target {
	name, args, _ := strings.Cut(app, "(")
	args = strings.TrimSuffix(strings.TrimSpace(args), ")")
	switch f.lc.lower(strings.TrimSpace(name)) {
	case "goto", "gosub":
		return f.jump(at, args)
	}
	return target{dst: f.locString(at), typ: f.appType(strings.TrimSpace(name), args, at, nil)}
}

// resolve finds the priority a Goto spec names; ok is false when it holds
// run-time variables or names something that does not exist.
func (f *walker) resolve(at loc, spec string) (loc, bool) {
	spec = strings.ReplaceAll(spec, "${EXTEN}", at.ext.Exten)
	spec = strings.ReplaceAll(spec, "${CONTEXT}", at.ctx.Name)
	spec = f.b.dp.ExpandGlobals(spec)
	var parts [3]string
	n := parser.SplitArgsInto(parts[:], spec)
	for i := range min(n, 3) {
		parts[i] = strings.TrimSpace(parts[i])
	}
	ctx, exten, prio := at.ctx, at.ext.Exten, ""
	switch n {
	case 1:
		prio = parts[0]
	case 2:
		exten, prio = parts[0], parts[1]
	case 3:
		c := f.b.dp.Context(parts[0])
		if c == nil {
			if !strings.Contains(parts[0], "$") {
				f.diags.warn(at.prio().Pos, "%s to context %q: no such context", at.prio().App, parts[0])
			}
			return at, false
		}
		ctx, exten, prio = c, parts[1], parts[2]
	default:
		return at, false
	}
	if i := strings.IndexByte(prio, '('); i >= 0 { // Gosub(ctx,ext,1(args))
		prio = prio[:i]
	}
	if strings.Contains(exten+prio, "$") {
		return at, false
	}
	e := ctx.Extension(exten, "")
	if e == nil {
		e = matchExtension(ctx, exten)
	}
	if e == nil || len(e.Priorities) == 0 {
		f.diags.warn(at.prio().Pos, "%s to %s,%s,%s: no such extension", at.prio().App, ctx.Name, exten, prio)
		return at, false
	}
	var p *parser.Priority
	if n, err := strconv.Atoi(prio); err == nil {
		p = e.Priority(n)
	} else {
		p = e.Label(prio)
	}
	if p == nil {
		f.diags.warn(at.prio().Pos, "%s to %s,%s,%s: no such priority or label", at.prio().App, ctx.Name, exten, prio)
		return at, false
	}
	for i := range e.Priorities {
		if &e.Priorities[i] == p {
			return loc{ctx, e, i}, true
		}
	}
	return at, false
}

// classify types the target landing at l by what it does first, following
// plain Gotos, Gosubs and pass-through applications.
func (f *walker) classify(l loc) target {
	f.seenBuf, f.seenEnds = f.seenBuf[:0], f.seenEnds[:0]
	for {
		start := len(f.seenBuf)
		f.seenBuf = l.appendTo(f.seenBuf)
		key := f.seenBuf[start:]
		if f.seen(start) || len(f.seenEnds) > 64 {
			return target{dst: f.strs.bytes(key), typ: DstCustom}
		}
		f.seenEnds = append(f.seenEnds, len(f.seenBuf))
		p := l.prio()
		info := f.lc.info(p.App)
		app := info.lower
		switch {
		case app == "goto" || app == "gosub":
			// A subroutine is typed by what it does, as a Goto target is.
			next, ok := f.resolve(l, p.Args)
			if !ok {
				return unresolved(p.Args)
			}
			l = next
			continue
		case info.passThrough:
			if n, ok := l.next(); ok {
				l = n
				continue
			}
			return target{dst: f.strs.bytes(key), typ: DstCustom}
		case app == "playback":
			rest := l
			only := true
			for {
				n, ok := rest.next()
				if !ok {
					break
				}
				rest = n
				if a := f.lc.info(n.prio().App); a.lower != "hangup" && !a.passThrough {
					only = false
					break
				}
			}
			if only {
				return target{dst: f.strs.bytes(key), typ: DstPlayback}
			}
			l, _ = l.next()
			continue
		}
		return target{dst: f.strs.bytes(key), typ: f.appType(p.App, p.Args, l, l.ext)}
	}
}

// seen reports whether the key at seenBuf[start:] was recorded before.
func (f *walker) seen(start int) bool {
	key := f.seenBuf[start:]
	from := 0
	for _, end := range f.seenEnds {
		if bytes.Equal(f.seenBuf[from:end], key) {
			return true
		}
		from = end
	}
	return false
}

// appType types one application call.
func (f *walker) appType(app, args string, at loc, e *parser.Extension) string {
	switch f.lc.lower(app) {
	case "dial":
		kind := f.dialKind(&parser.Priority{App: app, Args: args, Pos: at.prio().Pos}, e)
		if kind == DstExt && f.ringsInTurn(at) {
			return DstHuntlist
		}
		return kind
	case "queue":
		return DstQueue
	case "voicemail", "voicemailmain":
		return DstVoicemail
	case "background", "waitexten":
		return DstIVR
	case "gotoif", "gotoiftime", "execiftime", "gosubif":
		return DstCondition
	case "disa":
		return DstDISA
	case "confbridge", "meetme":
		return DstMeetme
	case "playback":
		return DstPlayback
	case "hangup", "busy", "congestion":
		return DstSpecial
	}
	return DstCustom
}

// ringsInTurn: after a Dial of one peer, another Dial of one peer follows
// (pass-through apps aside): a context that rings several in turn.
func (f *walker) ringsInTurn(at loc) bool {
	l := at
	for {
		n, ok := l.next()
		if !ok {
			return false
		}
		l = n
		p := l.prio()
		if f.lc.info(p.App).passThrough {
			continue
		}
		return strings.EqualFold(p.App, "dial") && f.dialKind(p, l.ext) == DstExt
	}
}

// matchExtension finds the first pattern extension of c matching exten.
func matchExtension(c *parser.Context, exten string) *parser.Extension {
	for _, e := range c.Extensions {
		if e.CID == "" && e.IsPattern() && matchPattern(e.Exten[1:], exten) {
			return e
		}
	}
	return nil
}

// matchPattern matches Asterisk's pattern syntax (after the '_'): X, Z, N,
// [sets], '.' (one or more) and '!' (zero or more); '-' is ignored.
func matchPattern(pat, s string) bool {
	for len(pat) > 0 {
		c := pat[0]
		switch c {
		case '-':
			pat = pat[1:]
			continue
		case '.':
			return len(s) > 0
		case '!':
			return true
		}
		if len(s) == 0 {
			return false
		}
		ch := s[0]
		switch c {
		case 'X', 'x':
			if ch < '0' || ch > '9' {
				return false
			}
		case 'Z', 'z':
			if ch < '1' || ch > '9' {
				return false
			}
		case 'N', 'n':
			if ch < '2' || ch > '9' {
				return false
			}
		case '[':
			end := strings.IndexByte(pat, ']')
			if end < 0 {
				return false
			}
			if !inSet(pat[1:end], ch) {
				return false
			}
			pat = pat[end:]
		default:
			if c != ch {
				return false
			}
		}
		pat, s = pat[1:], s[1:]
	}
	return len(s) == 0
}

func inSet(set string, ch byte) bool {
	for i := 0; i < len(set); i++ {
		if i+2 < len(set) && set[i+1] == '-' {
			if ch >= set[i] && ch <= set[i+2] {
				return true
			}
			i += 2
			continue
		}
		if set[i] == ch {
			return true
		}
	}
	return false
}

func shorten(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return fmt.Sprint(s)
}
