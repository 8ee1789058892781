package index_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/parser"
)

// Call-flow destinations (SPEC §4): one tenant "T" whose dialplan has an
// example of every target type (de_type_dst) and every source type
// (de_type_src).

const flowSIP = `[phone](!)
type=friend
host=dynamic
context=t-internal

[201-T](phone)
callerid="Alice" <201>

[202-T](phone)
callerid="Bob" <202>

[203-T](phone)
callerid="Carol" <203>

[trunk-t]
type=peer
host=sip.provider.example
context=t-inbound
`

const flowExtensions = `[general]
static=yes

[globals]
DEST=t-ivr

[t-internal]
exten => 201,1,Dial(SIP/201-T,20)
 same => n,GotoIf($["${DIALSTATUS}" = "BUSY"]?busy)
 same => n,VoiceMail(201@t,u)
 same => n,Hangup()
 same => n(busy),VoiceMail(201@t,b)
 same => n,Hangup()
exten => 202,1,Dial(SIP/202-T,20)
 same => n,VoiceMail(202@t,u)
exten => 203,1,Dial(SIP/203-T,20)
 same => n,GotoIf($["${DIALSTATUS}" = "NOANSWER"]?noanswer:other)
 same => n(noanswer),VoiceMail(203@t,u)
 same => n(other),Hangup()
exten => 600,1,Dial(SIP/201-T&SIP/202-T,20)
 same => n,VoiceMail(600@t,u)
exten => 700,1,Answer()
 same => n,Queue(t-support,t,,,120)
 same => n,VoiceMail(700@t,u)
exten => 800,1,ConfBridge(t-all)
exten => 801,1,MeetMe(801)
exten => 900,1,VoiceMailMain(@t)
exten => _9X.,1,Dial(SIP/trunk-t/${EXTEN:1},60)
 same => n,Congestion()

[t-hunt]
exten => s,1,Dial(SIP/201-T,15)
 same => n,Dial(SIP/202-T,15)
 same => n,VoiceMail(201@t,u)

#include extensions-t.conf

[t-tc2]
exten => s,1,GotoIf($[${HOLIDAY}]?t-closed,s,1:t-ivr,s,1)

[t-tc3]
exten => s,1,ExecIfTime(08:30-17:30,mon-fri,*,*?Goto(t-internal,600,1))
 same => n,VoiceMail(400@t,su)

[t-cond]
exten => s,1,GotoIf($[${NIGHT}]?t-closed,s,1)
 same => n,Goto(t-ivr,s,1)

[t-disa]
exten => s,1,Answer()
 same => n,DISA(1234,t-internal)

[t-conf]
exten => s,1,Answer()
 same => n,Wait(1)
 same => n,ConfBridge(t-room)

[t-closed]
exten => s,1,Answer()
 same => n,Playback(t-closed)
 same => n,Hangup()

[t-annc]
exten => s,1,Playback(t-please-hold)
 same => n,Dial(SIP/202-T,20)

[t-inbound]
exten => 5550100,1,Goto(t-tc,s,1)
exten => 5550101,1,Goto(t-internal,201,1)
exten => 5550102,1,Goto(t-internal,600,1)
exten => 5550103,1,Goto(t-hunt,s,1)
exten => 5550104,1,Goto(t-internal,700,1)
exten => 5550105,1,Goto(t-internal,202,2)
exten => 5550106,1,Goto(t-ivr,s,1)
exten => 5550107,1,Goto(t-tc2,s,1)
exten => 5550108,1,Goto(t-disa,s,1)
exten => 5550109,1,Goto(t-internal,800,1)
exten => 5550110,1,Goto(t-closed,s,1)
exten => 5550111,1,Hangup()
exten => 5550112,1,Goto(t-internal,9123,1)
exten => 5550113,1,Goto(${DEST},s,1)
exten => 5550114,1,Goto(${CALLERID(num)},s,1)
exten => 5550115,1,Goto(t-annc,s,1)
exten => 5550116,1,Goto(t-tc3,s,1)
exten => 5550117,1,Goto(t-cond,s,1)
exten => 5550118,1,Congestion()
exten => 5550119,1,Goto(t-internal,801,1)
exten => 5550120,1,Set(__FROM_DID=${EXTEN})
 same => n,Goto(t-internal,201,1)
exten => 5550122,1,Goto(t-internal,201,3)
exten => 5550124,1,GotoIf($[1]?${WHERE},s,1)
 same => n,Hangup()
exten => 5550125,1,Dial(SIP/trunk-t/5145550199)
exten => h,1,Hangup()
`

