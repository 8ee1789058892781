package flow_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/astapi/astapi/flow"
	"github.com/astapi/astapi/parser"
)

// build reads dialplan for one tenant "t" owning every context, with
// phones 201 and 202 (SIP/201, SIP/202, context=phones) and a trunk
// "carrier" whose context is "in".
func build(t *testing.T, dialplan string) *flow.Graph {
	t.Helper()
	cfg := parser.Parse("extensions.conf", []byte(dialplan), parser.Options{})
	dp := parser.BuildDialplan(cfg)
	var ctxs []string
	for _, c := range dp.Contexts {
		ctxs = append(ctxs, c.Name)
	}
	lines := strings.Split(dialplan, "\n")
	g, _ := flow.Build(flow.Input{
		Dialplan: dp,
		Tenants:  []flow.Tenant{{ID: "1", Key: "t", Contexts: ctxs}},
		Phones: []flow.Phone{{Tech: "SIP", Name: "201", Number: "201", TenantID: "1", Context: "phones"},
			{Tech: "SIP", Name: "202", Number: "202", TenantID: "1", Context: "phones"}},
		Trunks: []flow.Trunk{{Tech: "SIP", Name: "carrier", Context: "in", TenantID: "1"}},
		Line: func(file string, n int) string {
			if n < 1 || n > len(lines) {
				return ""
			}
			return lines[n-1]
		},
	})
	return g
}

// edges renders a graph's edges as "KIND src -> TYPE dst", sorted.
func edges(g *flow.Graph) []string {
	var out []string
	for _, e := range g.Edges {
		out = append(out, fmt.Sprintf("%s %s -> %s %s", e.TypeSrc, e.Src, e.TypeDst(), e.Dst()))
	}
	slices.Sort(out)
	return out
}

func object(g *flow.Graph, entry string) *flow.Object {
	for _, o := range g.Objects {
		if o.Entry == entry {
			return o
		}
	}
	return nil
}

