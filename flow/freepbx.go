package flow

import "strings"

// systemContext reports whether a context is plumbing of a GUI or a
// subroutine library, never a source of destinations (SPEC §4 "Sources";
// ../FREEPBX.md "Plumbing"): macro-*, sub-*, app-* other than
// app-announcement-*, app-blackhole and app-daynight, the internal and
// outbound routing contexts, feature-code helpers.
func systemContext(name string) bool {
	n := strings.ToLower(name)
	switch {
	case strings.HasPrefix(n, "macro-"), strings.HasPrefix(n, "sub-"), strings.HasPrefix(n, "func-"):
		return true
	case strings.HasPrefix(n, "app-"):
		return !(strings.HasPrefix(n, "app-announcement-") || n == "app-blackhole" || n == "app-daynight")
	case strings.HasPrefix(n, "from-internal"), strings.HasPrefix(n, "outrt-"), strings.HasPrefix(n, "park"),
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
// STARTMEETME extension, which would make every room one object.
func (r *reader) recognise(p pos, st *state) *node {
	if strings.EqualFold(p.c.Name, "ext-meetme") && IsNumber(p.exten()) {
		return r.nodeAt(p.first(), TypeMeetme, st)
	}
	return nil
}