const flowExtensionsT = `; IVR and time condition, #included
[t-ivr]
exten => s,1,Answer()
 same => n,Background(t-welcome)
 same => n,WaitExten(5)
exten => 0,1,Goto(t-hunt,s,1)
exten => 1,1,Goto(t-internal,201,1)
exten => 2,1,Goto(t-internal,700,1)
exten => 3,1,Goto(t-internal,600,1)
exten => 4,1,Goto(t-disa,s,1)
exten => 5,1,Goto(t-conf,s,1)
exten => 6,1,Goto(t-closed,s,1)
exten => 7,1,Goto(t-internal,800,1)
exten => 8,1,Busy()
exten => 9,1,Goto(t-internal,201,busy)
exten => *,1,VoiceMailMain(@t)
exten => #,1,Playback(goodbye)
 same => n,Hangup()
exten => t,1,Goto(t-tc,s,1)
exten => i,1,Playback(pbx-invalid)
 same => n,Goto(t-ivr,s,3)

[t-tc]
exten => s,1,GotoIfTime(08:00-18:00,mon-fri,*,*?open)
 same => n,Goto(t-disa,s,1)
 same => n(open),Goto(t-ivr,s,1)
`

// lineOf returns the 1-based line of src holding marker (the first one).
func lineOf(t testing.TB, src, marker string) int {
	t.Helper()
	for i, l := range strings.Split(src, "\n") {
		if strings.Contains(l, marker) {
			return i + 1
		}
	}
	t.Fatalf("marker %q not found", marker)
	return 0
}

func loadFlow(t testing.TB) *index.Snapshot {
	t.Helper()
	return loadPBX(t, tenantT, map[string]string{
		"sip.conf":           flowSIP,
		"extensions.conf":    flowExtensions,
		"extensions-t.conf":  flowExtensionsT,
		"voicemail.conf":     "[t]\n201 => 1111,Alice\n",
		"unrelated/foo.conf": "[x]\n",
	})
}

