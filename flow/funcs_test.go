package flow

import (
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/astapi/astapi/parser"
)

// Table tests of the flow package's small pure functions: each row is a
// case the dialplans of real installs contain (Asterisk 1.4 '|'
// separators, FreePBX names, ${EXTEN:o:l}, pattern sets).

func TestLegacySeparators(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"open,s,1", "open,s,1"}, // no '|': unchanged
		{"open|s|1", "open,s,1"},
		{`8:00-18:00|mon-fri|*|*?open|s|1`, `8:00-18:00,mon-fri,*,*?open,s,1`},
		{`Set(A=x|y)|20`, `Set(A=x|y),20`},     // inside ()
		{`$[${A}|${B}]|20`, `$[${A}|${B}],20`}, // inside []
		{`"a|b"|c`, `"a|b",c`},                 // quoted
		{`a\|b|c`, `a\|b,c`},                   // escaped
		{`a)|b`, `a),b`},                       // a stray ')' opens nothing
		{`a]|b`, `a],b`},                       // nor a stray ']'
		{`f(x)|g[y]|h`, `f(x),g[y],h`},         // closed again
		{`f((x)|y)|z`, `f((x)|y),z`},           // nested
		{`|`, `,`},
	} {
		if got := legacySeparators(c.in); got != c.want {
			t.Errorf("legacySeparators(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := splitArgs("SIP/201&SIP/202|20|tT"); !slices.Equal(got, []string{"SIP/201&SIP/202", "20", "tT"}) {
		t.Errorf("splitArgs: %q", got)
	}
	if got := firstArg("201@default|u"); got != "201@default" {
		t.Errorf("firstArg: %q", got)
	}
}

func TestIVRKey(t *testing.T) {
	for in, want := range map[string]string{
		"0": "IVR_0", "5": "IVR_5", "9": "IVR_9", "*": SrcIVRStar, "#": SrcIVRSharp, "t": SrcIVRTimeout, "i": SrcIVRWrong,
		"10": "", "s": "", "h": "", "/": "", ":": "", "": "", "**": "",
	} {
		if got := ivrKey(in); got != want {
			t.Errorf("ivrKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMatchPattern(t *testing.T) {
	for _, c := range []struct {
		pat, s string
		want   bool
	}{
		{"X.", "5", false}, {"X.", "", false}, {"X.", "12", true},
		{"X", "0", true}, {"X", "9", true}, {"X", "a", false}, {"X", "/", false}, {"X", ":", false}, {"x", "3", true},
		{"Z", "1", true}, {"Z", "9", true}, {"Z", "0", false}, {"Z", ":", false}, {"z", "5", true},
		{"N", "2", true}, {"N", "9", true}, {"N", "1", false}, {"N", ":", false}, {"n", "7", true},
		{"[1-3]", "1", true}, {"[1-3]", "3", true}, {"[1-3]", "4", false}, {"[1-3]", "0", false},
		{"[13]", "3", true}, {"[13]", "2", false}, {"[a-]", "-", true},
		{"[1-3", "1", false}, // unclosed set
		{"1-2", "12", true},  // '-' is ignored
		{"12!", "12", true}, {"12!", "123", true}, {"12.", "12", false},
		{"12", "123", false}, {"123", "12", false}, {"12", "13", false},
		{"NXXNXXXXXX", "5145550000", true}, {"1NXXNXXXXXX", "15145550000", true},
		{"[2-9]XX", "201", true}, {"6XXX", "6001", true},
	} {
		if got := matchPattern(c.pat, c.s); got != c.want {
			t.Errorf("matchPattern(%q, %q) = %v, want %v", c.pat, c.s, got, c.want)
		}
		if got := MatchPattern(c.pat, c.s); got != c.want {
			t.Errorf("MatchPattern(%q, %q) = %v, want %v", c.pat, c.s, got, c.want)
		}
	}
}

func TestInSet(t *testing.T) {
	for _, c := range []struct {
		set  string
		ch   byte
		want bool
	}{
		{"1-3", '1', true}, {"1-3", '2', true}, {"1-3", '3', true}, {"1-3", '0', false}, {"1-3", '4', false},
		{"1-37", '7', true}, {"1-37", '5', false}, {"13", '3', true}, {"13", '1', true}, {"13", '2', false},
		{"5-", '5', true}, {"5-", '-', true}, {"", '1', false},
	} {
		if got := inSet(c.set, c.ch); got != c.want {
			t.Errorf("inSet(%q, %q) = %v, want %v", c.set, c.ch, got, c.want)
		}
	}
}

func TestPatternLess(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"6XXX", "[1-9]XXX", true}, {"[1-9]XXX", "6XXX", false},
		{"NXX", "XXX", true}, {"ZXX", "XXX", true}, {"NXX", "ZXX", true}, {"XXX", "NXX", false},
		{"X.", "X!", true}, {"X!", "X.", false}, {"XX", "X.", true}, {"X.", "XX", false},
		{"[23]X", "[234]X", true}, {"[2-3]X", "[23]X", false}, {"[23]X", "[2-3]X", false},
		{"[34]X", "[23]X", false}, {"[23]X", "[34]X", true}, // same count: the lowest first
		{"1-2", "12", false}, {"12", "1-2", false}, // '-' is stripped
		{"1 2", "12", false},
		{"[12", "1X", false}, // an unclosed set ranks last
		{"XX", "XX", false},
		{"1X", "12", false}, {"12", "1X", true}, // the first position that differs decides
	} {
		if got := patternLess(c.a, c.b); got != c.want {
			t.Errorf("patternLess(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	if got, want := patternRanks("[1-3]"), []int{0x300 | '1', 0x30000}; !slices.Equal(got, want) {
		t.Errorf("patternRanks([1-3]) = %#x, want %#x", got, want)
	}
	if got, want := patternRanks("[1-]"), []int{0x200 | '-', 0x30000}; !slices.Equal(got, want) {
		t.Errorf("patternRanks([1-]) = %#x, want %#x (a '-' last in a set is itself)", got, want)
	}
	if got, want := patternRanks("[]1"), []int{0xFF, 0x100 | '1', 0x30000}; !slices.Equal(got, want) {
		t.Errorf("patternRanks([]1) = %#x, want %#x", got, want)
	}
	if got, want := patternRanks("[311]"), []int{0x200 | '1', 0x30000}; !slices.Equal(got, want) {
		t.Errorf("patternRanks([311]) = %#x, want %#x (a repeated character counts once)", got, want)
	}
}

func TestSubstExten(t *testing.T) {
	for _, c := range []struct{ s, exten, want string }{
		{"${EXTEN}", "5145550000", "5145550000"},
		{"SIP/carrier/${EXTEN:1}", "95145550000", "SIP/carrier/5145550000"},
		{"${EXTEN:-4}", "5145550000", "0000"},
		{"${EXTEN:-20}", "123", "123"},
		{"${EXTEN:20}", "123", ""},
		{"${EXTEN:1:3}", "5145550000", "145"},
		{"${EXTEN:0:-4}", "5145550000", "514555"},
		{"${EXTEN:0:-20}", "123", ""},
		{"${EXTEN:2:0}", "12345", ""},
		{"${EXTEN:-3:2}", "12345", "34"},
		{"${EXTEN:x}", "123", "${EXTEN:x}"},
		{"${EXTEN:1:y}", "123", "${EXTEN:1:y}"},
		{"${EXTENSION}-${EXTEN}", "12", "${EXTENSION}-12"},
		{"${EXTEN:x}/${EXTEN:1}", "123", "${EXTEN:x}/23"},
		{"${EXTEN", "12", "${EXTEN"},
		{"a${EXTEN}b${EXTEN}c", "7", "a7b7c"},
	} {
		if got := substExten(c.s, c.exten); got != c.want {
			t.Errorf("substExten(%q, %q) = %q, want %q", c.s, c.exten, got, c.want)
		}
	}
}

func TestComment(t *testing.T) {
	for in, want := range map[string]string{
		"[ivr-1] ; Main Menu":          "Main Menu",
		"[ivr-1];Main Menu":            "Main Menu",
		";Main Menu":                   "Main Menu",
		"[ctx]":                        "",
		"[ctx] ;-- block --;":          "",
		"[ctx] ; ------":               "",
		"[ctx] ; ====":                 "",
		`exten => 1,1,NoOp(a\;b)`:      "",
		`exten => 1,1,NoOp(a\;b) ; ok`: "ok",
		"":                             "",
		";":                            "",
	} {
		if got := comment(in); got != want {
			t.Errorf("comment(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFreePBXNames(t *testing.T) {
	for _, c := range []struct{ app, args, want string }{
		{"Noop", "Playing announcement Closed message", "Closed message"},
		{"NoOp", " MiscDest: Weather ", "Weather"},
		{"noop", "Entering Custom Destination Fax line", "Fax line"},
		{"Noop", "Something else", ""},
		{"Verbose", "Playing announcement Closed", ""},
	} {
		if got := freepbxName(c.app, c.args); got != c.want {
			t.Errorf("freepbxName(%q, %q) = %q, want %q", c.app, c.args, got, c.want)
		}
	}
	for in, want := range map[string]string{
		"ringall": HuntRingAll, "ringallv2": HuntRingAll, "ringall-prim": HuntRingAll, "RINGALLV2-PRIM": HuntRingAll,
		"hunt": HuntHunt, "hunt-prim": HuntHunt, "memoryhunt": HuntMemoryHunt, " firstavailable ": HuntFirstAvailable,
		"firstnotonphone": HuntFirstNotOnPhone, "random": HuntRandom, "": "", "roundrobin": "",
	} {
		if got := ringStrategy(in); got != want {
			t.Errorf("ringStrategy(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPlumbingTest(t *testing.T) {
	for _, c := range []struct {
		cond      string
		truth, ok bool
	}{
		{`$["${DB(TC/1)}" = ""]`, false, true},
		{`$["${TCOVERRIDE}" = "true"]`, false, true},
		{`$["${DB(AMPUSER/${EXTEN}/FOLLOWME/DDIAL)}" = "EXTENSION"]`, true, true},
		{`$["${REDIRECTING(REASON)}" = "send_to_vm"]`, false, true},
		{`$["${IVR_RETVM}" = "RETURN"]`, false, true},
		{`$["${IVR_CONTEXT}" != ""]`, false, true},
		{`$["${CALLERID(NUM)}" = "5551234"]`, false, false},
	} {
		truth, ok := plumbingTest(c.cond)
		if truth != c.truth || ok != c.ok {
			t.Errorf("plumbingTest(%q) = %v, %v, want %v, %v", c.cond, truth, ok, c.truth, c.ok)
		}
	}
}

func TestSystemContexts(t *testing.T) {
	for name, want := range map[string]bool{
		"macro-dial": true, "sub-record-check": true, "func-apply-sipheaders": true, "app-blacklist": true,
		"App-Announcement-1": false, "app-blackhole": false, "app-daynight": false, "outrt-1": true, "parkedcalls": true,
		"ext-intercom-users": true, "followme-check": true, "vm-callme": true, "outbound-allroutes": true, "ext-fax": true,
		"dialparties": true, "ext-local": false, "ivr-1": false, "from-internal": false, "timeconditions": false,
	} {
		if got := systemContext(name); got != want {
			t.Errorf("systemContext(%q) = %v, want %v", name, got, want)
		}
	}
	for name, want := range map[string]bool{
		"macro-user-callerid": true, "macro-dial": false, "macro-exten-vm": false, "Macro-SetMusic": true,
		"app-blacklist-check": true, "app-announcement-1": false, "func-apply-sipheaders": true,
		"sub-record-check": true, "SUB-RGSETCID": true, "sub-custom": false, "stdexten": false,
	} {
		if got := plumbingCall(name); got != want {
			t.Errorf("plumbingCall(%q) = %v, want %v", name, got, want)
		}
	}
	for name, want := range map[string]bool{
		"from-did-direct": true, "from-did-direct-ivr": true, "ext-local": true, "ext-findmefollow": true,
		"macro-dial": true, "from-pstn": false, "ext-did": false,
	} {
		if got := noInboundWalk(name); got != want {
			t.Errorf("noInboundWalk(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestStatusTest(t *testing.T) {
	for _, c := range []struct {
		cond, status string
		truth, known bool
	}{
		{`$["${DIALSTATUS}" = "BUSY"]`, "BUSY", true, true},
		{`$["${DIALSTATUS}" = "BUSY"]`, "NOANSWER", false, true},
		{`$["${DIALSTATUS}" != "BUSY"]`, "NOANSWER", true, true},
		{`$["${DIALSTATUS}" != "BUSY"]`, "BUSY", false, true},
		{`$["${DIALSTATUS}" = "NOANSWER"] | $["${DIALSTATUS}" = "CHANUNAVAIL"]`, "BUSY", false, true},
		{`$["${DIALSTATUS}" = "CHANUNAVAIL"]`, "NOANSWER", false, true},
		{`$["${DIALSTATUS}" = "ANSWER"]`, "NOANSWER", false, true},
		{`$["${DIALSTATUS}" = "CANCEL"]`, "BUSY", false, true},
		{`$["${DIALSTATUS}" = ""]`, "BUSY", false, false},
	} {
		truth, known := statusTest(c.cond, c.status)
		if truth != c.truth || known != c.known {
			t.Errorf("statusTest(%q, %q) = %v, %v, want %v, %v", c.cond, c.status, truth, known, c.truth, c.known)
		}
	}
}

func TestIsNumber(t *testing.T) {
	for in, want := range map[string]bool{
		"201": true, "*97": true, "#": true, "+15145550000": true, "0": true, "9": true,
		"": false, "s": false, "_2XX": false, "20a": false, "/": false, ":": false, ")": false, ",": false,
	} {
		if got := IsNumber(in); got != want {
			t.Errorf("IsNumber(%q) = %v, want %v", in, got, want)
		}
	}
	if got := numberOr("201", "x"); got != "201" {
		t.Errorf("numberOr(201) = %q", got)
	}
	if got := numberOr("s", "x"); got != "x" {
		t.Errorf("numberOr(s) = %q", got)
	}
}

func TestCutHelpers(t *testing.T) {
	for _, c := range []struct{ in, cond, rest string }{
		{`$["${A}" = "1"]?a,s,1:b,s,1`, `$["${A}" = "1"]`, `a,s,1:b,s,1`},
		{`$[${A}?1:0]?yes`, `$[${A}?1:0]`, `yes`},
		{`${IF($[1]?a:b)}?x`, `${IF($[1]?a:b)}`, `x`},
	} {
		cond, rest, ok := CutCondition(c.in)
		if !ok || cond != c.cond || rest != c.rest {
			t.Errorf("CutCondition(%q) = %q, %q, %v", c.in, cond, rest, ok)
		}
	}
	if cond, rest, ok := CutCondition("?a,s,1"); !ok || cond != "" || rest != "a,s,1" {
		t.Errorf("CutCondition with an empty condition = %q, %q, %v", cond, rest, ok)
	}
	if a, b := CutBranches(":b,s,1"); a != "" || b != "b,s,1" {
		t.Errorf("CutBranches with an empty true branch = %q, %q", a, b)
	}
	if cond, rest, ok := CutCondition("no test"); ok || cond != "no test" || rest != "" {
		t.Errorf("CutCondition without '?' = %q, %q, %v", cond, rest, ok)
	}
	if a, b := CutBranches("ivr-1,s,1(1):ext-local,201,1"); a != "ivr-1,s,1(1)" || b != "ext-local,201,1" {
		t.Errorf("CutBranches = %q, %q", a, b)
	}
	if a, b := CutBranches("$[a:b]"); a != "$[a:b]" || b != "" {
		t.Errorf("CutBranches inside [] = %q, %q", a, b)
	}
	if i := indexOutside("a)?b", '?'); i != 2 {
		t.Errorf("indexOutside after a stray ')' = %d, want 2", i)
	}
	for _, c := range []struct{ in, app, args string }{
		{" Background(custom/menu) ", "Background", "custom/menu"},
		{"Set(A=f(x))", "Set", "A=f(x)"},
		{"Hangup", "Hangup", ""},
		{"Goto(a,s,1", "Goto", "a,s,1"},
		{"Hangup()", "Hangup", ""},
	} {
		if app, args := cutApp(c.in); app != c.app || args != c.args {
			t.Errorf("cutApp(%q) = %q, %q", c.in, app, args)
		}
	}
	if ctx, args, ok := gosubContext("sub-x,s,1(a,b)"); !ok || ctx != "sub-x" || !slices.Equal(args, []string{"a", "b"}) {
		t.Errorf("gosubContext = %q, %q, %v", ctx, args, ok)
	}
	if _, _, ok := gosubContext("s,1(a)"); ok {
		t.Error("gosubContext of a two-part target")
	}
}

func TestComparedNumbers(t *testing.T) {
	got := comparedNumbers(`$["${CALLERID(num)}" = "5145550000" | "${CALLERID(num)}" = "+15145550001" | "${X}" = "7"]`)
	if want := []string{"5145550000", "+15145550001"}; !slices.Equal(got, want) {
		t.Errorf("comparedNumbers = %q, want %q", got, want)
	}
	if got := comparedNumbers(`"0990" = "9009"`); !slices.Equal(got, []string{"0990", "9009"}) {
		t.Errorf("comparedNumbers = %q", got)
	}
	if got := comparedNumbers(`"*#" = "12"`); !slices.Equal(got, []string{"12"}) {
		t.Errorf("comparedNumbers = %q", got)
	}
}

func TestDIDName(t *testing.T) {
	for ex, want := range map[string]bool{
		"s": true, "5145550000": true, "_X.": true, "incoming": true, "Sales2": true, "aZz09A": true, "zz": true, "ZZ": true, "99a": true,
		"a`": false, "a{": false, "a@": false, "a[": false, "a/": false, "a:": false,
		"h": false, "i": false, "t": false, "fax": false, "1": false, "h-${HANGUPCAUSE}": false, "a b": false,
	} {
		if got := didName(&parser.Extension{Exten: ex}); got != want {
			t.Errorf("didName(%q) = %v, want %v", ex, got, want)
		}
	}
	for name, want := range map[string]bool{
		"from-pstn": true, "Inbound-Main": true, "incoming": true, "from-trunk-sip-x": true, "from-did-direct": true,
		"internal": false, "phones": false,
	} {
		if got := inboundName(name); got != want {
			t.Errorf("inboundName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestExtName(t *testing.T) {
	if got := extName(&parser.Extension{Exten: "100", CID: "5551234"}); got != "100/5551234" {
		t.Errorf("extName with a caller-ID match = %q", got)
	}
	if got := extName(&parser.Extension{Exten: "100"}); got != "100" {
		t.Errorf("extName = %q", got)
	}
}

func TestDump(t *testing.T) {
	from := &Object{ID: "1", TenantID: "1", Type: TypeDID, Name: "in,100", Entry: "in,100,1", Number: "100",
		Pos: parser.Pos{File: "extensions.conf", Line: 3}, DID: &DID{}}
	to := &Object{ID: "2", TenantID: "1", Type: TypeExt, Name: "ph,201", Entry: "ph,201,1", Number: "201"}
	d := Dump([]*Object{from, to}, []*Edge{{ID: "5", TenantID: "1", TypeSrc: SrcDID, From: from, To: to, Ord: 1,
		Src: "in,100,1", Pos: parser.Pos{File: "extensions.conf", Line: 3}}})
	if len(d.Objects) != 2 || d.Objects[0] != (ObjectDump{ID: "1", TenantID: "1", Type: TypeDID, Name: "in,100", Entry: "in,100,1",
		Number: "100", File: "extensions.conf", Line: 3, DID: from.DID}) || d.Objects[1].Type != TypeExt {
		t.Errorf("objects %+v", d.Objects)
	}
	want := EdgeDump{ID: "5", TenantID: "1", TypeSrc: SrcDID, From: "1", TypeDst: TypeExt, To: "2", Ord: 1,
		Src: "in,100,1", Dst: "ph,201,1", File: "extensions.conf", Line: 3}
	if len(d.Destinations) != 1 || d.Destinations[0] != want {
		t.Errorf("destinations %+v, want %+v", d.Destinations, want)
	}
	if e := Dump(nil, nil); e.Objects == nil || e.Destinations == nil {
		t.Error("an empty dump has empty lists, not null")
	}
}

// inRuns cuts the items into one contiguous run per processor, each of
// at least 4096 items, and covers every item once.
func TestInRuns(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	for _, c := range []struct {
		n    int
		want [][2]int
	}{
		{0, [][2]int{{0, 0}}},
		{100, [][2]int{{0, 100}}},
		{10000, [][2]int{{0, 5000}, {5000, 10000}}},
		{40000, [][2]int{{0, 10000}, {10000, 20000}, {20000, 30000}, {30000, 40000}}},
	} {
		var mu sync.Mutex
		var got [][2]int
		inRuns(c.n, func(lo, hi int) {
			mu.Lock()
			got = append(got, [2]int{lo, hi})
			mu.Unlock()
		})
		slices.SortFunc(got, func(a, b [2]int) int { return a[0] - b[0] })
		if !slices.Equal(got, c.want) {
			t.Errorf("inRuns(%d) ran %v, want %v", c.n, got, c.want)
		}
	}
}

func TestDialDevice(t *testing.T) {
	for _, c := range []struct {
		rest, name, number string
		dialled            bool
	}{
		{"201", "201", "", false},
		{"carrier/5145550000", "carrier", "5145550000", true},
		{"5145550000@carrier", "carrier", "5145550000", true},
		{"carrier/sip:5145550000@example.com", "carrier", "sip:5145550000@example.com", true},
		{"carrier/", "carrier", "", true},
		{"@carrier", "carrier", "", true},
		{"/5145550000", "", "5145550000", true},
	} {
		name, number, dialled := DialDevice(c.rest)
		if name != c.name || number != c.number || dialled != c.dialled {
			t.Errorf("DialDevice(%q) = %q, %q, %v, want %q, %q, %v", c.rest, name, number, dialled, c.name, c.number, c.dialled)
		}
	}
}

// TestLowerApp: application names as dialplans write them (Goto, GotoIf,
// AGI, ZapATeller, " Dial "), lowered and trimmed; the names typing
// knows come back without an allocation whatever their case, others are
// lowered all the same.
func TestLowerApp(t *testing.T) {
	for in, want := range map[string]string{
		"Goto": "goto", "GotoIf": "gotoif", "AGI": "agi", "Zapateller": "zapateller", "ZAPATELLER": "zapateller",
		"BackGround": "background", " Dial ": "dial", "dial": "dial", "MacroExit": "macroexit",
		"ChanSpy": "chanspy", "Élan": "élan", "SendFAXWithAVeryLongNameIndeed": "sendfaxwithaverylongnameindeed",
		"G@to": "g@to", "[oto": "[oto", "": "",
	} {
		if got := lowerApp(in); got != want {
			t.Errorf("lowerApp(%q) = %q, want %q", in, got, want)
		}
	}
	for _, in := range []string{"Goto", "AGI", "Zapateller", "SayAlpha", "VoiceMailMain", "WaitExten", " MixMonitor "} {
		if n := testing.AllocsPerRun(10, func() { lowerApp(in) }); n != 0 {
			t.Errorf("lowerApp(%q): %v allocations, want none", in, n)
		}
	}
}
