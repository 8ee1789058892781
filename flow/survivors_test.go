package flow_test

import (
	"slices"
	"testing"

	"github.com/astapi/astapi/flow"
	"github.com/astapi/astapi/parser"
)

// Tests written against the mutants of ./flow that survived `make
// mutate`: each dialplan is a case real installs write that pins one
// rule a one-line bug would break unnoticed.

func TestSurvivorRules(t *testing.T) {
	cases := []dialplanCase{
		{"FreePBX voicemail after an extension: the dial status picks the greeting, one mailbox for both outcomes", `
[in]
exten => 100,1,Goto(ext-local,201,1)
exten => 101,1,Goto(ext-local,202,1)
exten => 102,1,Macro(vm,201,BUSY)
[ext-local]
exten => 201,1,Macro(exten-vm,201,201,0,0,0)
 same => n(dest),Macro(vm,201,${DIALSTATUS},${IVR_RETVM})
exten => 202,1,Macro(exten-vm,202,202,0,0,0)
 same => n(dest),Macro(vm,202)
`, []string{
			"DID in,100,1 -> EXT ext-local,201,1",
			"DID in,101,1 -> EXT ext-local,202,1",
			"DID in,102,1 -> VOICEMAIL in,102,1",
			"EXT-BUSY ext-local,201,1 -> VOICEMAIL ext-local,201,2",
			"EXT-BUSY ext-local,202,1 -> VOICEMAIL ext-local,202,2",
			"EXT-NOANSWER ext-local,201,1 -> VOICEMAIL ext-local,201,2",
			"EXT-NOANSWER ext-local,202,1 -> VOICEMAIL ext-local,202,2",
			"DID in,100,1 #100 \"in,100\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,101,1 #101 \"in,101\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,102,1 #102 \"in,102\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"EXT ext-local,201,1 #201 \"ext-local,201\"",
			"EXT ext-local,202,1 #202 \"ext-local,202\"",
			"VOICEMAIL ext-local,201,2 #201 \"ext-local,201\" 201@default/",
			"VOICEMAIL ext-local,202,2 #202 \"ext-local,202\" 202@default/",
			"VOICEMAIL in,102,1 #201 \"in,102\" 201@default/busy",
		}},
		{"a catch-all that plays a message and hangs up is no route; one key is no menu by itself", `
[in]
exten => _X.,1,Playback(ss-noservice)
 same => n,Hangup()
exten => 100,1,Goto(k,1,1)
exten => 101,1,Goto(closed,s,1)
exten => 102,1,Read(PIN,enter-pin)
 same => n,Hangup()
[k]
exten => 1,1,Background(custom/thanks)
 same => n,Hangup()
[closed]
exten => s,1,Background(custom/closed)
 same => n,Hangup()
exten => i,1,Hangup()
exten => h,1,Hangup()
`, []string{
			"DID in,100,1 -> PLAYBACK k,1,1",
			"DID in,101,1 -> PLAYBACK closed,s,1",
			"DID in,102,1 -> SPECIAL in,102,1",
			"DID in,100,1 #100 \"in,100\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,101,1 #101 \"in,101\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,102,1 #102 \"in,102\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"PLAYBACK closed,s,1 # \"closed,s\"",
			"PLAYBACK k,1,1 # \"k,1\"",
			"SPECIAL in,102,1 # \"in,102\"",
		}},
		{"a DID's caller-ID name prefix survives a Set that only copies the name", `
[in]
exten => 100,1,Set(_RGPREFIX=VIP:)
 same => n,Set(CALLERID(name)=${CALLERID(name)})
 same => n,Macro(prepend-cid)
 same => n,Dial(SIP/201)
`, []string{
			"DID in,100,1 -> EXT in,100,1",
			"DID in,100,1 #100 \"in,100\" rec=false fax=false num=\"\" name=\"VIP:\"[\"carrier\"]",
			"EXT in,100,1 #201 \"in,100\"",
		}},
		{"merged time ranges keep the first timezone set", `
[in]
exten => 100,1,GotoIfTime(08:00-12:00,mon-fri,*,*?open,s,1)
 same => n,GotoIfTime(13:00-17:00,mon-fri,*,*,America/Toronto?open,s,1)
 same => n,VoiceMail(201,u)
exten => 101,1,GotoIfTime(08:00-12:00,sat,*,*,Europe/Paris?open,s,1)
 same => n,GotoIfTime(13:00-17:00,sat,*,*,America/Toronto?open,s,1)
 same => n,VoiceMail(201,u)
[open]
exten => s,1,Dial(SIP/201)
`, []string{
			"CONDITION in,100,1 -> EXT open,s,1",
			"CONDITION in,101,1 -> EXT open,s,1",
			"DID in,100,1 -> CONDITION in,100,1",
			"DID in,101,1 -> CONDITION in,101,1",
			"NOTCONDITION in,100,1 -> VOICEMAIL in,100,3",
			"NOTCONDITION in,101,1 -> VOICEMAIL in,101,3",
			"CONDITION in,100,1 # \"in,100\" TIME/America/Toronto[\"08:00-12:00,mon-fri,*,*\" \"13:00-17:00,mon-fri,*,*\"]",
			"CONDITION in,101,1 # \"in,101\" TIME/Europe/Paris[\"08:00-12:00,sat,*,*\" \"13:00-17:00,sat,*,*\"]",
			"DID in,100,1 #100 \"in,100\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,101,1 #101 \"in,101\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"EXT open,s,1 #201 \"open,s\"",
			"VOICEMAIL in,100,3 #201 \"in,100\" 201@default/unavail",
			"VOICEMAIL in,101,3 #201 \"in,101\" 201@default/unavail",
		}},
		{"ExecIf in an IVR key: a jump back to the menu is no outcome; a Gosub to nowhere is none either", `
[in]
exten => 100,1,Goto(menu,s,1)
exten => 101,1,ExecIf($["${X}" = "1"]?Gosub(nowhere,s,1))
 same => n,Dial(SIP/201)
exten => 102,1,Macro(dial-one,,tr)
[menu]
exten => s,1,Background(custom/menu)
 same => n,WaitExten(5)
exten => *,1,ExecIf($["${TRIES}" < "3"]?Goto(menu,s,1))
 same => n,Dial(SIP/202)
exten => #,1,ExecIf($["${X}" = "1"]?Dial(SIP/201):Goto(menu,s,1))
 same => n,Goto(menu,s,1)
`, []string{
			"DID in,100,1 -> IVR menu,s,1",
			"DID in,101,1 -> EXT in,101,1",
			"DID in,102,1 -> EXT in,102,1",
			"EXT-NOANSWER menu,#,1 -> IVR menu,s,1",
			"IVR_SHARP menu,#,1 -> EXT menu,#,1",
			"IVR_STAR menu,*,1 -> EXT menu,*,2",
			"DID in,100,1 #100 \"in,100\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,101,1 #101 \"in,101\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,102,1 #102 \"in,102\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"EXT in,101,1 #201 \"in,101\"",
			"EXT in,102,1 # \"in,102\"",
			"EXT menu,#,1 #201 \"menu,#\"",
			"EXT menu,*,2 #202 \"menu,*\"",
			"IVR menu,s,1 # \"menu,s\"",
		}},
		{"an extension with only a hint is not the one Asterisk runs: the pattern is", `
[in]
exten => 100,1,Goto(ph,201,1)
[ph]
exten => 201,hint,SIP/201
exten => 202,hint,SIP/202
exten => _2XX,1,Dial(SIP/${EXTEN},20)
`, []string{
			"DID in,100,1 -> EXT ph,201,1",
			"DID in,100,1 #100 \"in,100\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"EXT ph,201,1 #201 \"ph,201\"",
			"EXT ph,202,1 #202 \"ph,202\"",
		}},
		{"a GosubIf on follow-me's state calls the subroutine of the normal case, with its arguments", `
[in]
exten => 100,1,GosubIf($["${DB(AMPUSER/201/followme/ddial)}" = "EXTENSION"]?vm,s,1(201))
 same => n,Hangup()
[vm]
exten => s,1,VoiceMail(${ARG1},u)
 same => n,Return()
`, []string{
			"DID in,100,1 -> VOICEMAIL vm,s,1",
			"DID in,100,1 #100 \"in,100\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"VOICEMAIL vm,s,1 #201 \"vm,s\" 201@default/unavail",
		}},
		{"a route's greeting that hands the call on belongs to the route; reached from elsewhere it is an announcement", `
[in]
exten => 100,1,Playback(custom/welcome)
 same => n,Goto(ph,201,1)
exten => 101,1,GotoIf($["${NIGHT}" = "1"]?in,100,1:ph,202,1)
[ph]
exten => 201,1,Dial(SIP/201)
exten => 202,1,Dial(SIP/202)
`, []string{
			"CONDITION in,101,1 -> PLAYBACK in,100,1",
			"DID in,100,1 -> EXT ph,201,1",
			"DID in,101,1 -> CONDITION in,101,1",
			"NOTCONDITION in,101,1 -> EXT ph,202,1",
			"CONDITION in,101,1 # \"in,101\" EXPRESSION/[\"$[\\\"${NIGHT}\\\" = \\\"1\\\"]\"]",
			"DID in,100,1 #100 \"in,100\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,101,1 #101 \"in,101\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"EXT ph,201,1 #201 \"ph,201\"",
			"EXT ph,202,1 #202 \"ph,202\"",
			"PLAYBACK in,100,1 # \"in,100\"",
		}},
		{"what follows a Dial through a test that is no condition depends on the dial status", `
[in]
exten => 100,1,Goto(ph,201,1)
[ph]
exten => 201,1,Dial(SIP/201,20)
 same => n,GotoIf($["${X}" = "1"]?${DEST}:dialresult,s,1)
[dialresult]
exten => s,1,GotoIf($["${DIALSTATUS}" = "BUSY"]?busy,1)
 same => n,VoiceMail(201,u)
exten => busy,1,VoiceMail(201,b)
`, []string{
			"DID in,100,1 -> EXT ph,201,1",
			"EXT-BUSY ph,201,1 -> VOICEMAIL dialresult,busy,1",
			"EXT-NOANSWER ph,201,1 -> VOICEMAIL dialresult,s,2",
			"DID in,100,1 #100 \"in,100\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"EXT ph,201,1 #201 \"ph,201\"",
			"VOICEMAIL dialresult,busy,1 #201 \"dialresult,busy\" 201@default/busy",
			"VOICEMAIL dialresult,s,2 #201 \"dialresult,s\" 201@default/unavail",
		}},
		{"a macro that tests before leaving a message leaves it in each caller's box", `
[in]
exten => 100,1,Macro(leavemsg,201)
exten => 101,1,Macro(leavemsg,202)
[macro-leavemsg]
exten => s,1,GotoIf($["${VMOFF}" = "1"]?${DEST}:msg,1)
exten => msg,1,VoiceMail(${ARG1},u)
`, []string{
			"DID in,100,1 -> VOICEMAIL macro-leavemsg,msg,1",
			"DID in,101,1 -> VOICEMAIL macro-leavemsg,msg,1",
			"DID in,100,1 #100 \"in,100\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,101,1 #101 \"in,101\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"VOICEMAIL macro-leavemsg,msg,1 #201 \"macro-leavemsg,msg\" 201@default/unavail",
			"VOICEMAIL macro-leavemsg,msg,1 #202 \"macro-leavemsg,msg\" 202@default/unavail",
		}},
		{"Gosub with empty arguments: ${ARG1} is empty", `
[in]
exten => 100,1,Gosub(greet,s,1())
[greet]
exten => s,1,GotoIf($["${ARG1}" = ""]?ph,201,1:ph,202,1)
[ph]
exten => 201,1,Dial(SIP/201)
exten => 202,1,Dial(SIP/202)
`, []string{
			"CONDITION greet,s,1 # \"greet,s\" EXPRESSION/[\"$[\\\"\\\" = \\\"\\\"]\"]",
			"CONDITION greet,s,1 -> EXT ph,201,1",
			"DID in,100,1 #100 \"in,100\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,100,1 -> CONDITION greet,s,1",
			"EXT ph,201,1 #201 \"ph,201\"",
			"EXT ph,202,1 #202 \"ph,202\"",
			"NOTCONDITION greet,s,1 -> EXT ph,202,1",
		}},
		{"a FreePBX ring group is one, whether its extension dials it with or without confirmation", `
[in]
exten => 600,1,Goto(ext-group,600,1)
[ext-group]
exten => 600,1,Set(RingGroupMethod=ringall)
 same => n,GotoIf($["${RGCONFIRM}" = "TRUE"]?confirm)
 same => n,Macro(dial,20,tr,201-202)
 same => n,Hangup()
 same => n(confirm),Macro(dial-confirm,20,tr,201-202)
 same => n,Hangup()
`, []string{
			"DID in,600,1 #600 \"in,600\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,600,1 -> HUNTLIST ext-group,600,1",
			"HUNTLIST ext-group,600,1 #600 \"ext-group,600\" RINGALL/20/false[\"201\" \"202\"]",
			"HUNTLIST-TIMEOUT ext-group,600,3 -> SPECIAL ext-group,600,6",
			"SPECIAL ext-group,600,6 # \"ext-group,600\"",
		}},
		{"a greeting in a context with one-key extensions is a menu, even without WaitExten", `
[in]
exten => 100,1,Goto(menu,s,1)
[menu]
exten => s,1,Answer()
 same => n,Background(custom/menu)
exten => 1,1,Dial(SIP/201)
`, []string{
			"DID in,100,1 #100 \"in,100\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
			"DID in,100,1 -> IVR menu,s,1",
			"EXT menu,1,1 #201 \"menu,1\"",
			"IVR menu,s,1 # \"menu,s\"",
			"IVR_1 menu,1,1 -> EXT menu,1,1",
		}},
	}
	runCases(t, cases, edgesAndObjects)
}