func TestDestinations(t *testing.T) {
	t.Parallel()
	s := loadFlow(t)
	const main, inc = "extensions.conf", "extensions-t.conf"
	in := func(marker string) (string, int) { return main, lineOf(t, flowExtensions, marker) }
	it := func(marker string) (string, int) { return inc, lineOf(t, flowExtensionsT, marker) }
	type want struct {
		typeSrc, src string
		ord          int
		typeDst, dst string
		file         string
		line         int
	}
	w := func(typeSrc, src string, ord int, typeDst, dst string, at func(string) (string, int), marker string) want {
		f, l := at(marker)
		return want{typeSrc, src, ord, typeDst, dst, f, l}
	}
	cases := []struct {
		name string
		want want
	}{
		// ---- every de_type_dst, from DIDs of the inbound context ----
		{"dst EXT", w("DID", "t-inbound,5550101,1", 1, "EXT", "t-internal,201,1", in, "5550101,1")},
		{"dst HUNTLIST via &", w("DID", "t-inbound,5550102,1", 1, "HUNTLIST", "t-internal,600,1", in, "5550102,1")},
		{"dst HUNTLIST via a context ringing in turn", w("DID", "t-inbound,5550103,1", 1, "HUNTLIST", "t-hunt,s,1", in, "5550103,1")},
		{"dst QUEUE (after Answer)", w("DID", "t-inbound,5550104,1", 1, "QUEUE", "t-internal,700,1", in, "5550104,1")},
		{"dst VOICEMAIL", w("DID", "t-inbound,5550105,1", 1, "VOICEMAIL", "t-internal,202,2", in, "5550105,1")},
		{"dst VOICEMAIL via an n priority number", w("DID", "t-inbound,5550122,1", 1, "VOICEMAIL", "t-internal,201,3", in, "5550122,1")},
		{"dst IVR", w("DID", "t-inbound,5550106,1", 1, "IVR", "t-ivr,s,1", in, "5550106,1")},
		{"dst IVR via a global ${DEST}", w("DID", "t-inbound,5550113,1", 1, "IVR", "t-ivr,s,1", in, "5550113,1")},
		{"dst CONDITION GotoIfTime", w("DID", "t-inbound,5550100,1", 1, "CONDITION", "t-tc,s,1", in, "5550100,1")},
		{"dst CONDITION GotoIf both branches", w("DID", "t-inbound,5550107,1", 1, "CONDITION", "t-tc2,s,1", in, "5550107,1")},
		{"dst CONDITION ExecIfTime", w("DID", "t-inbound,5550116,1", 1, "CONDITION", "t-tc3,s,1", in, "5550116,1")},
		{"dst CONDITION GotoIf fall-through", w("DID", "t-inbound,5550117,1", 1, "CONDITION", "t-cond,s,1", in, "5550117,1")},
		{"dst DISA via Answer()", w("DID", "t-inbound,5550108,1", 1, "DISA", "t-disa,s,1", in, "5550108,1")},
		{"dst MEETME ConfBridge", w("DID", "t-inbound,5550109,1", 1, "MEETME", "t-internal,800,1", in, "5550109,1")},
		{"dst MEETME MeetMe", w("DID", "t-inbound,5550119,1", 1, "MEETME", "t-internal,801,1", in, "5550119,1")},
		{"dst PLAYBACK then Hangup", w("DID", "t-inbound,5550110,1", 1, "PLAYBACK", "t-closed,s,1", in, "5550110,1")},
		{"dst Playback then Dial is not PLAYBACK", w("DID", "t-inbound,5550115,1", 1, "EXT", "t-annc,s,1", in, "5550115,1")},
		{"dst SPECIAL Hangup", w("DID", "t-inbound,5550111,1", 1, "SPECIAL", "t-inbound,5550111,1", in, "5550111,1")},
		{"dst SPECIAL Congestion", w("DID", "t-inbound,5550118,1", 1, "SPECIAL", "t-inbound,5550118,1", in, "5550118,1")},
		{"dst CUSTOM trunk Dial (pattern extension)", w("DID", "t-inbound,5550112,1", 1, "CUSTOM", "t-internal,9123,1", in, "5550112,1")},
		{"dst CUSTOM trunk Dial inline", w("DID", "t-inbound,5550125,1", 1, "CUSTOM", "t-inbound,5550125,1", in, "5550125,1")},
		{"dst through Set()", w("DID", "t-inbound,5550120,1", 1, "EXT", "t-internal,201,1", in, "5550120,1")},
		// ---- CONDITION / NOTCONDITION ----
		{"GotoIfTime label true", w("CONDITION", "t-tc,s,1", 1, "IVR", "t-ivr,s,1", it, "GotoIfTime")},
		{"GotoIfTime fall-through false", w("NOTCONDITION", "t-tc,s,1", 1, "DISA", "t-disa,s,1", it, "GotoIfTime")},
		{"GotoIf true", w("CONDITION", "t-tc2,s,1", 1, "PLAYBACK", "t-closed,s,1", in, "${HOLIDAY}")},
		{"GotoIf false", w("NOTCONDITION", "t-tc2,s,1", 1, "IVR", "t-ivr,s,1", in, "${HOLIDAY}")},
		{"ExecIfTime true", w("CONDITION", "t-tc3,s,1", 1, "HUNTLIST", "t-internal,600,1", in, "ExecIfTime")},
		{"ExecIfTime false", w("NOTCONDITION", "t-tc3,s,1", 1, "VOICEMAIL", "t-tc3,s,2", in, "ExecIfTime")},
		{"GotoIf fall-through true", w("CONDITION", "t-cond,s,1", 1, "PLAYBACK", "t-closed,s,1", in, "${NIGHT}")},
		{"GotoIf fall-through false", w("NOTCONDITION", "t-cond,s,1", 1, "IVR", "t-ivr,s,1", in, "${NIGHT}")},
		// An outcome that cannot be resolved makes no condition: typing
		// follows the other one (SPEC §4 "Branches that are not conditions").
		{"GotoIf to a run-time variable is no condition", w("DID", "t-inbound,5550124,1", 1, "SPECIAL", "t-inbound,5550124,1", in, "5550124,1")},
		// ---- IVR keys ----
		{"IVR_0", w("IVR_0", "t-ivr,0,1", 1, "HUNTLIST", "t-hunt,s,1", it, "exten => 0,1")},
		{"IVR_1", w("IVR_1", "t-ivr,1,1", 1, "EXT", "t-internal,201,1", it, "exten => 1,1")},
		{"IVR_2", w("IVR_2", "t-ivr,2,1", 1, "QUEUE", "t-internal,700,1", it, "exten => 2,1")},
		{"IVR_3", w("IVR_3", "t-ivr,3,1", 1, "HUNTLIST", "t-internal,600,1", it, "exten => 3,1")},
		{"IVR_4", w("IVR_4", "t-ivr,4,1", 1, "DISA", "t-disa,s,1", it, "exten => 4,1")},
		{"IVR_5 (Answer, Wait)", w("IVR_5", "t-ivr,5,1", 1, "MEETME", "t-conf,s,1", it, "exten => 5,1")},
		{"IVR_6", w("IVR_6", "t-ivr,6,1", 1, "PLAYBACK", "t-closed,s,1", it, "exten => 6,1")},
		{"IVR_7", w("IVR_7", "t-ivr,7,1", 1, "MEETME", "t-internal,800,1", it, "exten => 7,1")},
		{"IVR_8", w("IVR_8", "t-ivr,8,1", 1, "SPECIAL", "t-ivr,8,1", it, "exten => 8,1")},
		{"IVR_9 label", w("IVR_9", "t-ivr,9,1", 1, "VOICEMAIL", "t-internal,201,5", it, "exten => 9,1")},
		{"IVR_STAR", w("IVR_STAR", "t-ivr,*,1", 1, "VOICEMAIL", "t-ivr,*,1", it, "exten => *,1")},
		{"IVR_SHARP", w("IVR_SHARP", "t-ivr,#,1", 1, "PLAYBACK", "t-ivr,#,1", it, "exten => #,1")},
		{"IVR_TIMEOUT", w("IVR_TIMEOUT", "t-ivr,t,1", 1, "CONDITION", "t-tc,s,1", it, "exten => t,1")},
		{"IVR_WRONG", w("IVR_WRONG", "t-ivr,i,1", 1, "IVR", "t-ivr,s,1", it, "exten => i,1")},
		// ---- after Dial / Queue ----
		{"EXT-BUSY", w("EXT-BUSY", "t-internal,201,1", 1, "VOICEMAIL", "t-internal,201,5", in, "201,1,Dial")},
		{"EXT-NOANSWER after a BUSY test", w("EXT-NOANSWER", "t-internal,201,1", 1, "VOICEMAIL", "t-internal,201,3", in, "201,1,Dial")},
		{"EXT-NOANSWER", w("EXT-NOANSWER", "t-internal,202,1", 1, "VOICEMAIL", "t-internal,202,2", in, "202,1,Dial")},
		{"EXT-NOANSWER by a DIALSTATUS test", w("EXT-NOANSWER", "t-internal,203,1", 1, "VOICEMAIL", "t-internal,203,3", in, "203,1,Dial")},
		{"EXT-BUSY: the other outcome of the test", w("EXT-BUSY", "t-internal,203,1", 1, "SPECIAL", "t-internal,203,4", in, "203,1,Dial")},
		{"HUNTLIST-TIMEOUT after phones rung in turn", w("HUNTLIST-TIMEOUT", "t-hunt,s,1", 1, "VOICEMAIL", "t-hunt,s,3", in, "s,1,Dial(SIP/201-T,15)")},
		{"HUNTLIST-TIMEOUT", w("HUNTLIST-TIMEOUT", "t-internal,600,1", 1, "VOICEMAIL", "t-internal,600,2", in, "600,1,Dial")},
		{"QUEUE-TIMEOUT", w("QUEUE-TIMEOUT", "t-internal,700,2", 1, "VOICEMAIL", "t-internal,700,3", in, "Queue(")},
	}
	tid := tenantByKey(t, s, "T").ID
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ds := destsFrom(s, tc.want.typeSrc, tc.want.src)
			if len(ds) < tc.want.ord {
				t.Fatalf("no %s destination #%d from %s; have:%s", tc.want.typeSrc, tc.want.ord, tc.want.src, describeDests(s))
			}
			d := ds[tc.want.ord-1]
			got := want{d.TypeSrc, d.Src, d.Ord, d.TypeDst, d.Dst, d.File, d.Line}
			if got != tc.want {
				t.Errorf("\n got %+v\nwant %+v", got, tc.want)
			}
			if d.TenantID != tid {
				t.Errorf("tenant %q", d.TenantID)
			}
		})
	}
	t.Run("no edge from h or from a trunk Dial with nothing after", func(t *testing.T) {
		for _, d := range s.Destinations {
			if strings.HasPrefix(d.Src, "t-inbound,h,") {
				t.Errorf("h is not a DID: %+v", d)
			}
			if strings.HasPrefix(d.Src, "t-internal,_9X.,") {
				t.Errorf("a trunk Dial is no EXT-NOANSWER source: %+v", d)
			}
			if !srcTypes[d.TypeSrc] || !dstTypes[d.TypeDst] {
				t.Errorf("type outside the vocabulary: %+v", d)
			}
		}
	})
	t.Run("ord counts the targets of one source from 1", func(t *testing.T) {
		seen := map[string]bool{}
		for _, d := range s.Destinations {
			k := fmt.Sprintf("%s|%s|%d", d.TypeSrc, d.Src, d.Ord)
			if seen[k] {
				t.Errorf("two destinations %s", k)
			}
			seen[k] = true
		}
		for k := range seen {
			parts := strings.Split(k, "|")
			if parts[2] != "1" && !seen[parts[0]+"|"+parts[1]+"|1"] {
				t.Errorf("%s without ord 1", k)
			}
		}
	})
}

