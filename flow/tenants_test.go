package flow_test

import (
	"fmt"
	"github.com/astapi/astapi/internal/ids"
	"slices"
	"strconv"
	"testing"

	"github.com/astapi/astapi/flow"
	"github.com/astapi/astapi/parser"
)

// Two companies on one box, as a multi-tenant install writes them: acme
// (tenant 1) owns acme-* and the shared context, beta (tenant 2) owns
// beta-* and the shared context too; each has a phone and a trunk whose
// context no tenant owns.
const twoTenants = `[from-acme-carrier]
exten => 5145550100,1,Goto(acme-menu,s,1)
exten => 5145550199,1,Goto(${UNKNOWN_DEST})
[from-beta-carrier]
exten => 4385550200,1,Goto(beta-ph,301,1)
exten => 4385550299,1,Goto(shared,800,1)
exten => 4385550298,1,Goto(${BETA_DEST})
[from-nobody]
exten => 8885550000,1,Goto(${ORPHAN})
exten => 8885550001,1,Goto(beta-ph,301,1)
exten => 8885550002,1,Goto(${SHARED_DEST})
[beta-in]
exten => 4385550201,1,Goto(${WHERE})
[acme-menu] ; Acme menu
exten => s,1,Background(custom/acme)
 same => n,WaitExten(5)
exten => 1,1,Goto(acme-ph,201,1)
exten => 2,1,Goto(beta-ph,301,1)
[acme-ph]
exten => 201,1,Dial(SIP/201,20)
 same => n,VoiceMail(201@acme,u)
[beta-ph]
exten => 301,1,Dial(SIP/301,20)
 same => n,VoiceMail(301@beta,u)
exten => 302,1,GotoIfTime(08:00-17:00,mon-fri,*,*?beta-ph,301,1)
 same => n,VoiceMail(301@beta,u)
exten => 303,1,GotoIf($["${X}" = "1"]?beta-ph,301,1)
 same => n,VoiceMail(301@beta,u)
exten => 306,1,Queue(b)
 same => n,Goto(${SHARED_DEST})
[shared]
exten => 800,1,Dial(SIP/301)
exten => 801,1,Queue(shared)
`

func buildTenants(t *testing.T, trunks []flow.Trunk) *flow.Graph {
	t.Helper()
	dp := parser.BuildDialplan(parser.Parse("extensions.conf", []byte(twoTenants), parser.Options{}))
	g, _ := flow.Build(flow.Input{
		Dialplan: dp,
		Tenants: []flow.Tenant{{ID: "1", Key: "acme", Contexts: []string{"acme-menu", "acme-ph", "shared"}},
			{ID: "2", Key: "beta", Contexts: []string{"beta-in", "beta-ph", "shared"}}},
		Phones: []flow.Phone{{Tech: "SIP", Name: "201", Number: "201", TenantID: "1", Context: "acme-ph"},
			{Tech: "SIP", Name: "301", Number: "301", TenantID: "2", Context: "beta-ph"}},
		Trunks: trunks,
	})
	return g
}

// tenantEdges renders edges as "tenant KIND src -> TYPE dst #ord".
func tenantEdges(g *flow.Graph) []string {
	var out []string
	for _, e := range g.Edges {
		out = append(out, fmt.Sprintf("%s %s %s -> %s %s #%d", e.TenantID, e.TypeSrc, e.Src, e.TypeDst(), e.Dst(), e.Ord))
	}
	slices.Sort(out)
	return out
}

func tenantObjects(g *flow.Graph) []string {
	var out []string
	for _, o := range g.Objects {
		out = append(out, o.TenantID+" "+o.Type+" "+o.Entry)
	}
	slices.Sort(out)
	return out
}

