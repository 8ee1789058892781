package flow_test

import (
	"fmt"

	"github.com/astapi/astapi/flow"
	"slices"
	"testing"
)

// dialplanCase is one row of a typing table: a dialplan and the lines a
// render function makes of its graph.
type dialplanCase struct {
	name, dialplan string
	want           []string
}

// runCases builds each case's dialplan (see build) and compares render's
// lines with want, both sorted.
func runCases(t *testing.T, cases []dialplanCase, render func(*flow.Graph) []string) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := render(build(t, c.dialplan))
			slices.Sort(got)
			want := slices.Sorted(slices.Values(c.want))
			if !slices.Equal(got, want) {
				t.Errorf("\n got %q\nwant %q", got, want)
			}
		})
	}
}

// edgesAndObjects renders a graph's edges, then its objects.
func edgesAndObjects(g *flow.Graph) []string { return append(edges(g), objects(g)...) }

// TestTyping: what each application, subroutine and jump makes of the
// path from an inbound route, one small dialplan per case, as plain
// Asterisk, Issabel and FreePBX write them.
func TestTyping(t *testing.T) {
	cases := []dialplanCase{
		{"a Gosub that runs off the end of its subroutine returns", `
[in]
exten => 100,1,Gosub(setvars,s,1(x))
 same => n,Dial(SIP/201)
[setvars]
exten => s,1,Set(A=${ARG1})
`, []string{"DID in,100,1 -> EXT in,100,1"}},
		{"Return at the top of an extension hangs up", `
[in]
exten => 100,1,Return()
exten => 101,1,Goto(ph,201,1)
[ph]
exten => 201,1,Dial(SIP/201)
`, []string{"DID in,101,1 -> EXT ph,201,1"}},
		{"Gosub to a FreePBX plumbing macro or sub is stepped over", `
[in]
exten => 100,1,Gosub(macro-user-callerid,s,1(LIMIT))
 same => n,Gosub(sub-record-check,s,1(in,100,dontcare))
 same => n,Dial(SIP/201)
`, []string{"DID in,100,1 -> EXT in,100,1"}},
		{"an empty Gosub is stepped over; one to a missing context is CUSTOM", `
[in]
exten => 100,1,Gosub()
 same => n,Dial(SIP/202)
exten => 101,1,Gosub(nowhere,s,1)
`, []string{"DID in,100,1 -> EXT in,100,1", "DID in,101,1 -> CUSTOM nowhere,s,1"}},
		{"a two-part Gosub into a FreePBX macro's own extension", `
[in]
exten => 100,1,Goto(macro-dial,s,1)
[macro-dial]
exten => s,1,Gosub(dial,1(20,tr,201-202))
exten => dial,1,Return()
`, []string{"DID in,100,1 -> HUNTLIST macro-dial,s,1"}},
		{"Macro of a missing macro, or one without s, is stepped over", `
[in]
exten => 100,1,Macro(nosuch,1)
 same => n,Macro(nos,1)
 same => n,Dial(SIP/201)
[macro-nos]
exten => 1,1,Hangup()
`, []string{"DID in,100,1 -> EXT in,100,1"}},
		{"an IVR key that replays the menu leads to the menu; a test that replays it is no outcome", `
[in]
exten => 100,1,Goto(menu,s,1)
[menu]
exten => s,1,Background(custom/menu)
 same => n,WaitExten(5)
exten => 1,1,Goto(ph,201,1)
exten => 9,1,Goto(menu,s,1)
exten => *,1,Set(X=1)
 same => n,GotoIf($["${X}" = "1"]?s,1:ph,202,1)
[ph]
exten => 201,1,Dial(SIP/201)
exten => 202,1,Dial(SIP/202)
`, []string{"DID in,100,1 -> IVR menu,s,1", "IVR_1 menu,1,1 -> EXT ph,201,1", "IVR_9 menu,9,1 -> IVR menu,s,1", "IVR_STAR menu,*,1 -> EXT ph,202,1"}},
		{"Queue, VoiceMailMain, DISA, ConfBridge, MeetMe", `
[in]
exten => 100,1,Queue(support)
exten => 101,1,VoiceMailMain(@default)
exten => 102,1,DISA(no-password,from-internal)
exten => 103,1,ConfBridge(1)
exten => 104,1,MeetMe(2,M)
exten => support,1,Queue(support)
`, []string{"DID in,100,1 -> QUEUE in,100,1", "DID in,101,1 -> VOICEMAIL in,101,1", "DID in,102,1 -> DISA in,102,1", "DID in,103,1 -> MEETME in,103,1",
			"DID in,104,1 -> MEETME in,104,1", "DID in,support,1 -> QUEUE in,support,1"}},
		{"Read then more dialplan is plumbing; Playback then Goto is an announcement", `
[in]
exten => 100,1,Read(PIN,enter-pin,4)
 same => n,Dial(SIP/201)
exten => 101,1,Playback(hello)
 same => n,Goto(ph,202,1)
exten => 102,1,SayDigits(123)
 same => n,Hangup()
[ph]
exten => 202,1,Dial(SIP/202)
`, []string{"DID in,100,1 -> EXT in,100,1", "DID in,101,1 -> EXT ph,202,1", "DID in,102,1 -> PLAYBACK in,102,1"}},
		{"Playtones not followed by a hangup is plumbing", `
[in]
exten => 100,1,Playtones(ring)
 same => n,Dial(SIP/201)
`, []string{"DID in,100,1 -> EXT in,100,1"}},
		{"an application that ends the extension is CUSTOM; Wait then Hangup ends it too", `
[in]
exten => 100,1,System(/usr/bin/true)
 same => n,Festival(hello)
 same => n,Wait(2)
 same => n,Hangup()
exten => 101,1,EAGI(speech.agi)
exten => 102,1,DeadAGI(old.agi)
 same => n,MacroExit()
`, []string{"DID in,100,1 -> CUSTOM in,100,1", "DID in,101,1 -> CUSTOM in,101,1", "DID in,102,1 -> CUSTOM in,102,1"}},
		{"a prompt in an announcement context is a PLAYBACK", `
[in]
exten => 100,1,Goto(app-announcement-1,s,1)
exten => 101,1,Goto(app-announcement-2,s,1)
[app-announcement-1]
exten => s,1,Answer()
 same => n,Background(custom/closed)
 same => n,Goto(ph,201,1)
[app-announcement-2]
exten => s,1,Playback(custom/open)
 same => n,Goto(ph,201,1)
[ph]
exten => 201,1,Dial(SIP/201)
`, []string{"DID in,100,1 -> PLAYBACK app-announcement-1,s,1", "DID in,101,1 -> PLAYBACK app-announcement-2,s,1"}},
		{"ExecIf runs plumbing, a conditional message, or an application that routes the call", `
[in]
exten => 100,1,ExecIf($["${X}" = "1"]?Set(A=1))
 same => n,ExecIf($["${X}" = "1"]?Macro(user-callerid,LIMIT))
 same => n,ExecIf($["${X}" = "1"]?Gosub(sub-record-check,s,1(in)))
 same => n,ExecIf($["${X}" = "1"]?Playback(please-hold))
 same => n,ExecIf($["${X}" = "1"]?Background(hello))
 same => n,ExecIf($["${X}" = "1"])
 same => n,ExecIf($["${X}" = "1"]?Answer():Set(B=2))
 same => n,Dial(SIP/201)
exten => 101,1,ExecIf($["${CALLERID(num)}" = "5551234"]?Goto(ph,202,1))
 same => n,Dial(SIP/201)
exten => 102,1,ExecIf($["${X}" = "1"]?Gosub(vm,s,1(202)))
 same => n,Dial(SIP/201)
exten => 103,1,ExecIf($["${X}" = "1"]?Macro(hangupcall))
 same => n,Dial(SIP/201)
exten => 104,1,ExecIf($["${X}" = "1"]?Hangup():Dial(SIP/202))
 same => n,Dial(SIP/201)
exten => 105,1,ExecIf($["${X}" = "1"]?DISA(no-password,from-internal))
 same => n,Dial(SIP/201)
exten => 106,1,ExecIf($["${X}" = "1"]?Goto(ph,201,1))
 same => n,Dial(SIP/201)
exten => 107,1,ExecIf($["${X}" = "1"]?Goto(nowhere,s,1))
 same => n,Dial(SIP/202)
exten => 108,1,ExecIfTime(08:00-17:00,mon-fri,*,*?Festival(open))
 same => n,Hangup()
exten => 109,1,ExecIf($["${X}" = "1"]?Macro(nosuchmacro,1))
 same => n,Dial(SIP/202)
[ph]
exten => 201,1,Dial(SIP/201)
exten => 202,1,Dial(SIP/202)
[vm]
exten => s,1,VoiceMail(${ARG1},u)
`, []string{
			"CONDITION in,101,1 -> EXT ph,202,1",
			"CONDITION in,102,1 -> VOICEMAIL vm,s,1",
			"CONDITION in,103,1 -> SPECIAL in,103,1",
			"CONDITION in,104,1 -> SPECIAL in,104,1",
			"CONDITION in,106,1 -> EXT ph,201,1",
			"CONDITION in,108,1 -> CUSTOM in,108,1",
			"DID in,100,1 -> EXT in,100,1",
			"DID in,101,1 -> CONDITION in,101,1",
			"DID in,102,1 -> CONDITION in,102,1",
			"DID in,103,1 -> CONDITION in,103,1",
			"DID in,104,1 -> CONDITION in,104,1",
			"DID in,105,1 -> DISA in,105,1",
			"DID in,106,1 -> CONDITION in,106,1",
			"DID in,107,1 -> EXT in,107,1",
			"DID in,108,1 -> CONDITION in,108,1",
			"DID in,109,1 -> EXT in,109,1",
			"NOTCONDITION in,101,1 -> EXT in,101,2",
			"NOTCONDITION in,102,1 -> EXT in,102,2",
			"NOTCONDITION in,103,1 -> EXT in,103,2",
			"NOTCONDITION in,104,1 -> EXT in,104,2",
			"NOTCONDITION in,106,1 -> EXT in,106,2",
			"NOTCONDITION in,108,1 -> SPECIAL in,108,2",
		}},
		{"ExecIf(…?Background()) in an announcement context, and before a menu's keys", `
[in]
exten => 100,1,Goto(app-announcement-3,s,1)
exten => 101,1,ExecIf($["${X}" = "1"]?Background(nomenu))
 same => n,Dial(SIP/202)
[app-announcement-3]
exten => s,1,ExecIf($["${PLAYED}" = ""]?Background(custom/promo))
 same => n,Goto(ph,201,1)
[ph]
exten => 201,1,Dial(SIP/201)
`, []string{
			"DID in,100,1 -> PLAYBACK app-announcement-3,s,1",
			"DID in,101,1 -> EXT in,101,1",
		}},
		{"GosubIf and GotoIf: a subroutine outcome, a GUI helper that returns, targets known at run time, a Goto loop", `
[in]
exten => 100,1,GosubIf($["${X}" = "1"]?vm,s,1(201):sub-record-check,s,1(in))
 same => n,Dial(SIP/202)
exten => 101,1,GotoIf($["${X}" = "1"]?${DEST}:ph,201,1)
exten => 102,1,GotoIf($["${X}" = "1"]?${DEST}:${OTHER})
exten => 103,1,GotoIf($["${X}" = "1"]?nowhere,s,1)
 same => n,Hangup()
exten => 104,1,GotoIf($["${X}" = "1"]?ph,201,1:ph,201,1)
exten => 105,1,GotoIf($["${X}" = "1"]?${IVR_CONTEXT},return,1:${DEST})
exten => 106,1,Goto(loop,s,1)
exten => 107,1,GotoIf($["${X}" = "1"])
 same => n,Dial(SIP/201)
[loop]
exten => s,1,Goto(loop,s,1)
[ph]
exten => 201,1,Dial(SIP/201)
exten => 202,1,Dial(SIP/202)
[vm]
exten => s,1,VoiceMail(${ARG1},u)
[sub-record-check]
exten => s,1,Return()
`, []string{
			"CONDITION in,100,1 -> VOICEMAIL vm,s,1",
			"DID in,100,1 -> CONDITION in,100,1",
			"DID in,101,1 -> EXT ph,201,1",
			"DID in,102,1 -> CUSTOM ${DEST}",
			"DID in,103,1 -> SPECIAL in,103,1",
			"DID in,104,1 -> EXT ph,201,1",
			"DID in,107,1 -> EXT in,107,1",
			"NOTCONDITION in,100,1 -> EXT in,100,2",
		}},
		{"after a Dial, the DIALSTATUS tests pick the path of each status", `
[in]
exten => 100,1,Goto(ph,201,1)
[ph]
exten => 201,1,Dial(SIP/201,20)
 same => n,GotoIf($["${DIALSTATUS}" = "BUSY"]?busy)
 same => n,GotoIf($["${DIALSTATUS}" != "CHANUNAVAIL"]?na)
 same => n,Hangup()
 same => n(busy),VoiceMail(201,b)
 same => n(na),VoiceMail(201,u)
`, []string{
			"DID in,100,1 -> EXT ph,201,1",
			"EXT-BUSY ph,201,1 -> VOICEMAIL ph,201,5",
			"EXT-NOANSWER ph,201,1 -> VOICEMAIL ph,201,6",
		}},
	}
	runCases(t, cases, edges)
}