// TestDestinationUnresolvedGoto: a DID whose Goto names a run-time
// variable is CUSTOM, and its de_dst is the raw target (Destination.Dst:
// "or the raw target when unresolved"), as for a GotoIf branch.
func TestDestinationUnresolvedGoto(t *testing.T) {
	t.Parallel()
	s := loadFlow(t)
	ds := destsFrom(s, "DID", "t-inbound,5550114,1")
	if len(ds) != 1 {
		t.Fatalf("want one DID from 5550114, got %d:%s", len(ds), describeDests(s))
	}
	if ds[0].TypeDst != "CUSTOM" {
		t.Errorf("type %s, want CUSTOM", ds[0].TypeDst)
	}
	if ds[0].Dst != "${CALLERID(num)},s,1" {
		t.Errorf("de_dst %q, want the raw target \"${CALLERID(num)},s,1\"", ds[0].Dst)
	}
}

// TestDestinationsOfOtherTenants: an edge belongs to the tenant that owns
// its target (SPEC §4 "Tenant of an edge"): A's DID into B's extension is
// B's, and A does not see it.
func TestDestinationsOfOtherTenants(t *testing.T) {
	t.Parallel()
	ini := "[tenant A]\ncode = A\ncontexts = a-*\n\n[tenant B]\ncode = B\ncontexts = b-*\n"
	s := loadPBX(t, ini, map[string]string{
		"sip.conf": "[1-A]\ntype=friend\nhost=dynamic\ncontext=a-internal\n\n[1-B]\ntype=friend\nhost=dynamic\ncontext=b-internal\n",
		"extensions.conf": `[a-inbound]
exten => 100,1,Goto(b-internal,1,1)
[a-internal]
exten => 1,1,Dial(SIP/1-A)
 same => n,VoiceMail(1@a)
[b-internal]
exten => 1,1,Dial(SIP/1-B)
 same => n,VoiceMail(1@b)
[b-inbound]
exten => 200,1,Goto(b-internal,1,1)
`,
	})
	a, b := tenantByKey(t, s, "A"), tenantByKey(t, s, "B")
	var aSrcs, bSrcs []string
	for _, d := range s.DestinationsByTenant(a.ID) {
		aSrcs = append(aSrcs, d.TypeSrc+" "+d.Src)
	}
	for _, d := range s.DestinationsByTenant(b.ID) {
		bSrcs = append(bSrcs, d.TypeSrc+" "+d.Src)
	}
	slices.Sort(aSrcs)
	slices.Sort(bSrcs)
	if want := []string{"EXT-NOANSWER a-internal,1,1"}; !slices.Equal(aSrcs, want) {
		t.Errorf("A's destinations %v, want %v", aSrcs, want)
	}
	if want := []string{"DID a-inbound,100,1", "DID b-inbound,200,1", "EXT-NOANSWER b-internal,1,1"}; !slices.Equal(bSrcs, want) {
		t.Errorf("B's destinations %v, want %v", bSrcs, want)
	}
}