// TestTenants: every object and destination belongs to one tenant (SPEC
// §4): a DID to its target's, else its trunk's, else its context owner's;
// a phone or ring group to its phones'; anything else to the tenant
// owning its context (the first of several), else to the tenant of what
// leads to it. What belongs to no tenant is left out. A destination
// belongs to its target's tenant.
func TestTenants(t *testing.T) {
	g := buildTenants(t, []flow.Trunk{
		{Tech: "SIP", Name: "acme-carrier", Context: "from-acme-carrier", TenantID: "1"},
		{Tech: "SIP", Name: "beta-carrier", Context: "from-beta-carrier", TenantID: "2"},
		{Tech: "SIP", Name: "beta-carrier", Context: "from-beta-carrier", TenantID: "1"}, // a duplicate name: the first wins
		{Tech: "SIP", Name: "aaa-spare", Context: "from-acme-carrier"},                   // no tenant: the next trunk's counts
		{Tech: "SIP", Name: "nobody", Context: "from-nobody"},
		{Tech: "SIP", Name: "beta-in", Context: "beta-in"},
	})
	wantObjs := []string{
		"1 CUSTOM ${UNKNOWN_DEST}",
		"1 DID from-acme-carrier,5145550100,1",
		"1 DID from-acme-carrier,5145550199,1",
		"1 EXT acme-ph,201,1",
		"1 IVR acme-menu,s,1",
		"1 QUEUE shared,801,1",
		"1 VOICEMAIL acme-ph,201,2",
		"2 CONDITION beta-ph,302,1",
		"2 CUSTOM ${BETA_DEST}",
		"2 CUSTOM ${SHARED_DEST}",
		"2 CUSTOM ${WHERE}",
		"2 DID beta-in,4385550201,1",
		"2 DID from-beta-carrier,4385550200,1",
		"2 DID from-beta-carrier,4385550298,1",
		"2 DID from-beta-carrier,4385550299,1",
		"2 DID from-nobody,8885550001,1",
		"2 DID from-nobody,8885550002,1",
		"2 EXT beta-ph,301,1",
		"2 EXT shared,800,1",
		"2 QUEUE beta-ph,306,1",
		"2 VOICEMAIL beta-ph,301,2",
		"2 VOICEMAIL beta-ph,302,2",
	}
	if got := tenantObjects(g); !slices.Equal(got, wantObjs) {
		t.Errorf("objects\n got %q\nwant %q", got, wantObjs)
	}
	wantEdges := []string{
		"1 DID from-acme-carrier,5145550100,1 -> IVR acme-menu,s,1 #1",
		"1 DID from-acme-carrier,5145550199,1 -> CUSTOM ${UNKNOWN_DEST} #1",
		"1 EXT-NOANSWER acme-ph,201,1 -> VOICEMAIL acme-ph,201,2 #1",
		"1 IVR_1 acme-menu,1,1 -> EXT acme-ph,201,1 #1",
		"2 CONDITION beta-ph,302,1 -> EXT beta-ph,301,1 #1",
		"2 DID beta-in,4385550201,1 -> CUSTOM ${WHERE} #1",
		"2 DID from-beta-carrier,4385550200,1 -> EXT beta-ph,301,1 #1",
		"2 DID from-beta-carrier,4385550298,1 -> CUSTOM ${BETA_DEST} #1",
		"2 DID from-beta-carrier,4385550299,1 -> EXT shared,800,1 #1",
		"2 DID from-nobody,8885550001,1 -> EXT beta-ph,301,1 #1",
		"2 DID from-nobody,8885550002,1 -> CUSTOM ${SHARED_DEST} #1",
		"2 EXT-NOANSWER beta-ph,301,1 -> VOICEMAIL beta-ph,301,2 #1",
		"2 IVR_2 acme-menu,2,1 -> EXT beta-ph,301,1 #1",
		"2 NOTCONDITION beta-ph,302,1 -> VOICEMAIL beta-ph,302,2 #1",
		"2 QUEUE-TIMEOUT beta-ph,306,1 -> CUSTOM ${SHARED_DEST} #1",
	}
	if got := tenantEdges(g); !slices.Equal(got, wantEdges) {
		t.Errorf("edges\n got %q\nwant %q", got, wantEdges)
	}
}

// TestIDs: IDs are SPEC §5's hashes of the natural keys: an object's
// tenant key, type and entry, and the call site of what a macro reaches
// for each caller; a destination's tenant key, kind, source, target type,
// target entry and order.
func TestIDs(t *testing.T) {
	g := build(t, `[in]
exten => 100,1,Macro(leavemsg,201)
exten => 101,1,Macro(leavemsg,202)
exten => 102,1,Goto(ph,201,1)
[ph]
exten => 201,1,Dial(SIP/201,20)
[macro-leavemsg]
exten => s,1,VoiceMail(${ARG1},u)
`)
	var got, want []string
	for _, o := range g.Objects {
		key := []string{"t", o.Type, o.Entry}
		if o.Type == flow.TypeVoicemail {
			key = append(key, map[string]string{"201": "in,100,1", "202": "in,101,1"}[o.Number]) // the caller
		}
		got = append(got, o.Type+" "+o.Entry+" "+o.ID)
		want = append(want, o.Type+" "+o.Entry+" "+strconv.FormatUint(ids.HashParts("object", key...), 10))
	}
	if !slices.Equal(got, want) || len(got) != 6 {
		t.Errorf("object IDs\n got %q\nwant %q", got, want)
	}
	got, want = nil, nil
	for _, e := range g.Edges {
		got = append(got, e.TypeSrc+" "+e.Src+" "+e.ID)
		want = append(want, e.TypeSrc+" "+e.Src+" "+strconv.FormatUint(ids.HashParts("destination", "t", e.TypeSrc, e.Src, e.TypeDst(), e.Dst(), "1"), 10))
	}
	if !slices.Equal(got, want) || len(got) != 3 {
		t.Errorf("destination IDs\n got %q\nwant %q", got, want)
	}
}
