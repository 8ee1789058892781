package index_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/astapi/astapi/flow"
)

// A one-company FreePBX-style PBX in discovery mode, written small: every
// rule of SPEC §4 "Call flow" that FreePBX's generated dialplan needs.
const fpbxSIP = `[general]
register => voipco:Xq7-trunk-pw@sip.voipco.example

[1101]
type=friend
host=dynamic
context=from-internal
callerid=Alice <1101>

[1102]
type=friend
host=dynamic
context=from-internal
callerid=Bob <1102>

[voipco]
type=peer
host=sip.voipco.example
context=from-trunk-sip-voipco
`

const fpbxExtensions = `[from-trunk-sip-voipco]
exten => _.,1,Set(GROUP()=OUT_1)
exten => _.,n,Goto(from-trunk,${EXTEN},1)

[from-trunk]
include => from-pstn

[from-pstn]
include => ext-did
include => from-did-direct
include => ext-did-catchall

[from-did-direct]
include => ext-local

[from-internal]
include => ext-local
include => ext-group
include => ext-queues
include => outbound-allroutes

[outbound-allroutes]
include => outrt-1

[outrt-1] ; Out
exten => _1NXXNXXXXXX,1,Macro(user-callerid,LIMIT)
exten => _1NXXNXXXXXX,n,Macro(dialout-trunk,1,${EXTEN},,off)
exten => _1NXXNXXXXXX,n,Macro(outisbusy,)

[ext-did]
include => ext-did-0001
include => ext-did-0002
exten => foo,1,Noop(bar)

[ext-did-0001]
exten => s,1,Set(__FROM_DID=${EXTEN})
exten => s,n,Gosub(sub-record-check,s,1(in,${EXTEN},yes))
exten => s,n,Gosub(app-blacklist-check,s,1())
exten => s,n,GotoIf(${LEN(${BLDEST})}?${BLDEST})
exten => s,n(dest-ext),Goto(timeconditions,1,1)

[ext-did-0002]
exten => 5551230101,1,Set(__FROM_DID=${EXTEN})
exten => 5551230101,n,Macro(prepend-cid,Sales:)
exten => 5551230101,n(dest-ext),Goto(from-did-direct,1102,1)
exten => 5551230102,1,Goto(ext-group,600,1)
exten => 5551230103,1,Goto(ext-queues,400,1)
exten => 5551230104,1,Goto(ivr-2,menu,1)
exten => 5551230105,1,Goto(ext-miscdests,1,1)

[ext-did-catchall]
exten => _.,1,Noop(Catch-All DID Match)
exten => _.,n,Goto(ext-did,s,1)

[sub-record-check]
exten => s,1,GotoIf($["${ARG3}" = "never"]?end)
exten => s,n,MixMonitor(${UNIQUEID}.wav)
exten => s,n(end),Return()

[app-blacklist-check]
exten => s,1,GotoIf($["${BLACKLIST()}"="1"]?blacklisted)
exten => s,n,Return()
exten => s,n(blacklisted),Answer
exten => s,n,Zapateller()
exten => s,n,Hangup

[macro-user-callerid]
exten => s,1,GotoIfTime(08:00-17:00,mon-fri,*,*?day)
exten => s,n(day),Set(CALLERID(name)=${DB(AMPUSER/${AMPUSER}/cidname)})

[timeconditions]
exten => 1,1,GotoIf($["${DB(TC/1)}" = "true"]?truegoto)
exten => 1,n,GotoIf($["${DB(TC/1)}" = "false"]?falsegoto)
exten => 1,n,GotoIfTime(08:00-17:00,mon-fri,*,*,Europe/Paris?truestate)
exten => 1,n,GotoIfTime(09:00-12:00,sat,*,*,Europe/Paris?truestate)
exten => 1,n(falsestate),GotoIf($["${DB(TC/1)}" = "true_sticky"]?truegoto)
exten => 1,n(falsegoto),GotoIf($["${TCRETURN}"!="RETURN"]?app-announcement-1,s,1)
exten => 1,n,Return()
exten => 1,n(truestate),GotoIf($["${DB(TC/1)}" = "false_sticky"]?falsegoto)
exten => 1,n(truegoto),GotoIf($["${TCRETURN}"!="RETURN"]?ivr-1,s,1)
exten => 1,n,Return()

[ivr-1] ; Main Menu
exten => s,1,Set(INVALID_LOOPCOUNT=0)
exten => s,n,GotoIf($["${CHANNEL(state)}" = "Up"]?skip)
exten => s,n,Answer
exten => s,n(skip),Set(IVR_MSG=custom/menu)
exten => s,n(start),ExecIf($["${IVR_MSG}" != ""]?Background(${IVR_MSG}))
exten => s,n,WaitExten(10,)
exten => 1,1(ivrsel-1),Goto(from-did-direct,1101,1)
exten => 2,1(ivrsel-2),Goto(disa,1,1)
exten => i,1,Set(INVALID_LOOPCOUNT=$[${INVALID_LOOPCOUNT}+1])
exten => i,n,GotoIf($[${INVALID_LOOPCOUNT} > 3]?final)
exten => i,n,Goto(s,start)
exten => i,n(final),Playback(no-valid-responce-transfering)
exten => i,n,Goto(app-blackhole,hangup,1)

[ivr-2]
exten => menu,1,Read(CHOICE,custom/options,1)
exten => menu,n,Goto(${CHOICE},1)
exten => 1,1,Goto(ext-local,1101,1)
exten => 2,1,ExecIf($["${CALLERID(num)}" != ""]?DISA(no-password,from-internal))

[disa]
exten => 1,1,Answer
exten => 1,n,Authenticate(58210947)
exten => 1,n,DISA(no-password,from-internal)

[ext-miscdests]
exten => 1,1,Noop(MiscDest: Head office)
exten => 1,n,Goto(from-internal,18005550199,1)

[ext-local]
exten => 1101,1,Set(__RINGTIMER=20)
exten => 1101,n,Macro(exten-vm,1101,1101,0,0,0)
exten => 1101,n(dest),Set(__PICKUPMARK=)
exten => 1101,n,GotoIf($["${DIALSTATUS}"="BUSY"]?vmb1101,1)
exten => 1101,n,Macro(vm,1101,${DIALSTATUS},${IVR_RETVM})
exten => 1101,n,GotoIf($["${IVR_CONTEXT}" != ""]?${IVR_CONTEXT},return,1)
exten => 1102,1,Macro(exten-vm,novm,1102,0,0,0)
exten => 1102,n(dest),GotoIf($["${IVR_CONTEXT}" != ""]?${IVR_CONTEXT},return,1)
exten => vmb1101,1,Macro(vm,1101,BUSY,${IVR_RETVM})
exten => vmu1101,1,Macro(vm,1101,NOANSWER,${IVR_RETVM})

[ext-group]
exten => 600,1,Set(RingGroupMethod=hunt)
exten => 600,n,Macro(dial,25,tr,1101-1102)
exten => 600,n,Set(RingGroupMethod=)
exten => 600,n,GotoIf($["foo${RRNODEST}" != "foo"]?nodest)
exten => 600,n,Goto(ext-local,vmu1101,1)
exten => 600,n(nodest),Noop(SKIPPING DEST)

[ext-queues]
exten => 400,1,Answer
exten => 400,n(qcall),Queue(400,t,,,60)
exten => 400,n(gotodest),GotoIf($["${QDEST}"=""]?app-blackhole,busy,1:${CUT(QDEST,^,1)},${CUT(QDEST,^,2)},${CUT(QDEST,^,3)})

[app-announcement-1]
exten => s,1,GotoIf($["${CHANNEL(state)}" = "Up"]?begin)
exten => s,n,Answer
exten => s,n(begin),Noop(Playing announcement Closed)
exten => s,n,Playback(custom/closed,noanswer)
exten => s,n,Goto(app-blackhole,hangup,1)

[app-blackhole]
exten => hangup,1,Noop(Blackhole Dest: Hangup)
exten => hangup,n,Hangup
exten => busy,1,Noop(Blackhole Dest: Busy)
exten => busy,n,Busy(20)
`