// TestSharedInboundContext: one from-pstn for every tenant's trunk gives
// each tenant only the DIDs that lead into its own objects (issue 16
// item 6: acme's /destination/all listed Globex's DID).
func TestSharedInboundContext(t *testing.T) {
	t.Parallel()
	ini := "[tenant Acme]\ncode = Acme\ncontexts = acme-*, from-pstn\npeers = trunk-acme\n\n" +
		"[tenant Globex]\ncode = Globex\ncontexts = globex-*, from-pstn\npeers = trunk-globex\n"
	s := loadPBX(t, ini, map[string]string{
		"sip.conf": "[201-Acme]\ntype=friend\nhost=dynamic\ncontext=acme-internal\n\n" +
			"[401-Globex]\ntype=friend\nhost=dynamic\ncontext=globex-internal\n\n" +
			"[trunk-acme]\ntype=peer\nhost=sip.acme-carrier.example\ncontext=from-pstn\n\n" +
			"[trunk-globex]\ntype=peer\nhost=sip.globex-carrier.example\ncontext=from-pstn\n",
		"extensions.conf": `[from-pstn]
exten => 5145550100,1,Goto(acme-internal,201,1)
exten => 5145550400,1,Goto(globex-internal,401,1)
[acme-internal]
exten => 201,1,Dial(SIP/201-Acme,20)
 same => n,VoiceMail(201@acme)
[globex-internal]
exten => 401,1,Dial(SIP/401-Globex,20)
 same => n,VoiceMail(401@globex)
`,
	})
	for key, want := range map[string]string{"Acme": "from-pstn,5145550100,1", "Globex": "from-pstn,5145550400,1"} {
		te := tenantByKey(t, s, key)
		var dids []string
		for _, d := range s.DestinationsByTenant(te.ID) {
			if d.TypeSrc == "DID" {
				dids = append(dids, d.Src)
			}
		}
		if len(dids) != 1 || dids[0] != want {
			t.Errorf("%s's DIDs %v, want only %s", key, dids, want)
		}
		for _, o := range s.ObjectsByTenant(te.ID, "DID") {
			if o.Entry != want {
				t.Errorf("%s holds DID object %s", key, o.Entry)
			}
		}
	}
}