// A FreePBX trunk without context= brings calls to from-trunk-TECH-NAME:
// its DIDs name it.
func TestTrunkOwnContext(t *testing.T) {
	dp := parser.BuildDialplan(parser.Parse("extensions.conf", []byte(`[from-trunk-sip-voipco]
exten => 5145550100,1,Goto(ph,201,1)
[from-pstn]
exten => 5145550102,1,Goto(${NIGHT_DEST})
[ph]
exten => 201,1,Dial(SIP/201)
`), parser.Options{}))
	g, _ := flow.Build(flow.Input{Dialplan: dp,
		Tenants: []flow.Tenant{{ID: "1", Key: "t", Contexts: []string{"ph"}}},
		Phones:  []flow.Phone{{Tech: "SIP", Name: "201", Number: "201", TenantID: "1", Context: "ph"}},
		Trunks:  []flow.Trunk{{Tech: "SIP", Name: "voipco", TenantID: "1"}}})
	did := object(g, "from-trunk-sip-voipco,5145550100,1")
	if did == nil || !slices.Equal(did.DID.Trunks, []string{"voipco"}) {
		t.Errorf("DID %+v", did)
	}
	// With one tenant, what no rule gives a tenant is that tenant's: a
	// route of a context named for inbound calls, to a target known at
	// run time.
	if did := object(g, "from-pstn,5145550102,1"); did == nil || did.TenantID != "1" {
		t.Errorf("DID of from-pstn: %+v", did)
	}
}

