package flow

import "strings"

// systemContext reports whether a context is plumbing of a GUI or a
// subroutine library, never a source of destinations (SPEC §4 "Sources";
// ../FREEPBX.md "Plumbing"): macro-*, sub-*, app-* other than
// app-announcement-*, app-blackhole and app-daynight, the outbound
// routing contexts, feature-code helpers. FreePBX's from-internal*: see
// reader.system.
func systemContext(name string) bool {
	n := strings.ToLower(name)
	switch {
	case strings.HasPrefix(n, "macro-"), strings.HasPrefix(n, "sub-"), strings.HasPrefix(n, "func-"):
		return true
	case strings.HasPrefix(n, "app-"):
		return !(strings.HasPrefix(n, "app-announcement-") || n == "app-blackhole" || n == "app-daynight")
	case strings.HasPrefix(n, "outrt-"), strings.HasPrefix(n, "park"),
		strings.HasPrefix(n, "ext-intercom"), strings.HasPrefix(n, "followme-"), strings.HasPrefix(n, "vm-"):
		return true
	}
	switch n {
	case "outbound-allroutes", "bad-number", "from-sip-external", "ext-local-confirm", "findmefollow-ringallv2",
		"from-did-direct-ivr", "ext-featurecodes", "ext-dnd-hints", "ext-cf-hints", "ext-test", "ext-fax",
		"from-queue", "from-queue-exten-only", "from-queue-exten-internal", "from-queue-exten-only-x",
		"cidlookup", "autoanswer", "originate-skipvm", "disa-dial", "ext-trunk", "fmgrps", "dialparties":
		return true
	}
	return false
}

// system reports whether a context is plumbing (systemContext) in this
// dialplan: FreePBX's from-internal* contexts too, when the dialplan is
// FreePBX's (it has from-internal-xfer). A plain Asterisk box that calls
// its phones' context from-internal keeps its extensions there.
func (r *reader) system(name string) bool {
	return systemContext(name) ||
		len(name) >= len("from-internal") && strings.EqualFold(name[:len("from-internal")], "from-internal") &&
			r.freepbx
}

// noInboundWalk are contexts the DID walk does not enter through an
// include: they hold phones, not inbound routes (FreePBX from-pstn
// includes from-did-direct so that a DID equal to an extension rings it).
func noInboundWalk(name string) bool {
	n := strings.ToLower(name)
	return systemContext(name) || strings.HasPrefix(n, "from-did-direct") || n == "ext-local" || n == "ext-findmefollow"
}

// plumbingMacro reports whether Macro(name) / Gosub(macro-name…) is
// FreePBX plumbing that returns without routing the call: typing steps
// over it instead of entering it.
func plumbingMacro(name string) bool {
	switch strings.ToLower(name) {
	case "user-callerid", "blkvm-setifempty", "blkvm-set", "blkvm-clr", "blkvm-check", "prepend-cid",
		"setmusic", "block-cf", "outbound-callerid", "privacy-mgr", "auto-blkvm", "toggle-add-agent",
		"toggle-del-agent", "one-touch-record", "confirm", "auto-confirm", "autoanswer", "record-enable",
		"systemrecording", "parked-call", "simple-dial", "speeddial-lookup", "get-vmcontext", "dial-one-prep":
		return true
	}
	return false
}

// plumbingCall reports whether a subroutine or macro context is a GUI
// helper that returns without routing the call: FreePBX's plumbing
// macros, its sub-* helpers, feature-code app-* contexts. Typing steps
// over a call to it; any other subroutine is entered.
func plumbingCall(ctx string) bool {
	n := strings.ToLower(ctx)
	switch {
	case strings.HasPrefix(n, "macro-"):
		return plumbingMacro(n[len("macro-"):])
	case strings.HasPrefix(n, "app-"), strings.HasPrefix(n, "func-"):
		return systemContext(ctx)
	}
	switch n {
	case "sub-record-check", "sub-record-cancel", "sub-prepend-cid", "sub-rgsetcid", "sub-fmsetcid", "sub-pincheck",
		"sub-presencestate-display", "sub-hr12format", "sub-hr24format", "sub-record-hh-check", "sub-setcallerid",
		"sub-local-callerid", "sub-dial-one-predial-hook", "sub-callerid", "sub-calendar-check":
		return true
	}
	return false
}

// ringStrategy maps FreePBX's RingGroupMethod to hu_type.
func ringStrategy(method string) string {
	m := strings.ToLower(strings.TrimSpace(method))
	m = strings.TrimSuffix(m, "-prim")
	switch m {
	case "ringall", "ringallv2":
		return HuntRingAll
	case "hunt":
		return HuntHunt
	case "memoryhunt":
		return HuntMemoryHunt
	case "firstavailable":
		return HuntFirstAvailable
	case "firstnotonphone":
		return HuntFirstNotOnPhone
	case "random":
		return HuntRandom
	}
	return ""
}