func TestNormalizeType(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"NOT CONDITION":   "NOTCONDITION",
		"not condition":   "NOTCONDITION",
		" Not Condition ": "NOTCONDITION",
		"NOTCONDITION":    "NOTCONDITION",
		"CONDITION":       "CONDITION",
		"did":             "DID",
		"EXT-NOANSWER":    "EXT-NOANSWER",
		"IVR_STAR":        "IVR_STAR",
	} {
		if got := index.NormalizeType(in); got != want {
			t.Errorf("NormalizeType(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDestinationEdgeCases: short Goto forms, spaces, pattern targets,
// ExecIfTime running an application, loops.
func TestDestinationEdgeCases(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, tenantT, map[string]string{
		"sip.conf": flowSIP,
		"extensions.conf": `[t-internal]
exten => 201,1,Dial(SIP/201-T,20)
 same => n,Goto(vm)
 same => n(vm),VoiceMail(201@t,u)
exten => 202,1,Dial(SIP/202-T,20)
 same => n,Goto(900,1)
exten => 900,1,VoiceMailMain(@t)
exten => _55XX,1,Queue(t-sales)

[t-inbound]
exten => 5550100,1,Goto( t-internal , 201 , 1 )
exten => 5550101,1,Goto(t-internal,5512,1)
exten => 5550102,1,ExecIfTime(08:00-18:00,mon-fri,*,*?Playback(t-closed-today))
 same => n,Goto(t-internal,201,1)
exten => 5550103,1,Goto(t-loop,s,1)
exten => 5550104,1,GOTO(t-internal,201,1)
exten => 5550105,1,Goto(t-internal,201,nosuchlabel)
exten => 5550106,1,Goto(nosuchcontext,s,1)

[t-loop]
exten => s,1,NoOp(loop)
 same => n,Goto(t-loop2,s,1)

[t-loop2]
exten => s,1,Goto(t-loop,s,1)
`,
	})
	cases := []struct{ typeSrc, src, typeDst, dst string }{
		{"EXT-NOANSWER", "t-internal,201,1", "VOICEMAIL", "t-internal,201,2"},   // Goto(label): the object starts at the Goto
		{"EXT-NOANSWER", "t-internal,202,1", "VOICEMAIL", "t-internal,900,1"},   // Goto(exten,prio)
		{"DID", "t-inbound,5550100,1", "EXT", "t-internal,201,1"},               // spaces around the arguments
		{"DID", "t-inbound,5550101,1", "QUEUE", "t-internal,5512,1"},            // a pattern matches the target: the number dialled
		{"CONDITION", "t-inbound,5550102,1", "PLAYBACK", "t-inbound,5550102,1"}, // ExecIfTime runs Playback
		{"NOTCONDITION", "t-inbound,5550102,1", "EXT", "t-internal,201,1"},
		{"DID", "t-inbound,5550104,1", "EXT", "t-internal,201,1"}, // application names are case-insensitive
		{"DID", "t-inbound,5550105,1", "CUSTOM", ""},              // unknown label
		{"DID", "t-inbound,5550106,1", "CUSTOM", ""},              // unknown context
	}
	for _, c := range cases {
		ds := destsFrom(s, c.typeSrc, c.src)
		if len(ds) != 1 {
			t.Errorf("%s %s: %d destinations;%s", c.typeSrc, c.src, len(ds), describeDests(s))
			continue
		}
		if ds[0].TypeDst != c.typeDst || (c.dst != "" && ds[0].Dst != c.dst) {
			t.Errorf("%s %s: got %s %s, want %s %s", c.typeSrc, c.src, ds[0].TypeDst, ds[0].Dst, c.typeDst, c.dst)
		}
	}
	// A Goto loop ends rather than hanging; it routes the call nowhere, so
	// it is no DID.
	if ds := destsFrom(s, "DID", "t-inbound,5550103,1"); len(ds) != 0 {
		t.Errorf("loop: %+v", ds)
	}
	for _, want := range []string{"nosuchlabel", "nosuchcontext"} {
		found := false
		for _, d := range s.Diags {
			if strings.Contains(d.Message, want) {
				found = true
			}
		}
		if !found {
			t.Errorf("no diagnostic names %s: %v", want, s.Diags)
		}
	}
}

// TestDestinationGosub: SPEC §4 "A Goto/Gosub target is typed by what the
// extension it lands on does first": a DID that runs Gosub() into a
// voicemail subroutine is a VOICEMAIL target.
func TestDestinationGosub(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, tenantT, map[string]string{
		"sip.conf": flowSIP,
		"extensions.conf": `[t-inbound]
exten => 5550100,1,Gosub(t-vm,s,1(201))
 same => n,Hangup()

[t-vm]
exten => s,1,VoiceMail(${ARG1}@t,u)
 same => n,Return()
`,
	})
	ds := destsFrom(s, "DID", "t-inbound,5550100,1")
	if len(ds) != 1 {
		t.Fatalf("DID: %d destinations;%s", len(ds), describeDests(s))
	}
	if ds[0].TypeDst != "VOICEMAIL" || ds[0].Dst != "t-vm,s,1" {
		t.Errorf("got %s %s, want VOICEMAIL t-vm,s,1 (a Gosub is followed like a Goto)", ds[0].TypeDst, ds[0].Dst)
	}
}

// TestDestinationGosubIf: GosubIf is a condition like GotoIf: its true
// branch is the subroutine (typed by what it does), a missing false
// branch falls through to the next priority; reached from a DID it is
// typed CONDITION.
func TestDestinationGosubIf(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, tenantT, map[string]string{
		"sip.conf": flowSIP,
		"extensions.conf": `[t-inbound]
exten => 5550100,1,GosubIf($[${NIGHT}]?t-vm,s,1(201))
 same => n,Queue(t-sales)

[t-vm]
exten => s,1,VoiceMail(${ARG1}@t,u)
 same => n,Return()
`,
	})
	if ds := destsFrom(s, "DID", "t-inbound,5550100,1"); len(ds) != 1 || ds[0].TypeDst != "CONDITION" {
		t.Fatalf("DID: want one CONDITION destination;%s", describeDests(s))
	}
	want := map[string]string{"CONDITION": "VOICEMAIL t-vm,s,1", "NOTCONDITION": "QUEUE t-inbound,5550100,2"}
	for src, dst := range want {
		ds := destsFrom(s, src, "t-inbound,5550100,1")
		if len(ds) != 1 || ds[0].TypeDst+" "+ds[0].Dst != dst {
			t.Errorf("%s: want %s;%s", src, dst, describeDests(s))
		}
	}
}

