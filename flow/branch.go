package flow

import (
	"strconv"
	"strings"
)

// How the reader types what decides between ways on: GotoIf, GotoIfTime
// and GosubIf (branch), ExecIf (execIf), the Gosubs it knows the return
// of (knownSub). walk.go steps from priority to priority and calls them.

// branch types GotoIf/GotoIfTime/GosubIf at p.
func (r *reader) branch(p pos, app, args string, st *state) (*node, pos, bool) {
	cond, rest, ok := CutCondition(args)
	if !ok {
		r.warn(p.prio().Pos, "%s: no '?' before the destinations", p.prio().App)
		return nil, p.next(), false
	}
	t, f := CutBranches(rest)
	// Outcomes as positions (nil: falls through to the next priority).
	outcome := func(spec string) (q *pos, raw string, call []string) {
		if strings.TrimSpace(spec) == "" {
			n := p.next()
			return &n, "", nil
		}
		if app == "gosubif" {
			q, call, raw := r.call(p, spec)
			if q != nil && plumbingCall(q.c.Name) {
				// A GUI helper subroutine returns: plumbing.
				n := p.next()
				return &n, "", nil
			}
			return q, raw, call
		}
		q, raw = r.jump(p, spec)
		return q, raw, nil
	}
	condU := strings.ToUpper(cond)
	// take goes on along one outcome only.
	take := func(truth bool) (*node, pos, bool) {
		spec := f
		if truth {
			spec = t
		}
		q, raw, call := outcome(spec)
		if q == nil {
			return r.unresolved(raw), p, true
		}
		if call != nil {
			st.stack = append(st.stack, frame{ret: p.next(), caller: p, args: call})
		}
		return nil, *q, false
	}
	// After a Dial, a DIALSTATUS test picks the path of the status assumed
	// (read before ${DIALSTATUS} is replaced by it).
	rawCond, _, _ := CutCondition(p.prio().Args)
	if rawU := strings.ToUpper(rawCond); st.status != "" && strings.Contains(rawU, "DIALSTATUS") {
		if truth, known := statusTest(rawU, st.status); known {
			return take(truth)
		}
	}
	// Tests of FreePBX's run-time state take the path of the normal case.
	if truth, ok := plumbingTest(condU); ok {
		return take(truth)
	}
	type out struct {
		n       *node
		raw     string
		ignored bool
		back    bool
	}
	eval := func(spec string) out {
		q, raw, call := outcome(spec)
		if q == nil {
			return out{raw: raw, ignored: true}
		}
		s2 := st.fork()
		if call != nil {
			s2.stack = append(s2.stack, frame{ret: p.next(), caller: p, args: call})
		}
		if st.own != nil && !q.sameExt(*st.own) {
			if r.backInto(*q, st) {
				return out{n: st.leaving, ignored: true, back: true}
			}
			s2.own, s2.leaving, s2.src = nil, nil, false
		}
		n := r.typeFrom(*q, s2)
		o := out{n: n}
		switch {
		case n == nil:
			o.ignored = true
		case n.raw != "":
			// Leads only to a target known at run time.
			o.n, o.raw, o.ignored = nil, n.raw, true
		case st.leaving != nil && n == st.leaving:
			o.ignored, o.back = true, true
		}
		return o
	}
	yes, no := eval(t), eval(f)
	switch {
	case !yes.ignored && !no.ignored:
		if yes.n == no.n {
			return yes.n, p, true
		}
		return r.conditionNode(p, app, cond, yes.n, no.n, st), p, true
	case !yes.ignored:
		return yes.n, p, true
	case !no.ignored:
		return no.n, p, true
	case yes.back || no.back:
		return st.leaving, p, true
	case yes.raw != "" && no.raw != "":
		// Only unresolvable ways on: the first is the target.
		return r.unresolved(yes.raw), p, true
	}
	// An unresolvable outcome beside one that ends the call (FreePBX's
	// return to ${IVR_CONTEXT}) routes nowhere an administrator set.
	return nil, p, true
}

// statusTest evaluates a DIALSTATUS comparison for one status: known is
// false when the test names no status.
func statusTest(condU, status string) (truth, known bool) {
	neg := strings.Contains(condU, "!=")
	if strings.Contains(condU, status) {
		return !neg, true
	}
	for _, s := range dialStatuses {
		if s != status && strings.Contains(condU, s) && !(s == "ANSWER" && strings.Contains(condU, "NOANSWER")) {
			return neg, true
		}
	}
	return false, false
}