// TestBuildRules: one small dialplan per rule of SPEC §4 "Call flow".
func TestBuildRules(t *testing.T) {
	cases := []struct {
		name, dialplan string
		want           []string
	}{
		{"Gosub is a call that returns, with ${ARGn}", `
[in]
exten => 100,1,Gosub(vmbox,s,1(201))
 same => n,Hangup()
exten => 101,1,Gosub(logcall,s,1(101))
 same => n,Goto(ph,202,1)
[vmbox]
exten => s,1,VoiceMail(${ARG1}@default,u)
 same => n,Return()
[logcall]
exten => s,1,Set(CDR(userfield)=${ARG1})
 same => n,Return()
[ph]
exten => 202,1,Dial(SIP/202)
`, []string{"DID in,100,1 -> VOICEMAIL vmbox,s,1", "DID in,101,1 -> EXT ph,202,1"}},
		{"a macro is entered; what it does is anchored at the call, macros are never sources", `
[in]
exten => 100,1,Goto(ph,201,1)
[ph]
exten => 201,1,Macro(stdexten,201,SIP/201)
[macro-stdexten]
exten => s,1,Dial(${ARG2},20)
 same => n,Goto(s-${DIALSTATUS},1)
exten => s-NOANSWER,1,VoiceMail(${ARG1},u)
exten => s-BUSY,1,VoiceMail(${ARG1},b)
`, []string{"DID in,100,1 -> EXT ph,201,1", "EXT-NOANSWER ph,201,1 -> VOICEMAIL macro-stdexten,s-NOANSWER,1",
			"EXT-BUSY ph,201,1 -> VOICEMAIL macro-stdexten,s-BUSY,1"}},
		{"Gosub(macro-exten-vm,s,1(…)) is Macro(exten-vm,…) (FreePBX 17), even without the macro's file", `
[in]
exten => 100,1,Goto(ext-local,202,1)
[ext-local]
exten => 202,1,Gosub(macro-exten-vm,s,1(novm,202,0,0,0))
 same => n(dest),Gosub(macro-vm,s,1(202,${DIALSTATUS}))
`, []string{"DID in,100,1 -> EXT ext-local,202,1", "EXT-NOANSWER ext-local,202,1 -> VOICEMAIL ext-local,202,2",
			"EXT-BUSY ext-local,202,1 -> VOICEMAIL ext-local,202,2"}},
		{"FreePBX Macro(vm,N,${DIALSTATUS}): busy and no answer both go to voicemail; a plain VoiceMail(N,u) is no answer only", `
[in]
exten => 100,1,Goto(ext-local,201,1)
exten => 101,1,Goto(ph,202,1)
[ext-local]
exten => 201,1,Macro(exten-vm,201,201,0,0,0)
 same => n(dest),Macro(vm,201,${DIALSTATUS},${IVR_RETVM})
[ph]
exten => 202,1,Dial(SIP/202,20)
 same => n,VoiceMail(202@default,u)
`, []string{"DID in,100,1 -> EXT ext-local,201,1", "DID in,101,1 -> EXT ph,202,1",
			"EXT-BUSY ext-local,201,1 -> VOICEMAIL ext-local,201,2", "EXT-NOANSWER ext-local,201,1 -> VOICEMAIL ext-local,201,2",
			"EXT-NOANSWER ph,202,1 -> VOICEMAIL ph,202,2"}},
		{"FreePBX extension whose no-answer and busy destinations are the same other extension", `
[in]
exten => 100,1,Goto(ext-local,201,1)
[ext-local]
exten => 201,1,Macro(exten-vm,novm,201,0,1,1)
 same => n(dest),Set(__PICKUPMARK=)
 same => n,GotoIf($["${DIALSTATUS}"="NOANSWER"]?ext-local,202,1)
 same => n,GotoIf($["${DIALSTATUS}"="BUSY"]?ext-local,202,1)
 same => n,GotoIf($["${IVR_CONTEXT}" != ""]?${IVR_CONTEXT},return,1)
exten => 202,1,Macro(exten-vm,novm,202,0,0,0)
`, []string{"DID in,100,1 -> EXT ext-local,201,1",
			"EXT-BUSY ext-local,201,1 -> EXT ext-local,202,1", "EXT-NOANSWER ext-local,201,1 -> EXT ext-local,202,1"}},
		{"an IVR on a pattern is entered at the pattern, whatever number reaches it first", `
[in]
exten => 5550001,1,Goto(menu,${EXTEN:3},1)
exten => 5550002,1,Goto(menu,${EXTEN:3},1)
[menu]
exten => _X.,1,Background(welcome)
 same => n,WaitExten(5)
exten => 1,1,Goto(ph,201,1)
[ph]
exten => 201,1,Dial(SIP/201)
`, []string{"DID in,5550001,1 -> IVR menu,_X.,1", "DID in,5550002,1 -> IVR menu,_X.,1", "IVR_1 menu,1,1 -> EXT ph,201,1"}},
		{"an IVR entered at another extension, WaitExten without Background", `
[in]
exten => 100,1,Goto(menu,start,1)
[menu]
exten => start,1,Answer()
 same => n,WaitExten(5)
exten => 1,1,Goto(ph,201,1)
exten => t,1,Hangup()
[ph]
exten => 201,1,Dial(SIP/201)
`, []string{"DID in,100,1 -> IVR menu,start,1", "IVR_1 menu,1,1 -> EXT ph,201,1", "IVR_TIMEOUT menu,t,1 -> SPECIAL menu,t,1"}},
		{"ExecIf(…?Background()) is an IVR; a key that plays and hangs up is an announcement", `
[in]
exten => 100,1,ExecIf($[1]?Background(menu))
 same => n,WaitExten(5)
exten => 9,1,Playback(bye)
 same => n,Hangup()
exten => *,1,Playback(transferring)
 same => n,Goto(ph,202,1)
[ph]
exten => 202,1,Dial(SIP/202)
`, []string{"DID in,100,1 -> IVR in,100,1", "IVR_9 in,9,1 -> PLAYBACK in,9,1", "IVR_STAR in,*,1 -> EXT ph,202,1"}},
		{"caller-ID condition; Playtones then hangup is a terminator", `
[in]
exten => 100,1,GotoIf($["${CALLERID(num)}" = "5145550000"]?vip,s,1)
 same => n,Playtones(busy)
 same => n,Hangup()
[vip]
exten => s,1,Dial(SIP/201&SIP/202,30)
`, []string{"CONDITION in,100,1 -> HUNTLIST vip,s,1", "DID in,100,1 -> CONDITION in,100,1", "NOTCONDITION in,100,1 -> SPECIAL in,100,2"}},
		{"a dialled number in a pattern: ${EXTEN:1} forwarded through the trunk", `
[in]
exten => 100,1,Goto(out,95145550000,1)
[out]
exten => _9X.,1,Dial(SIP/carrier/${EXTEN:1})
`, []string{"DID in,100,1 -> CUSTOM out,95145550000,1"}},
		{"an outbound pattern in the trunk's context is no DID; an unresolved Goto is CUSTOM", `
[in]
exten => _9X.,1,Dial(SIP/carrier/${EXTEN:1})
exten => 100,1,Goto(${WHERE},s,1)
`, []string{"DID in,100,1 -> CUSTOM ${WHERE},s,1"}},
		{"a catch-all that hands on to another route is no DID", `
[in]
include => routes
exten => _X.,1,Goto(routes,s,1)
[routes]
exten => s,1,Goto(ph,201,1)
[ph]
exten => 201,1,Dial(SIP/201)
`, []string{"DID routes,s,1 -> EXT ph,201,1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := edges(build(t, c.dialplan))
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("\n got %q\nwant %q", got, want)
			}
		})
	}
}