// Two tenants may both number a phone 201: a FreePBX macro naming 201
// rings the phone of the tenant owning the context it runs in.
func TestSameNumberTwoTenants(t *testing.T) {
	dp := parser.BuildDialplan(parser.Parse("extensions.conf", []byte(`[acme]
exten => 201,1,Macro(exten-vm,novm,201)
[beta]
exten => 201,1,Macro(exten-vm,novm,201)
`), parser.Options{}))
	g, _ := flow.Build(flow.Input{Dialplan: dp,
		Tenants: []flow.Tenant{{ID: "1", Key: "acme", Contexts: []string{"acme"}}, {ID: "2", Key: "beta", Contexts: []string{"beta"}}},
		Phones: []flow.Phone{{Tech: "SIP", Name: "acme-201", Number: "201", TenantID: "1", Context: "acme"},
			{Tech: "SIP", Name: "beta-201", Number: "201", TenantID: "2", Context: "beta"}}})
	if got, want := tenantObjects(g), []string{"1 EXT acme,201,1", "2 EXT beta,201,1"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// A priority written with Gosub-style arguments, Goto(ctx,s,1(x)), is
// priority 1 to Asterisk (pbx_parseable_goto reads the number): the
// arguments are dropped, as a Gosub's are.
func TestGotoPriorityWithArguments(t *testing.T) {
	g := build(t, `
[in]
exten => 100,1,Goto(menu,s,1(from-did))
[menu]
exten => s,1,Dial(SIP/201)
`)
	if got, want := edges(g), []string{"DID in,100,1 -> EXT menu,s,1"}; !slices.Equal(got, want) {
		t.Errorf("edges %q, want %q", got, want)
	}
}

// A jump to another extension of the context that a pattern matches
// runs the pattern with the number jumped to (${EXTEN}); within one
// extension, the number it was reached with.
func TestJumpNumber(t *testing.T) {
	g := build(t, `
[in]
exten => 5145550100,1,Goto(201,1)
exten => 5145550101,1,Goto(ext,202,1)
exten => _2XX,1,Dial(SIP/${EXTEN})
[ext]
exten => _2XX,1,Set(TRIES=0)
 same => n,Goto(3)
 same => n,Dial(SIP/${EXTEN})
`)
	// The pattern is a route of its own too, to a phone known at run time
	// only; phone 202 has no extension but the pattern's.
	if got, want := edgesAndObjects(g), []string{
		"DID in,5145550100,1 -> EXT in,201,1",
		"DID in,5145550101,1 -> EXT ext,202,1",
		"DID in,_2XX,1 -> CUSTOM in,_2XX,1",
		"CUSTOM in,_2XX,1 # \"in,_2XX\" UNKNOWN/Dial SIP/${EXTEN}",
		"DID in,5145550100,1 #5145550100 \"in,5145550100\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
		"DID in,5145550101,1 #5145550101 \"in,5145550101\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
		"DID in,_2XX,1 #_2XX \"in,_2XX\" rec=false fax=false num=\"\" name=\"\"[\"carrier\"]",
		"EXT ext,202,1 #202 \"ext,202\"",
		"EXT in,201,1 #201 \"in,201\"",
		"EXT in,202,1 #202 \"in,202\"",
	}; !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
		t.Errorf("\n got %q\nwant %q", got, want)
	}
}

// Gosub(ctx,s,1()) passes no argument: ${ARG1} is empty in the
// subroutine, not the closing parenthesis.
func TestGosubEmptyArguments(t *testing.T) {
	g := build(t, `
[in]
exten => 100,1,Gosub(sub-ring,s,1())
[sub-ring]
exten => s,1,Dial(SIP/201${ARG1})
 same => n,Return()
`)
	if got, want := edges(g), []string{"DID in,100,1 -> EXT in,100,1"}; !slices.Equal(got, want) {
		t.Errorf("edges %q, want %q", got, want)
	}
}