// TestFreePBXCallFlow: the call flow of a FreePBX-style PBX as the GUI
// shows it (../FREEPBX.md): DIDs behind from-trunk → from-pstn → ext-did,
// IVRs that start with Set/GotoIf, time conditions with overrides, the
// phones' macros, ring groups, queues, and no source in the plumbing.
func TestFreePBXCallFlow(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, "", map[string]string{"sip.conf": fpbxSIP, "extensions.conf": fpbxExtensions})
	cases := []struct{ name, typeSrc, src, typeDst, dst string }{
		// DIDs through from-trunk-sip-voipco → from-trunk → from-pstn → ext-did → ext-did-NNNN;
		// plumbing Gosubs and Macros on the way belong to the route.
		{"any/any route to a time condition", "DID", "ext-did-0001,s,1", "CONDITION", "timeconditions,1,1"},
		{"DID to from-did-direct,N rings phone N", "DID", "ext-did-0002,5551230101,1", "EXT", "ext-local,1102,1"},
		{"ring group", "DID", "ext-did-0002,5551230102,1", "HUNTLIST", "ext-group,600,1"},
		{"queue", "DID", "ext-did-0002,5551230103,1", "QUEUE", "ext-queues,400,1"},
		{"IVR entered at another extension, Read() menu", "DID", "ext-did-0002,5551230104,1", "IVR", "ivr-2,menu,1"},
		{"misc destination to an outside number: a forward", "DID", "ext-did-0002,5551230105,1", "CUSTOM", "outrt-1,18005550199,1"},
		// A time condition: several GotoIfTime and the DB(TC/N) overrides are one condition.
		{"time condition open", "CONDITION", "timeconditions,1,3", "IVR", "ivr-1,s,1"},
		{"time condition closed", "NOTCONDITION", "timeconditions,1,3", "PLAYBACK", "app-announcement-1,s,1"},
		// IVR keys; the retry loop of i is no condition.
		{"IVR key", "IVR_1", "ivr-1,1,1", "EXT", "ext-local,1101,1"},
		{"IVR key to DISA", "IVR_2", "ivr-1,2,1", "DISA", "disa,1,1"},
		{"IVR invalid after retries", "IVR_WRONG", "ivr-1,i,1", "SPECIAL", "app-blackhole,hangup,1"},
		{"Read() menu key", "IVR_1", "ivr-2,1,1", "EXT", "ext-local,1101,1"},
		{"ExecIf(…?DISA())", "IVR_2", "ivr-2,2,1", "DISA", "ivr-2,2,1"},
		// Phones: Macro(exten-vm), then Macro(vm,N,${DIALSTATUS}) and vmb.
		{"phone no answer", "EXT-NOANSWER", "ext-local,1101,2", "VOICEMAIL", "ext-local,1101,5"},
		{"phone busy", "EXT-BUSY", "ext-local,1101,2", "VOICEMAIL", "ext-local,vmb1101,1"},
		{"ring group no answer", "HUNTLIST-TIMEOUT", "ext-group,600,2", "VOICEMAIL", "ext-local,vmu1101,1"},
		{"queue failover", "QUEUE-TIMEOUT", "ext-queues,400,2", "SPECIAL", "app-blackhole,busy,1"},
	}
	for _, c := range cases {
		ds := destsFrom(s, c.typeSrc, c.src)
		if len(ds) != 1 || ds[0].TypeDst != c.typeDst || ds[0].Dst != c.dst {
			t.Errorf("%s: %s %s: want one %s %s;%s", c.name, c.typeSrc, c.src, c.typeDst, c.dst, describeDests(s))
		}
	}
	for _, d := range s.Destinations {
		ctx, _, _ := strings.Cut(d.Src, ",")
		if notSource(ctx) || ctx == "ext-did-catchall" || ctx == "from-trunk-sip-voipco" || ctx == "ext-miscdests" {
			t.Errorf("a source in %s: %s %s", ctx, d.TypeSrc, d.Src)
		}
		if d.TypeSrc == "DID" && !strings.HasPrefix(d.Src, "ext-did-000") {
			t.Errorf("a DID outside the inbound routes: %s", d.Src)
		}
	}
	if ds := destsFrom(s, "EXT-NOANSWER", "ext-local,1102,1"); len(ds) != 0 {
		t.Errorf("a phone without voicemail (novm) has no no-answer destination: %+v", ds[0])
	}
	// What the objects carry.
	te := s.Tenants[0]
	conds := s.ObjectsByTenant(te.ID, flow.TypeCondition)
	if len(conds) != 1 || conds[0].Condition.Kind != flow.CondTime || conds[0].Condition.Timezone != "Europe/Paris" ||
		!slices.Equal(conds[0].Condition.Params, []string{"08:00-17:00,mon-fri,*,*", "09:00-12:00,sat,*,*"}) {
		t.Errorf("time condition: %+v", conds)
	}
	hunts := s.ObjectsByTenant(te.ID, flow.TypeHuntlist)
	if len(hunts) != 1 {
		t.Fatalf("ring groups: %+v", hunts)
	}
	if h := hunts[0].Hunt; h.Strategy != flow.HuntHunt || h.RingTime != 25 || h.CheckInUse ||
		!slices.Equal(h.Members, []string{"1101", "1102"}) || hunts[0].Number != "600" {
		t.Errorf("ring group 600: %+v %+v", hunts[0], h)
	}
	ivrs := s.ObjectsByTenant(te.ID, flow.TypeIVR)
	if len(ivrs) != 2 || ivrs[0].Name == ivrs[1].Name || (ivrs[0].Name != "Main Menu" && ivrs[1].Name != "Main Menu") {
		t.Errorf("IVRs: want ivr-1 named Main Menu (its header comment) and ivr-2: %+v %+v", ivrs[0], ivrs[1])
	}
	for _, o := range s.ObjectsByTenant(te.ID, flow.TypeDID) {
		switch o.Entry {
		case "ext-did-0001,s,1":
			if !o.DID.Recording || !slices.Equal(o.DID.Trunks, []string{"voipco"}) {
				t.Errorf("any/any route: recorded (sub-record-check yes) from trunk voipco: %+v", o.DID)
			}
		case "ext-did-0002,5551230101,1":
			if o.DID.CIDNamePrefix != "Sales:" || o.Number != "5551230101" {
				t.Errorf("route 5551230101: CID name prefix Sales: (Macro(prepend-cid)): %+v", o.DID)
			}
		}
	}
	for _, o := range s.ObjectsByTenant(te.ID, flow.TypeCustom) {
		if o.Entry == "outrt-1,18005550199,1" && (o.Custom.Kind != flow.CustomForward || !strings.Contains(o.Custom.Description, "18005550199")) {
			t.Errorf("forward: %+v", o.Custom)
		}
	}
}