// TestDialURIAfterEndpoint: in PJSIP/endpoint/sip:user@host (and
// SIP/peer/number) the peer is what precedes the first '/'; an '@' in the
// URI after it does not name a peer. The endpoint is dialed with a
// number, so it is a trunk (here it registers to us: dynamic host, so
// only the Dial makes it one).
func TestDialURIAfterEndpoint(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, tenantT, map[string]string{
		"pjsip.conf": "[carrier]\ntype=endpoint\ncontext=t-inbound\naors=carrier\n\n[carrier]\ntype=aor\nmax_contacts=1\n\n" +
			"[201-T]\ntype=endpoint\ncontext=t-internal\n",
		"extensions.conf": "[t-internal]\nexten => 201,1,Dial(PJSIP/201-T,20)\n" +
			"exten => _9X.,1,Dial(PJSIP/carrier/sip:${EXTEN:1}@sip.carrier.example,60)\n same => n,Congestion()\n",
	})
	if hasDiag(s.Diags, parser.Warning, "sip.carrier.example", "no such peer") || trunkOf(s, "carrier") == nil {
		t.Errorf("PJSIP/carrier/sip:N@sip.carrier.example: warning about peer sip.carrier.example %v, carrier is a trunk %v",
			hasDiag(s.Diags, parser.Warning, "sip.carrier.example", "no such peer"), trunkOf(s, "carrier") != nil)
	}
}

