package flow

import (
	"strconv"
	"strings"

	"github.com/astapi/astapi/parser"
)

// nodeAt returns the node of type typ anchored at p, creating it.
func (r *reader) nodeAt(p pos, typ string, st *state) *node {
	// What a call into plumbing does (a Dial inside a macro) is anchored
	// at the outermost call: macros are never sources, the extension that
	// calls them is. Typing after it goes on inside (cont).
	// Anything else it reaches inside is one object per call site (via):
	// the voicemail a macro leaves a message in is each caller's own.
	cont, via := p, ""
	if len(st.stack) > 0 && r.system(p.c.Name) && typ != TypeIVR && typ != TypeCondition {
		if call := st.stack[0].caller; call.valid() && !r.system(call.c.Name) {
			switch typ {
			case TypeExt, TypeHuntlist, TypeQueue:
				p = call
			default:
				via = call.String()
			}
		}
	}
	k := nodeKey{p: p, typ: typ, raw: via}
	if typ == TypeHuntlist && lowerApp(p.prio().App) == "macro" {
		// A FreePBX ring group is one however its extension dials it
		// (Macro(dial-confirm) or Macro(dial)).
		k.p = p.first()
		k.raw = "macro-dial"
	}
	if typ == TypeIVR {
		// One IVR per context, however it is entered (Background, then
		// WaitExten; a retry that jumps to the WaitExten; another
		// extension): the keys are the context's. Its anchor is the first
		// of these in the context, whatever the order they are met in; a
		// pattern's is the pattern, not the number it was first met with.
		k.p = pos{c: p.c}
		p.num = ""
	}
	if n := r.node(k); n != nil {
		if (typ == TypeIVR || k.raw == "macro-dial") && r.before(p, n.anchor) {
			n.anchor = p
			n.obj.Exten = p.exten()
		}
		return n
	}
	n := &node{anchor: p, cont: cont, via: via, obj: Object{Type: typ, Context: p.c.Name, Exten: p.exten()}}
	n.stack = append([]frame(nil), st.stack...)
	if typ == TypeHuntlist || typ == TypeQueue {
		n.obj.Number = numberOr(p.exten(), "")
	}
	r.setNode(k, n)
	return n
}

// before: p comes before q in their context (extension order, then
// priority).
func (r *reader) before(p, q pos) bool {
	if p.e != q.e {
		return r.extIndex[p.e].index < r.extIndex[q.e].index
	}
	return p.i < q.i
}

// unresolved is the CUSTOM object of a target that cannot be followed
// (nil for an empty one): its entry is the target as written.
func (r *reader) unresolved(raw string) *node {
	raw = strings.TrimSpace(raw)
	if raw == "" || strings.HasPrefix(raw, "${IVR_CONTEXT}") {
		// FreePBX's return to the IVR the call came from: no way on an
		// administrator set.
		return nil
	}
	k := nodeKey{raw: raw}
	if n := r.node(k); n != nil {
		return n
	}
	n := &node{raw: raw, obj: Object{Type: TypeCustom, Entry: raw, Name: raw,
		Custom: &Custom{Kind: CustomUnknown, Description: "Go to " + raw}}}
	r.setNode(k, n)
	return n
}

// node returns the node of key k, or nil. The nodes of a position of the
// dialplan hang from its slot (see memoAt), the others are in a map:
// walks look nodes up at every object they reach, and a map keyed by
// positions, types and names costs a big PBX much more.
func (r *reader) node(k nodeKey) *node {
	if i, ok := r.slot(k.p); ok {
		for n := r.all[r.nodeSlots[i]]; n != nil; n = n.sameSlot {
			if n.keyTyp == k.typ && n.keyRaw == k.raw {
				return n
			}
		}
		return nil
	}
	return r.nodes[k]
}

// setNode makes n the node of key k, which has none.
func (r *reader) setNode(k nodeKey, n *node) {
	if i, ok := r.slot(k.p); ok {
		n.keyTyp, n.keyRaw = k.typ, k.raw
		n.sameSlot, r.nodeSlots[i] = r.all[r.nodeSlots[i]], r.number(n)
		return
	}
	r.nodes[k] = n
}

// dropNode forgets the node of key k.
func (r *reader) dropNode(k nodeKey) {
	i, ok := r.slot(k.p)
	if !ok {
		delete(r.nodes, k)
		return
	}
	var prev *node
	for n := r.all[r.nodeSlots[i]]; n != nil; prev, n = n, n.sameSlot {
		if n.keyTyp == k.typ && n.keyRaw == k.raw {
			if prev == nil {
				r.nodeSlots[i] = r.number(n.sameSlot)
			} else {
				prev.sameSlot = n.sameSlot
			}
			return
		}
	}
}