// freepbxName is the name FreePBX writes into an object's own lines:
// Noop(Playing announcement X), Noop(MiscDest: X), Noop(Entering Custom
// Destination X).
func freepbxName(app, args string) string {
	if lowerApp(app) != "noop" {
		return ""
	}
	a := strings.TrimSpace(args)
	for _, p := range []string{"Playing announcement ", "MiscDest: ", "Entering Custom Destination "} {
		if strings.HasPrefix(a, p) {
			return strings.TrimSpace(a[len(p):])
		}
	}
	return ""
}

// plumbingTest recognises the tests of FreePBX's generated dialplan on
// run-time state that are no condition an administrator set, and says
// which outcome the normal call takes (ok false for any other test): the
// time-condition override DB(TC/N) is unset (it belongs to the
// condition); follow-me is off unless its own module says so
// (followme/ddial = EXTENSION); the call was not redirected to
// voicemail; it did not come from an IVR that wants it back.
func plumbingTest(condU string) (truth, ok bool) {
	switch {
	case strings.Contains(condU, "DB(TC/"), strings.Contains(condU, "TCOVERRIDE"):
		return false, true
	case strings.Contains(condU, "FOLLOWME/DDIAL"):
		return true, true
	case strings.Contains(condU, "REDIRECTING(REASON)"):
		return false, true
	case strings.Contains(condU, "IVR_RETVM"), strings.Contains(condU, "${IVR_CONTEXT}"):
		return false, true
	}
	return false, false
}

// recognise types a FreePBX object by its context where its own lines do
// not say what it is: a conference room ext-meetme,N jumps to the shared
// STARTMEETME extension, which would make every room one object; a misc
// destination ext-miscdests,N dials its number as a phone would.
func (r *reader) recognise(p pos, st *state) *node {
	switch {
	case !recognised(p):
		return nil
	case strings.EqualFold(p.c.Name, "ext-miscdests"):
		return r.miscDest(p, st)
	}
	return r.nodeAt(p.first(), TypeMeetme, st)
}

// recognised: recognise may type p (it returns nil for a misc
// destination that is typed as what it dials).
func recognised(p pos) bool {
	return strings.EqualFold(p.c.Name, "ext-miscdests") && p.i == 0 ||
		strings.EqualFold(p.c.Name, "ext-meetme") && IsNumber(p.exten())
}

// miscDest types a misc destination (Goto(from-internal,<number>,1)):
// where the number leaves through an outbound route, the forward is the
// misc destination itself, named by its Noop(MiscDest: name), not a
// priority of the outbound route (a system context); a number that rings
// a phone or a group is typed as that object (nil: typing goes on).
func (r *reader) miscDest(p pos, st *state) *node {
	for q := p; q.valid(); q = q.next() {
		if lowerApp(q.prio().App) != "goto" {
			continue
		}
		t, _ := r.jump(q, r.subst(q.prio().Args, q, st))
		if t == nil {
			return nil
		}
		to := r.typeFrom(*t, r.newState())
		if to == nil || to.raw != "" || to.obj.Type != TypeCustom || to.obj.Custom == nil || !r.system(to.anchor.c.Name) {
			return nil
		}
		n := r.nodeAt(p, TypeCustom, st)
		if n.obj.Custom == nil {
			c := *to.obj.Custom
			n.obj.Custom = &c
		}
		return n
	}
	return nil
}

// guiPhone reports whether n is a FreePBX extension (Macro(exten-vm) or
// its Gosub form): the GUI's extension page shows its no-answer and busy
// destinations each, even where both are the same (voicemail, with the
// greeting the dial status picks, or one other extension), so both are
// destinations.
func guiPhone(n *node) bool {
	if n.obj.Type != TypeExt || n.raw != "" {
		return false
	}
	_, ok := calls(n.anchor, "macro-exten-vm")
	return ok
}

// statusMailbox reports whether n is FreePBX's voicemail after a phone's
// dial, Macro(vm,N,${DIALSTATUS}): its greeting is the dial status's.
func statusMailbox(n *node) bool {
	if n == nil || n.raw != "" || n.obj.Type != TypeVoicemail {
		return false
	}
	args, ok := calls(n.anchor, "macro-vm")
	return ok && len(args) > 1 && strings.Contains(strings.ToUpper(args[1]), "${DIALSTATUS}")
}

// calls reports whether the priority at p calls macro (Macro(name,…) or
// Gosub(macro-name,s,1(…))), and with which arguments.
func calls(p pos, macro string) (args []string, ok bool) {
	if !p.valid() {
		return nil, false
	}
	pr := p.prio()
	var name string
	switch lowerApp(pr.App) {
	case "macro":
		parts := splitArgs(pr.Args)
		name, args = "macro-"+strings.TrimSpace(parts[0]), parts[1:]
	case "gosub":
		if name, args, ok = gosubContext(pr.Args); !ok {
			return nil, false
		}
	default:
		return nil, false
	}
	return args, strings.EqualFold(name, macro)
}