// TestBuildDetails: what the objects carry.
func TestBuildDetails(t *testing.T) {
	g := build(t, `[in] ; Inbound
exten => 100,1,Set(CALLERID(name)=Sales:${CALLERID(name)})
 same => n,MixMonitor(${UNIQUEID}.wav)
 same => n,Set(FAX_DEST=fax^s^1)
 same => n,Goto(tc,s,1)
[tc] ; Opening hours
exten => s,1,GotoIfTime(08:00-12:00,mon-fri,*,*,America/Montreal?open,s,1)
 same => n,GotoIfTime(13:00-17:00,mon-fri,*,*,America/Montreal?open,s,1)
 same => n,AGI(closed.agi)
 same => n,Hangup()
[open]
exten => s,1,Dial(SIP/201,15)
 same => n,Dial(SIP/202,15)
 same => n,VoiceMail(201@default,u)
`)
	did := object(g, "in,100,1")
	if did == nil || did.Type != flow.TypeDID || !did.DID.Recording || !did.DID.Fax || did.DID.CIDNamePrefix != "Sales:" ||
		!slices.Equal(did.DID.Trunks, []string{"carrier"}) {
		t.Errorf("DID: %+v %+v", did, did.DID)
	}
	tc := object(g, "tc,s,1")
	if tc == nil || tc.Name != "Opening hours" || tc.Condition.Kind != flow.CondTime || tc.Condition.Timezone != "America/Montreal" ||
		!slices.Equal(tc.Condition.Params, []string{"08:00-12:00,mon-fri,*,*", "13:00-17:00,mon-fri,*,*"}) {
		t.Errorf("two time ranges leading to the same two objects are one condition: %+v", tc)
	}
	hunt := object(g, "open,s,1")
	if hunt == nil || hunt.Type != flow.TypeHuntlist || hunt.Hunt.Strategy != flow.HuntHunt || hunt.Hunt.RingTime != 15 ||
		!slices.Equal(hunt.Hunt.Members, []string{"201", "202"}) {
		t.Errorf("phones dialled in turn: %+v", hunt)
	}
	agi := object(g, "tc,s,3")
	if agi == nil || agi.Type != flow.TypeCustom || agi.Custom.Kind != flow.CustomAGI || agi.Custom.Description != "Run AGI closed.agi" {
		t.Errorf("AGI: %+v", agi)
	}
	want := []string{"CONDITION tc,s,1 -> HUNTLIST open,s,1", "DID in,100,1 -> CONDITION tc,s,1",
		"HUNTLIST-TIMEOUT open,s,1 -> VOICEMAIL open,s,3", "NOTCONDITION tc,s,1 -> CUSTOM tc,s,3"}
	if got := edges(g); !slices.Equal(got, want) {
		t.Errorf("\n got %q\nwant %q", got, want)
	}
}

// TestBuildLoopsEnd: Goto loops and self-including contexts end.
func TestBuildLoopsEnd(t *testing.T) {
	g := build(t, `[in]
include => in
exten => 100,1,Goto(a,s,1)
[a]
exten => s,1,GotoIf($[${X}]?b,s,1:a,s,1)
[b]
exten => s,1,Goto(a,s,1)
`)
	if len(g.Edges) != 0 {
		t.Errorf("a loop routes the call nowhere: %q", edges(g))
	}
}