// phoneNode is an EXT (one phone) or HUNTLIST anchored at p ringing the
// phones numbered members (FreePBX macros name numbers, not peers).
func (r *reader) phoneNode(p pos, typ string, members []string, st *state) *node {
	var phones []*Phone
	var outside []string
	for _, m := range members {
		m = strings.TrimSpace(m)
		if m == "" {
			continue
		}
		if ph := r.phoneByNumber(p, m); ph != nil && !strings.HasSuffix(m, "#") {
			phones = append(phones, ph)
		} else {
			outside = append(outside, strings.TrimSuffix(m, "#"))
		}
	}
	if typ == TypeExt && len(phones) == 0 {
		n := r.nodeAt(p, TypeExt, st)
		if len(members) > 0 {
			n.obj.Number = strings.TrimSpace(members[0])
		}
		return n
	}
	n := r.nodeAt(p, typ, st)
	n.phones = phones
	if typ == TypeExt {
		n.obj.Number = phones[0].Number
		return n
	}
	if n.obj.Hunt == nil {
		h := &Hunt{Strategy: HuntRingAll}
		for _, ph := range phones {
			h.Members = append(h.Members, ph.Number)
		}
		h.Members = append(h.Members, outside...)
		if m := r.setBefore(p, "RingGroupMethod"); m != "" {
			if s := ringStrategy(m); s != "" {
				h.Strategy = s
			}
		}
		h.CheckInUse = h.Strategy == HuntFirstAvailable || h.Strategy == HuntFirstNotOnPhone ||
			strings.EqualFold(r.setBefore(p, "__CWIGNORE"), "TRUE")
		n.obj.Hunt = h
	}
	return n
}

// setBefore returns the last value p's extension Set()s variable to
// before p ("" when it does not).
func (r *reader) setBefore(p pos, variable string) string {
	val := ""
	for i := range p.e.Priorities[:p.i] {
		pr := &p.e.Priorities[i]
		if lowerApp(pr.App) != "set" {
			continue
		}
		k, v, ok := strings.Cut(pr.Args, "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), variable) {
			val = strings.TrimSpace(v)
		}
	}
	return val
}

// phoneByNumber finds the phone numbered num, preferring the tenants that
// own p's context.
func (r *reader) phoneByNumber(p pos, num string) *Phone {
	r.look(lookNumber, num)
	list := r.numbered(num)
	if len(list) == 0 {
		return nil
	}
	for _, ti := range r.owners[p.c.Name] {
		for _, ph := range list {
			if ph.TenantID == r.in.Tenants[ti].ID {
				return ph
			}
		}
	}
	return list[0]
}

// dialTarget is one item of a Dial() argument.
type dialTarget struct {
	phone   *Phone
	outside string // a number dialled through a trunk or technology
	unknown string // a device that cannot be resolved
}

// dialTargets splits Dial's first argument on '&'.
func (r *reader) dialTargets(p pos, args string) []dialTarget {
	first := firstArg(args)
	if strings.TrimSpace(first) == "${HINT}" {
		first = p.e.Hint
	}
	var out []dialTarget
	for item := range strings.SplitSeq(first, "&") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		tech, rest, ok := strings.Cut(item, "/")
		if !ok {
			out = append(out, dialTarget{unknown: item})
			continue
		}
		techU := strings.ToUpper(tech)
		if techU == "LOCAL" {
			num, _, _ := strings.Cut(rest, "@")
			if ph := r.phoneByNumber(p, num); ph != nil && IsNumber(num) {
				out = append(out, dialTarget{phone: ph})
			} else if strings.Contains(num, "$") {
				out = append(out, dialTarget{unknown: item})
			} else {
				out = append(out, dialTarget{outside: strings.TrimSuffix(num, "#")})
			}
			continue
		}
		name, number, _ := DialDevice(rest)
		if strings.Contains(name, "$") {
			out = append(out, dialTarget{unknown: item})
			continue
		}
		r.look(lookPhone, techU+"/"+name)
		ph := r.phone(techU + "/" + name)
		switch {
		case ph != nil && number == "":
			out = append(out, dialTarget{phone: ph})
		case number != "":
			out = append(out, dialTarget{outside: number})
		case r.trunkNamed(techU+"/"+name) != nil:
			out = append(out, dialTarget{outside: name})
		default:
			out = append(out, dialTarget{unknown: item})
		}
	}
	return out
}