// TestDiagnosticsNotRepeated: one problem at one position is reported
// once, not once per pass (indexDials, then each tenant's flow).
func TestDiagnosticsNotRepeated(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, tenantT, map[string]string{
		"sip.conf": flowSIP,
		"extensions.conf": "[t-internal]\nexten => 201,1,Dial(SIP/201-T&SIP/ghost,20)\n same => n,VoiceMail(201@t)\n" +
			"exten => 202,1,Dial(SIP/ghost,20)\n same => n,VoiceMail(202@t)\n",
	})
	checkDiagsOnce(t, s.Diags)
	if !hasDiag(s.Diags, parser.Warning, "ghost") {
		t.Errorf("no warning about the unknown peer: %v", s.Diags)
	}

	// A context both tenants claim is walked twice, and its broken Goto
	// is reached from two DIDs of each.
	ini := "[tenant A]\ncode = A\ncontexts = a-*, shared-*\n\n[tenant B]\ncode = B\ncontexts = b-*, shared-*\n"
	s = loadPBX(t, ini, map[string]string{
		"sip.conf": "[1-A]\ntype=friend\nhost=dynamic\ncontext=a-internal\n\n[1-B]\ntype=friend\nhost=dynamic\ncontext=b-internal\n",
		"extensions.conf": "[shared-night]\nexten => s,1,Goto(nosuchcontext,s,1)\n" +
			"[a-inbound]\nexten => 100,1,Goto(shared-night,s,1)\nexten => 101,1,Goto(shared-night,s,1)\n" +
			"[b-inbound]\nexten => 200,1,Goto(shared-night,s,1)\n",
	})
	checkDiagsOnce(t, s.Diags)
	if !hasDiag(s.Diags, parser.Warning, "nosuchcontext") {
		t.Errorf("no warning about the unknown context: %v", s.Diags)
	}
}

// checkDiagsOnce fails for every diagnostic reported more than once.
func checkDiagsOnce(t *testing.T, diags parser.Diagnostics) {
	t.Helper()
	seen := map[string]int{}
	for _, d := range diags {
		seen[d.String()]++
	}
	for k, n := range seen {
		if n > 1 {
			t.Errorf("diagnostic reported %d times: %s", n, k)
		}
	}
}

// TestDialOtherTenantsPeer: a Dial of another tenant's phone rings that
// phone: an EXT, and the edge is that tenant's (the owner of the target).
func TestDialOtherTenantsPeer(t *testing.T) {
	t.Parallel()
	ini := "[tenant A]\ncode = A\ncontexts = a-*\n\n[tenant B]\ncode = B\ncontexts = b-*\n"
	s := loadPBX(t, ini, map[string]string{
		"sip.conf": "[1-A]\ntype=friend\nhost=dynamic\ncontext=a-internal\n\n[1-B]\ntype=friend\nhost=dynamic\ncontext=b-internal\n",
		"extensions.conf": "[a-inbound]\nexten => 100,1,Dial(SIP/1-B,20)\n same => n,Hangup()\n" +
			"[a-internal]\nexten => 1,1,Dial(SIP/1-A)\n[b-internal]\nexten => 1,1,Dial(SIP/1-B)\n",
	})
	ds := destsFrom(s, "DID", "a-inbound,100,1")
	if len(ds) != 1 {
		t.Fatalf("DID: %d;%s", len(ds), describeDests(s))
	}
	if b := tenantByKey(t, s, "B"); ds[0].TypeDst != "EXT" || ds[0].TenantID != b.ID {
		t.Errorf("a Dial of B's phone is %s of tenant %s, want EXT of B (%s)", ds[0].TypeDst, ds[0].TenantID, b.ID)
	}
}

// TestDialThroughGlobal: a Dial whose device comes from [globals] rings
// that peer (number derivation and EXT typing both see it).
func TestDialThroughGlobal(t *testing.T) {
	t.Parallel()
	s := loadPBX(t, tenantT, map[string]string{
		"sip.conf": "[alice-T]\ntype=friend\nhost=dynamic\ncontext=t-internal\n",
		"extensions.conf": "[globals]\nALICE=SIP/alice-T\n\n[t-internal]\nexten => 242,1,Dial(${ALICE},20)\n same => n,VoiceMail(242@t)\n" +
			"[t-inbound]\nexten => 5550100,1,Goto(t-internal,242,1)\n",
	})
	if e := mustExtOfPeer(t, s, "alice-T"); e.Number != "242" {
		t.Errorf("number %q, want 242", e.Number)
	}
	if ds := destsFrom(s, "DID", "t-inbound,5550100,1"); len(ds) != 1 || ds[0].TypeDst != "EXT" {
		t.Errorf("DID: %+v", ds)
	}
	if ds := destsFrom(s, "EXT-NOANSWER", "t-internal,242,1"); len(ds) != 1 || ds[0].TypeDst != "VOICEMAIL" {
		t.Errorf("EXT-NOANSWER: %+v", ds)
	}
}