// TestDIDWalkSkipsPhoneContexts: the DID walk never enters the contexts
// the phones dial from (their context= and what it includes), neither
// through an include nor through a Goto(ctx,${EXTEN},1), and a context
// named for inbound calls that is one is no inbound route either.
func TestDIDWalkSkipsPhoneContexts(t *testing.T) {
	cases := []struct {
		name, dialplan string
		want           []string
	}{
		{"an inbound context including the internal extensions", `
[in]
include => internal
exten => 5113159600,1,Goto(main,s,1)
[phones]
include => internal
[internal]
exten => 201,1,Dial(SIP/201)
exten => 8500,1,VoiceMailMain()
[main]
exten => s,1,Background(welcome)
 same => n,WaitExten(5)
exten => 1,1,Goto(internal,201,1)
`, []string{"DID in,5113159600,1 -> IVR main,s,1", "IVR_1 main,1,1 -> EXT internal,201,1"}},
		{"a context named for inbound calls that the phones use", `
[from-pstn]
exten => 201,1,Dial(SIP/201)
exten => 202,1,Dial(SIP/202)
[phones]
include => from-pstn
`, nil},
		{"an inbound context the phones include, to try the routes, stays inbound", `
[in]
exten => 5550100,1,Goto(ph,201,1)
[phones]
include => ph
include => in
[ph]
exten => 201,1,Dial(SIP/201)
`, []string{"DID in,5550100,1 -> EXT ph,201,1"}},
		{"a route that hands the number to the phones is one route", `
[in]
exten => _X.,1,Goto(phones,${EXTEN},1)
[phones]
exten => 201,1,Dial(SIP/201)
exten => 202,1,Voicemail(202@default,u)
`, []string{"DID in,_X.,1 -> CUSTOM phones,${EXTEN},1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, e := range edges(build(t, c.dialplan)) {
				if strings.HasPrefix(e, "DID ") || strings.HasPrefix(e, "IVR_") {
					got = append(got, e)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("\n got %q\nwant %q", got, c.want)
			}
		})
	}
}

// TestBuildLegacySeparators: Asterisk 1.4 dialplans separate arguments
// with '|', alone or mixed with ',' (Issabel custom files).
func TestBuildLegacySeparators(t *testing.T) {
	g := build(t, `[in]
exten => 100,1,GotoIfTime(8:00-18:00|mon-fri|*|*?open|s|1)
 same => n,Goto(closed|s|1)
exten => 200,1,GotoIfTime(07:00-22:00|mon-fri|*|*?open,s,1)
 same => n,GotoIf($["${CALLERID(num)}" = "5551234"]?closed|s|1)
 same => n,Macro(night|201)
[open]
exten => s,1,Dial(SIP/201&SIP/202|20|tT)
 same => n,VoiceMail(201@default|u)
[closed]
exten => s,1,Playback(closed)
 same => n,Hangup()
[macro-night]
exten => s,1,Voicemail(${ARG1}|b)
`)
	want := []string{
		"CONDITION in,100,1 -> HUNTLIST open,s,1",
		"CONDITION in,200,1 -> HUNTLIST open,s,1",
		"CONDITION in,200,2 -> PLAYBACK closed,s,1",
		"DID in,100,1 -> CONDITION in,100,1",
		"DID in,200,1 -> CONDITION in,200,1",
		"HUNTLIST-TIMEOUT open,s,1 -> VOICEMAIL open,s,2",
		"NOTCONDITION in,100,1 -> PLAYBACK closed,s,1",
		"NOTCONDITION in,200,1 -> CONDITION in,200,2",
		"NOTCONDITION in,200,2 -> VOICEMAIL macro-night,s,1",
	}
	if got := edges(g); !slices.Equal(got, want) {
		t.Errorf("\n got %q\nwant %q", got, want)
	}
	for _, entry := range []string{"in,100,1", "in,200,1"} {
		var c *flow.Object
		for _, o := range g.Objects {
			if o.Entry == entry && o.Type == flow.TypeCondition {
				c = o
			}
		}
		if c == nil || c.Condition == nil || c.Condition.Kind != flow.CondTime || len(c.Condition.Params) != 1 ||
			!strings.HasSuffix(c.Condition.Params[0], ":00,mon-fri,*,*") {
			t.Errorf("%s: the time range's four fields: %+v", entry, c)
		}
	}
	if h := object(g, "open,s,1"); h == nil || h.Hunt == nil || h.Hunt.RingTime != 20 || !slices.Equal(h.Hunt.Members, []string{"201", "202"}) {
		t.Errorf("Dial(a&b|20|tT): %+v", h)
	}
	if v := object(g, "macro-night,s,1"); v == nil || v.Voicemail == nil || v.Voicemail.Box != "201" || v.Voicemail.Kind != "busy" {
		t.Errorf("Macro(night|201) → VoiceMail(${ARG1}|b): %+v", v)
	}
}