// execIf types ExecIf/ExecIfTime at p: plumbing inside is transparent; an
// application that routes the call makes a branch.
func (r *reader) execIf(p pos, app, args string, st *state) (*node, pos, bool) {
	cond, rest, ok := CutCondition(args)
	if !ok {
		return nil, p.next(), false
	}
	// With two applications (ExecIf(c?a():b())) the first types it, as a
	// condition would be.
	t, _ := CutBranches(rest)
	inner, innerArgs := cutApp(t)
	ia := lowerApp(inner)
	switch {
	case transparent[ia] || ia == "":
		return nil, p.next(), false
	case ia == "macro" || ia == "gosub":
		name := strings.TrimSpace(firstArg(innerArgs))
		if ia == "macro" {
			name = "macro-" + name
		}
		if plumbingCall(name) {
			return nil, p.next(), false
		}
	case ia == "playback" && app == "execif":
		return nil, p.next(), false // a conditional message (FreePBX queue join message)
	case ia == "background" || ia == "read" || ia == "waitexten":
		if strings.HasPrefix(strings.ToLower(p.c.Name), "app-announcement-") {
			return r.nodeAt(p, TypePlayback, st), p, true
		}
		if r.hasKeys(p) || r.waitsAfter(p) {
			return r.nodeAt(p, TypeIVR, st), p, true
		}
		return nil, p.next(), false
	case ia == "disa":
		return r.nodeAt(p, TypeDISA, st), p, true
	}
	// The inline application as an outcome.
	var yes *node
	switch ia {
	case "goto", "gosub", "macro":
		s2 := st.fork()
		var q *pos
		switch ia {
		case "goto":
			q, _ = r.jump(p, r.subst(innerArgs, p, st))
		case "gosub":
			var call []string
			q, call, _ = r.call(p, r.subst(innerArgs, p, st))
			if q != nil {
				s2.stack = append(s2.stack, frame{ret: p.next(), caller: p, args: call})
			}
		case "macro":
			parts := splitArgs(r.subst(innerArgs, p, st))
			if n, done := r.knownSub(p, "macro-"+strings.TrimSpace(parts[0]), parts[1:], st); done && n != nil {
				yes = n
			}
		}
		if yes == nil && q != nil {
			yes = r.typeFrom(*q, s2) // an unresolvable target is not an outcome
		}
	default:
		s2 := st.fork()
		yes, _, _ = r.decide(p, ia, r.subst(innerArgs, p, st), s2)
		if yes != nil && yes.anchor == p && yes.obj.Type == TypeCustom && yes.obj.Custom != nil && yes.obj.Custom.Kind == CustomApplication {
			yes.obj.Custom.Description = "Run application " + inner
		}
	}
	no := r.typeFrom(p.next(), st.fork())
	if st.leaving != nil && yes == st.leaving {
		yes = nil
	}
	if st.leaving != nil && no == st.leaving {
		no = nil
	}
	switch {
	case yes == nil:
		return nil, p.next(), false
	case no == nil || yes == no:
		return yes, p, true
	}
	return r.conditionNode(p, app, cond, yes, no, st), p, true
}

// knownSub types the FreePBX macros and subroutines that route the call
// by what they do (done, with the object), and steps over plumbing (done,
// nil). done is false for a subroutine to enter.
func (r *reader) knownSub(p pos, ctx string, args []string, st *state) (*node, bool) {
	arg := func(i int) string {
		if i < len(args) {
			return strings.TrimSpace(args[i])
		}
		return ""
	}
	name := strings.ToLower(ctx)
	if !strings.HasPrefix(name, "macro-") {
		return nil, plumbingCall(ctx) // GUI helpers are plumbing; others are entered
	}
	switch m := strings.TrimPrefix(name, "macro-"); m {
	case "exten-vm":
		// Macro(exten-vm,<box or novm>,N,…): rings extension N.
		return r.phoneNode(p, TypeExt, []string{arg(1)}, st), true
	case "dial-one":
		return r.phoneNode(p, TypeExt, []string{arg(2)}, st), true
	case "dial", "dial-confirm":
		// Macro(dial,T,options,a-b-c): a ring group.
		members := strings.Split(arg(2), "-")
		n := r.phoneNode(p, TypeHuntlist, members, st)
		if t, err := strconv.Atoi(arg(0)); err == nil && n.obj.Hunt != nil {
			n.obj.Hunt.RingTime = t
		}
		return n, true
	case "vm":
		// Macro(vm,N,${DIALSTATUS}): the dial status picks the greeting;
		// one mailbox for both outcomes (see statusMailbox), kind "".
		n := r.nodeAt(p, TypeVoicemail, st)
		if n.obj.Voicemail == nil {
			kind := ""
			switch strings.ToUpper(arg(1)) {
			case "BUSY":
				kind = "busy"
			case "NOANSWER", "CHANUNAVAIL", "NOMESSAGE":
				kind = "unavail"
			}
			if statusMailbox(n) {
				kind = ""
			}
			box, vctx, _ := strings.Cut(arg(0), "@")
			if vctx == "" {
				vctx = "default"
			}
			n.obj.Voicemail = &Voicemail{Box: box, Context: vctx, Kind: kind}
			n.obj.Number = box
		}
		return n, true
	case "hangupcall", "outisbusy":
		return r.nodeAt(p, TypeSpecial, st), true
	case "dialout-trunk", "dialout-enum", "dialout-dundi":
		n := r.nodeAt(p, TypeCustom, st)
		if n.obj.Custom == nil {
			n.obj.Custom = &Custom{Kind: CustomForward, Description: "Forward call to " + arg(1) + " through a trunk"}
		}
		return n, true
	default:
		if plumbingMacro(m) {
			return nil, true
		}
	}
	return nil, false
}