// DialDevice splits what follows "TECH/" in a Dial() item into the device
// it names and the number dialled through it: name, name/number or
// number@name (a number or URI after the '/' may hold an '@' of its own:
// only the part before the '/' names the device). dialled reports that a
// number part was written, even an empty one.
func DialDevice(rest string) (name, number string, dialled bool) {
	name = rest
	if sl := strings.IndexByte(rest, '/'); sl >= 0 {
		name, number, dialled = rest[:sl], rest[sl+1:], true
	}
	if at := strings.IndexByte(name, '@'); at >= 0 {
		number, name, dialled = name[:at], name[at+1:], true
	}
	return name, number, dialled
}

// dialNode types Dial() at p: EXT for one phone (HUNTLIST when another
// Dial of one phone follows: rung in turn), HUNTLIST for several, CUSTOM
// FORWARD for outside numbers, CUSTOM UNKNOWN for what cannot be
// resolved.
func (r *reader) dialNode(p pos, args string, st *state) *node {
	targets := r.dialTargets(p, args)
	var phones []*Phone
	var outside, unknown []string
	for _, t := range targets {
		switch {
		case t.phone != nil:
			phones = append(phones, t.phone)
		case t.outside != "":
			outside = append(outside, t.outside)
		default:
			unknown = append(unknown, t.unknown)
		}
	}
	ringTime := 0
	if parts := splitArgs(args); len(parts) > 1 {
		ringTime, _ = strconv.Atoi(strings.TrimSpace(parts[1]))
	}
	switch {
	case len(phones) == 1 && len(outside) == 0:
		if more := r.inTurn(p); len(more) > 0 {
			n := r.nodeAt(p, TypeHuntlist, st)
			if n.obj.Hunt == nil {
				h := &Hunt{Strategy: HuntHunt, RingTime: ringTime}
				n.phones = append(phones, more...)
				for _, ph := range n.phones {
					h.Members = append(h.Members, ph.Number)
				}
				n.obj.Hunt = h
			}
			return n
		}
		n := r.nodeAt(p, TypeExt, st)
		n.phones = phones
		n.obj.Number = phones[0].Number
		return n
	case len(phones) > 0:
		n := r.nodeAt(p, TypeHuntlist, st)
		if n.obj.Hunt == nil {
			n.phones = phones
			h := &Hunt{Strategy: HuntRingAll, RingTime: ringTime}
			for _, ph := range phones {
				h.Members = append(h.Members, ph.Number)
			}
			h.Members = append(h.Members, outside...)
			n.obj.Hunt = h
		}
		return n
	}
	n := r.nodeAt(p, TypeCustom, st)
	if n.obj.Custom == nil {
		if len(outside) > 0 {
			n.obj.Custom = &Custom{Kind: CustomForward, Description: "Forward call to " + strings.Join(outside, ", ")}
		} else {
			n.obj.Custom = &Custom{Kind: CustomUnknown, Description: "Dial " + strings.Join(unknown, "&")}
		}
	}
	return n
}

// inTurn returns the phones of the Dials of one phone that follow p's on
// its extension (plumbing aside): a group rung in turn.
func (r *reader) inTurn(p pos) []*Phone {
	var more []*Phone
	for q := r.nextDecisive(p); q.valid() && r.app(q) == "dial"; q = r.nextDecisive(q) {
		ts := r.dialTargets(q, q.prio().Args)
		if len(ts) != 1 || ts[0].phone == nil {
			break
		}
		more = append(more, ts[0].phone)
	}
	return more
}

// voicemailNode types VoiceMail()/VoiceMailMain() at p.
func (r *reader) voicemailNode(p pos, app, args string, st *state) *node {
	n := r.nodeAt(p, TypeVoicemail, st)
	if n.obj.Voicemail != nil {
		return n
	}
	parts := splitArgs(args)
	first, _, _ := strings.Cut(strings.TrimSpace(parts[0]), "&")
	box, vctx, _ := strings.Cut(first, "@")
	opts := ""
	// Asterisk 1.2's VoiceMail(u201): the option before the box.
	if box != "" && strings.ContainsAny(box[:1], "subSUB") && IsNumber(box[1:]) {
		opts, box = strings.ToLower(box[:1]), box[1:]
	}
	if vctx == "" {
		vctx = "default"
	}
	kind := ""
	if app == "voicemailmain" {
		kind = "main"
	} else {
		if len(parts) > 1 {
			opts += strings.ToLower(parts[1])
		}
		switch {
		case strings.Contains(opts, "b"):
			kind = "busy"
		case strings.Contains(opts, "u"):
			kind = "unavail"
		}
	}
	n.obj.Voicemail = &Voicemail{Box: box, Context: vctx, Kind: kind}
	n.obj.Number = box
	return n
}