// TestBuildPatternPhones: a phone that only a pattern rings by the number
// dialled is an EXT of its own, as if its extension were written out; a
// phone with an extension of its own is not rung twice.
func TestBuildPatternPhones(t *testing.T) {
	g := build(t, `[phones]
exten => _2XX,1,Dial(SIP/${EXTEN},20)
 same => n,VoiceMail(${EXTEN}@default,u)
exten => 202,1,Dial(SIP/202)
[other]
exten => _X.,1,Dial(SIP/${EXTEN})
`)
	var exts []string
	for _, o := range g.Objects {
		if o.Type == flow.TypeExt {
			exts = append(exts, o.Entry+" "+o.Number)
		}
	}
	slices.Sort(exts)
	if want := []string{"phones,201,1 201", "phones,202,1 202"}; !slices.Equal(exts, want) {
		t.Errorf("EXT objects %q, want %q", exts, want)
	}
	want := []string{"EXT-NOANSWER phones,201,1 -> VOICEMAIL phones,201,2"}
	if got := edges(g); !slices.Equal(got, want) {
		t.Errorf("\n got %q\nwant %q", got, want)
	}
}

// TestBuildPlainFromInternal: a plain Asterisk box that calls its phones'
// context from-internal keeps its objects there; in a FreePBX dialplan
// (it has from-internal-xfer) from-internal* is plumbing.
func TestBuildPlainFromInternal(t *testing.T) {
	plain := `[from-internal]
exten => 201,1,Dial(SIP/201,20)
 same => n,VoiceMail(201@default,u)
`
	want := []string{"EXT-NOANSWER from-internal,201,1 -> VOICEMAIL from-internal,201,2"}
	if got := edges(build(t, plain)); !slices.Equal(got, want) {
		t.Errorf("plain:\n got %q\nwant %q", got, want)
	}
	if got := edges(build(t, plain+"[from-internal-xfer]\ninclude => from-internal\n")); len(got) != 0 {
		t.Errorf("FreePBX: from-internal is no source: %q", got)
	}
}

// pbx_find_extension looks for a priority or label in the context's
// includes when the extension it matched lacks it: the sample
// extensions.conf's [demo] runs Gosub(${EXTEN},stdexten(…)) from 1234,
// and the label lives on _X. in the included [stdexten]; another
// matching pattern of the same context is tried first. Only a label found
// nowhere is reported.
func TestGosubLabelFoundThroughInclude(t *testing.T) {
	src := "[stdexten]\nexten => _X.,50000(stdexten),NoOp(start)\n same => n,Dial(${ARG1},20)\n same => n,Return()\n\n" +
		"[demo]\ninclude => stdexten\nexten => 1234,1,Playback(transfer,skip)\n same => n,Gosub(${EXTEN},stdexten(SIP/201))\n same => n,Hangup()\n" +
		"exten => 1235,1,Gosub(1235,nolabel(SIP/201))\n" +
		"exten => 1236,1,Gosub(1236,vm(SIP/201))\nexten => _123X,1,NoOp()\n same => n(vm),VoiceMail(1236)\n"
	dp := parser.BuildDialplan(parser.Parse("extensions.conf", []byte(src), parser.Options{}))
	_, diags := flow.Build(flow.Input{
		Dialplan: dp,
		Tenants:  []flow.Tenant{{ID: "1", Key: "t", Contexts: []string{"stdexten", "demo"}}},
		Phones:   []flow.Phone{{Tech: "SIP", Name: "201", Number: "201", TenantID: "1", Context: "demo"}},
	})
	var got []string
	for _, d := range diags {
		if strings.Contains(d.Message, "no such priority or label") {
			got = append(got, d.Message)
		}
	}
	if want := []string{"Gosub to 1235,nolabel: no such priority or label"}; !slices.Equal(got, want) {
		t.Errorf("label warnings %q, want %q", got, want)
	}
}

// Asterisk runs the most specific matching pattern (pbx.c ext_cmp), not
// the first in the file: 6001 dialled in [internal] reaches the queue of
// _6XXX, though _[1-9]XXX (a phone) comes first.
func TestMostSpecificPatternWins(t *testing.T) {
	g := build(t, "[menu]\nexten => s,1,Background(menu)\n same => n,WaitExten(5)\nexten => 1,1,Goto(internal,6001,1)\n\n"+
		"[internal]\nexten => _[1-9]XXX,1,Dial(SIP/${EXTEN},20)\n same => n,Hangup()\nexten => _6XXX,1,Queue(${EXTEN})\n same => n,Hangup()\n")
	got := strings.Join(edges(g), "\n")
	if !strings.Contains(got, "IVR_1 menu,1,1 -> QUEUE internal,6001,1") {
		t.Errorf("key 1 should reach the queue of _6XXX; edges:\n%s", got)
	}
}