// objects renders every object of a graph with what it carries, sorted:
// "TYPE entry #number name" and the details of its type.
func objects(g *flow.Graph) []string {
	var out []string
	for _, o := range g.Objects {
		s := fmt.Sprintf("%s %s #%s %q", o.Type, o.Entry, o.Number, o.Name)
		switch {
		case o.Hunt != nil:
			s += fmt.Sprintf(" %s/%d/%v%q", o.Hunt.Strategy, o.Hunt.RingTime, o.Hunt.CheckInUse, o.Hunt.Members)
		case o.Condition != nil:
			s += fmt.Sprintf(" %s/%s%q", o.Condition.Kind, o.Condition.Timezone, o.Condition.Params)
		case o.Custom != nil:
			s += fmt.Sprintf(" %s/%s", o.Custom.Kind, o.Custom.Description)
		case o.Voicemail != nil:
			s += fmt.Sprintf(" %s@%s/%s", o.Voicemail.Box, o.Voicemail.Context, o.Voicemail.Kind)
		case o.DID != nil:
			d := o.DID
			s += fmt.Sprintf(" rec=%v fax=%v num=%q name=%q%q", d.Recording, d.Fax, d.CIDNumPrefix, d.CIDNamePrefix, d.Trunks)
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// TestTypingObjects: what the objects typed from real-looking dialplans
// carry (numbers, names, ring groups, conditions, custom targets,
// mailboxes, what a DID does before its first object).
func TestTypingObjects(t *testing.T) {
	cases := []dialplanCase{
		{"FreePBX ring groups, one-phone macros, mailboxes, hang-ups and trunk dials", `
[in]
exten => 600,1,Goto(ext-group,600,1)
exten => 601,1,Goto(ext-group,601,1)
exten => 602,1,Goto(ext-group,602,1)
exten => 603,1,Macro(dial-one,,tr,202)
exten => 604,1,Macro(vm,201@office,BUSY)
exten => 605,1,Macro(vm,202,NOANSWER)
exten => 606,1,Macro(vm,201,DIRECTDIAL)
exten => 607,1,Macro(hangupcall,)
exten => 608,1,Macro(dialout-trunk,2,5145550000,,off)
exten => 609,1,Gosub(macro-outisbusy,s,1())
[ext-group] ; Ring groups
exten => 600,1,Set(RingGroupMethod=hunt)
 same => n,Macro(dial,20,tr,201-202)
exten => 601,1,Set(RingGroupMethod=firstavailable)
 same => n,Set(RingGroupMethod=memoryhunt-prim)
 same => n,Macro(dial-confirm,x,tr,201-5145550000#-)
exten => 602,1,Set(__CWIGNORE=TRUE)
 same => n,Set(RingGroupMethod=bogus)
 same => n,Macro(dial,15,tr,202-201)
`, []string{
			"CUSTOM in,608,1 # \"in,608\" FORWARD/Forward call to 5145550000 through a trunk",
			"DID in,600,1 #600 \"in,600\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,601,1 #601 \"in,601\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,602,1 #602 \"in,602\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,603,1 #603 \"in,603\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,604,1 #604 \"in,604\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,605,1 #605 \"in,605\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,606,1 #606 \"in,606\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,607,1 #607 \"in,607\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,608,1 #608 \"in,608\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,609,1 #609 \"in,609\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"EXT in,603,1 #202 \"in,603\"",
			"HUNTLIST ext-group,600,1 #600 \"ext-group,600\" HUNT/20/false[\"201\" \"202\"]",
			"HUNTLIST ext-group,601,1 #601 \"ext-group,601\" MEMORYHUNT/0/false[\"201\" \"5145550000\"]",
			"HUNTLIST ext-group,602,1 #602 \"ext-group,602\" RINGALL/15/true[\"202\" \"201\"]",
			"SPECIAL in,607,1 # \"in,607\"",
			"SPECIAL in,609,1 # \"in,609\"",
			"VOICEMAIL in,604,1 #201 \"in,604\" 201@office/busy",
			"VOICEMAIL in,605,1 #202 \"in,605\" 202@default/unavail",
			"VOICEMAIL in,606,1 #201 \"in,606\" 201@default/",
		}},
		{"Dial items: Local channels, ${HINT}, a trunk by name, a device that cannot be resolved", `
[in]
exten => 100,1,Dial(Local/201@from-internal)
exten => 101,1,Dial(Local/5145550000@outbound)
exten => 102,1,Dial(Local/${NUM}@outbound)
exten => 103,1,Goto(ph,201,1)
exten => 104,1,Dial(SIP/carrier)
exten => 105,1,Dial(IAX2/office&DAHDI)
exten => 106,1,Dial(SIP/${PEER})
exten => 107,1,Dial(SIP/201&SIP/carrier/5145550000,25)
exten => 108,1,Dial(5145550000@carrier)
exten => 109,1,Dial(Local/201#@from-internal)
[ph]
exten => 201,hint,SIP/202
exten => 201,1,Dial(${HINT},20)
`, []string{
			"CUSTOM in,101,1 # \"in,101\" FORWARD/Forward call to 5145550000",
			"CUSTOM in,102,1 # \"in,102\" UNKNOWN/Dial Local/${NUM}@outbound",
			"CUSTOM in,104,1 # \"in,104\" FORWARD/Forward call to carrier",
			"CUSTOM in,105,1 # \"in,105\" UNKNOWN/Dial IAX2/office&DAHDI",
			"CUSTOM in,106,1 # \"in,106\" UNKNOWN/Dial SIP/${PEER}",
			"CUSTOM in,108,1 # \"in,108\" UNKNOWN/Dial 5145550000@carrier",
			"CUSTOM in,109,1 # \"in,109\" FORWARD/Forward call to 201",
			"DID in,100,1 #100 \"in,100\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,101,1 #101 \"in,101\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,102,1 #102 \"in,102\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,103,1 #103 \"in,103\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,104,1 #104 \"in,104\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,105,1 #105 \"in,105\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,106,1 #106 \"in,106\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,107,1 #107 \"in,107\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,108,1 #108 \"in,108\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,109,1 #109 \"in,109\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"EXT in,100,1 #201 \"in,100\"",
			"EXT ph,201,1 #202 \"ph,201\"",
			"HUNTLIST in,107,1 #107 \"in,107\" RINGALL/25/false[\"201\" \"5145550000\"]",
		}},
		{"voicemail boxes as Asterisk 1.2 to 20 write them", `
[in]
exten => 100,1,VoiceMail(u201)
exten => 101,1,VoiceMail(b202@office)
exten => 102,1,VoiceMail(201&202,s)
exten => 103,1,VoiceMail(s)
exten => 104,1,VoiceMail(201,su)
exten => 105,1,VoiceMail(202)
`, []string{
			"DID in,100,1 #100 \"in,100\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,101,1 #101 \"in,101\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,102,1 #102 \"in,102\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,103,1 #103 \"in,103\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,104,1 #104 \"in,104\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,105,1 #105 \"in,105\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"VOICEMAIL in,100,1 #201 \"in,100\" 201@default/unavail",
			"VOICEMAIL in,101,1 #202 \"in,101\" 202@office/busy",
			"VOICEMAIL in,102,1 #201 \"in,102\" 201@default/",
			"VOICEMAIL in,103,1 #s \"in,103\" s@default/",
			"VOICEMAIL in,104,1 #201 \"in,104\" 201@default/unavail",
			"VOICEMAIL in,105,1 #202 \"in,105\" 202@default/",
		}},
		{"what a DID does before its first object: recording, fax, caller-ID prefixes", `
[in]
exten => 100,1,Gosub(sub-record-check,s,1(in,100,yes))
 same => n,Macro(prepend-cid,Sales:)
 same => n,Dial(SIP/201)
exten => 101,1,Set(__REC_POLICY_MODE=ALWAYS)
 same => n,Gosub(sub-prepend-cid,s,1(Support:))
 same => n,Set(FAXEXTEN=fax)
 same => n,Dial(SIP/201)
exten => 102,1,ExecIf($["${X}" = ""]?Gosub(sub-record-check,s,1(in,102,force)))
 same => n,Set(_RGPREFIX=VIP:)
 same => n,Set(CALLERID(num)=+1${CALLERID(num)})
 same => n,ReceiveFax(/tmp/fax.tif)
exten => 103,1,Monitor(wav,in)
 same => n,Set(CALLERID(name)=${CALLERID(name)})
 same => n,Set(__RGPREFIX= Night: )
 same => n,Gosub(sub-record-check,s,1(in,103,dontcare))
 same => n,Dial(SIP/202)
exten => 104,1,Set(CALLERID(number)=9${CALLERID(num)})
 same => n,NVFaxDetect(5)
 same => n,Set(__REC_POLICY_MODE=never)
 same => n,Gosub(sub-record-check,s,1(in,104,always))
 same => n,Dial(SIP/202)
[sub-record-check]
exten => s,1,Return()
[sub-prepend-cid]
exten => s,1,Return()
[macro-prepend-cid]
exten => s,1,Set(CALLERID(name)=${ARG1}${CALLERID(name)})
`, []string{
			"CUSTOM in,102,1 # \"in,102\" APPLICATION/Run application ReceiveFax",
			"DID in,100,1 #100 \"in,100\" rec=true fax=false num=\"\" name=\"Sales:\"[\"carrier\"]",
			"DID in,101,1 #101 \"in,101\" rec=true fax=true num=\"\" name=\"Support:\"[\"carrier\"]",
			"DID in,102,1 #102 \"in,102\" rec=true fax=true num=\"+1\" name=\"VIP:\"[\"carrier\"]",
			"DID in,103,1 #103 \"in,103\" rec=true fax=false num=\"\" name=\"Night:\"[\"carrier\"]",
			"DID in,104,1 #104 \"in,104\" rec=true fax=true num=\"9\" name=\"\"[\"carrier\"]",
			"EXT in,100,1 #201 \"in,100\"",
			"EXT in,101,1 #201 \"in,101\"",
			"EXT in,103,1 #202 \"in,103\"",
			"EXT in,104,1 #202 \"in,104\"",
		}},
		{"names: FreePBX's Noop lines, a context's header comment or the comment line under it", `
[in]
exten => 100,1,Goto(app-announcement-1,s,1)
exten => 101,1,Goto(menu,s,1)
exten => 102,1,Goto(lonely,55,1)
exten => 103,1,Goto(ext-miscdests,1,1)
exten => 104,1,Goto(ext-meetme,300,1)
exten => 105,1,Goto(ext-meetme,301,1)
exten => 106,1,Goto(ext-miscdests,2,1)
exten => 107,1,Goto(ext-miscdests,3,1)
exten => 108,1,Goto(sales,s,1)
exten => 109,1,Goto(rule,s,1)
[app-announcement-1]
exten => s,1,Noop(Playing announcement Closed for lunch)
 same => n,Playback(custom/lunch)
 same => n,Hangup()
[menu]
; Main menu
exten => s,1,Background(custom/menu)
 same => n,WaitExten(5)
exten => 1,1,Dial(SIP/201)
[lonely]
;-- not a name --;
exten => 55,1,Dial(SIP/202)
[sales] ; Sales menu
exten => s,1,Background(custom/sales)
 same => n,WaitExten(5)
exten => 2,1,Dial(SIP/202)
[rule]
; ====
exten => s,1,Queue(rule)
[ext-miscdests]
exten => 1,1,Noop(MiscDest: Weather)
 same => n,Goto(from-internal,95145550000,1)
exten => 2,1,Noop(MiscDest: Reception)
 same => n,Goto(from-internal,201,1)
exten => 3,1,Noop(MiscDest: Nowhere)
 same => n,Goto(from-internal,${NUM},1)
[from-internal]
include => outbound-allroutes
exten => 201,1,Dial(SIP/201)
[from-internal-xfer]
include => from-internal
[outbound-allroutes]
include => outrt-1
[outrt-1]
exten => _9NXXNXXXXXX,1,Macro(dialout-trunk,1,${EXTEN:1},,off)
[ext-meetme]
exten => 300,1,Macro(user-callerid,)
 same => n,Goto(STARTMEETME,1)
exten => 301,1,Goto(STARTMEETME,1)
exten => STARTMEETME,1,MeetMe(${MEETME_ROOMNUM},${MEETME_OPTS})
`, []string{
			"CUSTOM ext-miscdests,1,1 # \"Weather\" FORWARD/Forward call to 5145550000 through a trunk",
			"CUSTOM from-internal,${NUM},1 # \"from-internal,${NUM},1\" UNKNOWN/Go to from-internal,${NUM},1",
			"DID in,100,1 #100 \"in,100\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,101,1 #101 \"in,101\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,102,1 #102 \"in,102\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,103,1 #103 \"in,103\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,104,1 #104 \"in,104\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,105,1 #105 \"in,105\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,106,1 #106 \"in,106\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,107,1 #107 \"in,107\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,108,1 #108 \"in,108\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,109,1 #109 \"in,109\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"EXT from-internal,201,1 #201 \"from-internal,201\"",
			"EXT lonely,55,1 #202 \"lonely,55\"",
			"EXT menu,1,1 #201 \"menu,1\"",
			"EXT sales,2,1 #202 \"sales,2\"",
			"IVR menu,s,1 # \"Main menu\"",
			"IVR sales,s,1 # \"Sales menu\"",
			"MEETME ext-meetme,300,1 # \"ext-meetme,300\"",
			"MEETME ext-meetme,301,1 # \"ext-meetme,301\"",
			"PLAYBACK app-announcement-1,s,1 # \"Closed for lunch\"",
			"QUEUE rule,s,1 #rule \"rule,s\"",
		}},
		{"FreePBX extensions: Macro(exten-vm) and its Gosub form ring the phone numbered by the second argument", `
[in]
exten => 100,1,Goto(ext-local,201,1)
exten => 101,1,Goto(ext-local,202,1)
exten => 102,1,Goto(ext-local,299,1)
[ext-local]
exten => 201,1,Macro(exten-vm,201,201,0,0,0)
exten => 202,1,Gosub(macro-exten-vm,s,1(novm,202,0,0,0))
exten => 299,1,Macro(exten-vm,novm,299)
[from-internal-xfer]
`, []string{
			"DID in,100,1 #100 \"in,100\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,101,1 #101 \"in,101\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,102,1 #102 \"in,102\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"EXT ext-local,201,1 #201 \"ext-local,201\"",
			"EXT ext-local,202,1 #202 \"ext-local,202\"",
			"EXT ext-local,299,1 #299 \"ext-local,299\"",
		}},
		{"ExecIfTime runs an application in business hours", `
[in]
exten => 100,1,ExecIfTime(08:00-17:00,mon-fri,*,*,Europe/Paris?Festival(open))
 same => n,Hangup()
exten => 101,1,ExecIf($["${DAYNIGHT}" = "DAY"]?Queue(day))
 same => n,Hangup()
exten => 102,1,GotoIf($["${X}" > "1"]?ph,201,1)
 same => n,Hangup()
exten => 103,1,GotoIfTime(*,sat?ph,201,1)
 same => n,Hangup()
[ph]
exten => 201,1,Dial(SIP/201)
`, []string{
			"CONDITION in,100,1 # \"in,100\" TIME/Europe/Paris[\"08:00-17:00,mon-fri,*,*\"]",
			"CONDITION in,101,1 # \"in,101\" DAYNIGHT/[\"$[\\\"${DAYNIGHT}\\\" = \\\"DAY\\\"]\"]",
			"CONDITION in,102,1 # \"in,102\" EXPRESSION/[\"$[\\\"${X}\\\" > \\\"1\\\"]\"]",
			"CONDITION in,103,1 # \"in,103\" TIME/[\"*,sat,*,*\"]",
			"CUSTOM in,100,1 # \"in,100\" APPLICATION/Run application Festival",
			"DID in,100,1 #100 \"in,100\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,101,1 #101 \"in,101\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,102,1 #102 \"in,102\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,103,1 #103 \"in,103\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"EXT ph,201,1 #201 \"ph,201\"",
			"QUEUE in,101,1 #101 \"in,101\"",
			"SPECIAL in,100,2 # \"in,100\"",
			"SPECIAL in,101,2 # \"in,101\"",
			"SPECIAL in,102,2 # \"in,102\"",
			"SPECIAL in,103,2 # \"in,103\"",
		}},
	}
	runCases(t, cases, objects)
}

// TestTypingOrder: what depends on the order of extensions and patterns.
func TestTypingOrder(t *testing.T) {
	cases := []dialplanCase{
		{"one IVR per context, anchored at its first extension whatever the order routes reach it", `
[in]
exten => 100,1,Goto(menu,again,1)
exten => 101,1,Goto(menu,s,1)
[menu]
exten => s,1,Background(custom/menu)
 same => n,WaitExten(5)
exten => again,1,WaitExten(5)
exten => 1,1,Dial(SIP/201)
`, []string{
			"DID in,100,1 -> IVR menu,s,1",
			"DID in,101,1 -> IVR menu,s,1",
			"IVR_1 menu,1,1 -> EXT menu,1,1",
			"DID in,100,1 #100 \"in,100\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,101,1 #101 \"in,101\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"EXT menu,1,1 #201 \"menu,1\"",
			"IVR menu,s,1 # \"menu,s\"",
		}},
		{"a label the extension lacks is looked for in the matching patterns, the most specific first, whatever the file order", `
[in]
exten => 100,1,Gosub(ph,6001,vm(201))
exten => 101,1,Gosub(ph,7001,vm(202))
exten => 102,1,Gosub(ph2,6001,vm(202))
[ph]
exten => 6001,1,Dial(SIP/201)
exten => _X.,1,NoOp()
 same => n(vm),VoiceMail(${ARG1},b)
exten => _6XXX,1,NoOp()
 same => n(vm),VoiceMail(${ARG1},u)
[ph2]
exten => 6001,1,Dial(SIP/202)
exten => _6XXX,1,NoOp()
 same => n(vm),VoiceMail(${ARG1},u)
exten => _X.,1,NoOp()
 same => n(vm),VoiceMail(${ARG1},b)
`, []string{
			"DID in,100,1 -> VOICEMAIL ph,6001,1",
			"DID in,101,1 -> VOICEMAIL ph,7001,1",
			"DID in,102,1 -> VOICEMAIL ph2,6001,1",
			"DID in,100,1 #100 \"in,100\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,101,1 #101 \"in,101\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,102,1 #102 \"in,102\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"EXT ph,6001,1 #201 \"ph,6001\"",
			"EXT ph2,6001,1 #202 \"ph2,6001\"",
			"VOICEMAIL ph,6001,1 #201 \"ph,6001\" 201@default/unavail",
			"VOICEMAIL ph,7001,1 #202 \"ph,7001\" 202@default/busy",
			"VOICEMAIL ph2,6001,1 #202 \"ph2,6001\" 202@default/unavail",
		}},
		{"a trunk context that hands every number to a DID context", `
[in]
exten => _X.,1,Set(GROUP()=in)
 same => n,Goto(did-routes,${EXTEN},1)
[did-routes]
exten => 5145550000,1,Dial(SIP/201)
exten => 5145550001,1,Dial(SIP/5145550001@carrier)
`, []string{
			"DID did-routes,5145550000,1 -> EXT did-routes,5145550000,1",
			"DID did-routes,5145550001,1 -> CUSTOM did-routes,5145550001,1",
			"CUSTOM did-routes,5145550001,1 # \"did-routes,5145550001\" FORWARD/Forward call to 5145550001",
			"DID did-routes,5145550000,1 #5145550000 \"did-routes,5145550000\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID did-routes,5145550001,1 #5145550001 \"did-routes,5145550001\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"EXT did-routes,5145550000,1 #201 \"did-routes,5145550000\"",
		}},
	}
	runCases(t, cases, edgesAndObjects)
}
