// Package flowtest builds a small call-flow graph by hand for the tests of
// the packages that show one (api, console) until the fixtures' own graph
// is read from the dialplan.
package flowtest

import (
	"github.com/astapi/astapi/flow"
	"github.com/astapi/astapi/parser"
)

// Graph returns a call flow for tenant (a DID to a time condition, which
// sends office hours to an IVR and the rest to a voicemail box; the IVR's
// key 1 to a ring group of two phones, key 2 to a phone) and one DID of
// other that rings a phone of its own. Names hold markup characters, so
// that escaping is tested.
func Graph(tenant, other string) *flow.Graph {
	at := func(line int) parser.Pos { return parser.Pos{File: "extensions.conf", Line: line} }
	obj := func(id, t, typ, entry, name, number string, line int) *flow.Object {
		return &flow.Object{ID: id, TenantID: t, Type: typ, Entry: entry, Name: name, Number: number, Pos: at(line)}
	}
	did := obj("9001", tenant, flow.TypeDID, "acme-inbound,5145550100,1", "Main <line> & co", "5145550100", 10)
	did.DID = &flow.DID{Trunks: []string{"trunk-acme"}}
	tc := obj("9002", tenant, flow.TypeCondition, "acme-tc,s,1", "Office hours", "", 20)
	tc.Condition = &flow.Condition{Kind: flow.CondTime, Params: []string{"08:00-17:00,mon-fri,*,*"}}
	ivr := obj("9003", tenant, flow.TypeIVR, "acme-ivr,s,1", "Main menu", "", 30)
	hunt := obj("9004", tenant, flow.TypeHuntlist, "acme-internal,600,1", "Sales", "600", 40)
	hunt.Hunt = &flow.Hunt{Strategy: flow.HuntRingAll, RingTime: 20, Members: []string{"201", "202"}}
	ext := obj("9005", tenant, flow.TypeExt, "acme-internal,202,1", "Bob Baker", "202", 50)
	vm := obj("9006", tenant, flow.TypeVoicemail, "acme-internal,100,1", "After-hours box", "100", 60)
	vm.Voicemail = &flow.Voicemail{Box: "100", Context: "acme", Kind: "unavail"}
	odid := obj("9101", other, flow.TypeDID, "globex-inbound,4165550200,1", "Globex main", "4165550200", 70)
	oext := obj("9102", other, flow.TypeExt, "globex-internal,401,1", "Grace Green", "401", 80)
	edge := func(id, typ string, from, to *flow.Object, line int) *flow.Edge {
		return &flow.Edge{ID: id, TenantID: to.TenantID, TypeSrc: typ, From: from, To: to, Ord: 1, Src: from.Entry, Pos: at(line)}
	}
	return &flow.Graph{
		Objects: []*flow.Object{did, tc, ivr, hunt, ext, vm, odid, oext},
		Edges: []*flow.Edge{
			edge("9501", flow.SrcDID, did, tc, 11),
			edge("9502", flow.SrcCondition, tc, ivr, 21),
			edge("9503", flow.SrcNotCondition, tc, vm, 22),
			edge("9504", "IVR_1", ivr, hunt, 31),
			edge("9505", "IVR_2", ivr, ext, 32),
			edge("9601", flow.SrcDID, odid, oext, 71),
		},
	}
}