// conditionNode is the CONDITION at p whose true outcome is yes and false
// outcome no. A false outcome that is itself a condition of the same kind
// leading to the same true outcome is merged into it (several tests
// leading to the same two objects are one condition).
func (r *reader) conditionNode(p pos, app, cond string, yes, no *node, st *state) *node {
	n := r.nodeAt(p, TypeCondition, st)
	if n.obj.Condition != nil {
		return n
	}
	c := conditionOf(p, app, cond)
	for no != nil && no.obj.Type == TypeCondition && no.yes == yes && no.obj.Condition != nil &&
		no.obj.Condition.Kind == c.Kind && !no.registered {
		c.Params = append(c.Params, no.obj.Condition.Params...)
		if c.Timezone == "" {
			c.Timezone = no.obj.Condition.Timezone
		}
		no = no.no
	}
	n.obj.Condition = c
	n.yes, n.no = yes, no
	return n
}

// conditionOf reads what a test compares.
func conditionOf(p pos, app, cond string) *Condition {
	switch app {
	case "gotoiftime", "execiftime":
		parts := splitArgs(cond)
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		for len(parts) < 4 {
			parts = append(parts, "*")
		}
		c := &Condition{Kind: CondTime, Params: []string{strings.Join(parts[:4], ",")}}
		if len(parts) > 4 {
			c.Timezone = parts[4]
		}
		return c
	}
	u := strings.ToUpper(cond)
	switch {
	case strings.Contains(u, "DAYNIGHT") || strings.EqualFold(p.c.Name, "app-daynight"):
		return &Condition{Kind: CondDayNight, Params: []string{strings.TrimSpace(cond)}}
	case strings.Contains(u, "CALLERID(NUM") || strings.Contains(u, "CALLERID(ANI") || strings.Contains(u, "${CALLERIDNUM}"):
		return &Condition{Kind: CondCallerID, Params: comparedNumbers(cond)}
	}
	return &Condition{Kind: CondExpression, Params: []string{strings.TrimSpace(cond)}}
}

// comparedNumbers are the literals a caller-ID test compares with.
func comparedNumbers(cond string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(cond, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r == '+' || r == '*' || r == '#')
	}) {
		if len(strings.Trim(f, "+*#")) >= 2 {
			out = append(out, f)
		}
	}
	return out
}

// seedPatternPhones registers the phones that only a pattern of a
// tenant's context rings, by the number dialled (exten =>
// _2XXX,1,Dial(PJSIP/${EXTEN})): one EXT per such phone, as if its
// extension were written out, where Asterisk runs that pattern for the
// phone's number. A phone that has an EXT object already (FreePBX
// ext-local) gets no second one.
func (r *reader) seedPatternPhones() {
	has := map[*Phone]bool{}
	for _, n := range r.queue {
		if n.obj.Type == TypeExt {
			for _, ph := range n.phones {
				has[ph] = true
			}
		}
	}
	r.hadExt = has
	for _, c := range r.dp.Contexts {
		if r.system(c.Name) {
			continue
		}
		for _, e := range c.Extensions {
			if !e.IsPattern() || len(e.Priorities) == 0 {
				continue
			}
			for _, ti := range r.owners[c.Name] {
				for _, ph := range r.ofTenant(r.in.Tenants[ti].ID) {
					if has[ph] {
						continue
					}
					if n := r.patternPhone(c, e, ph); n != nil {
						has[ph] = true
						r.patternSeeded = append(r.patternSeeded, ph)
						r.register(n)
					}
				}
			}
		}
	}
}

// patternPhone is the EXT of ph that pattern e of c rings when dialled
// with ph's number, or nil.
func (r *reader) patternPhone(c *parser.Context, e *parser.Extension, ph *Phone) *node {
	num := ph.Number
	if !matchPattern(e.Exten[1:], num) {
		return nil
	}
	if fc, fe := findExten(r.dp, c, num); fc != c || fe != e {
		return nil // an extension of its own, or an earlier pattern
	}
	n := r.typeFrom(pos{c: c, e: e, num: num}, r.newState())
	if n == nil || n.raw != "" || n.anchor.c != c || n.anchor.e != e || n.obj.Type != TypeExt ||
		len(n.phones) != 1 || n.phones[0] != ph {
		return nil
	}
	return n
}
