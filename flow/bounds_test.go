package flow_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/astapi/astapi/flow"
)

// dids lists the entries of a graph's DID objects, sorted.
func dids(g *flow.Graph) []string {
	var out []string
	for _, o := range g.Objects {
		if o.Type == flow.TypeDID {
			out = append(out, o.Entry)
		}
	}
	slices.Sort(out)
	return out
}

// The DID walk follows includes and hand-ons (Goto(ctx,${EXTEN},1)) 16
// levels deep from a trunk's context, no further: a box whose inbound
// context includes a chain of per-customer contexts, and one whose
// routes hand the number on from context to context.
func TestDIDWalkDepth(t *testing.T) {
	var b strings.Builder
	b.WriteString("[in]\ninclude => cust1\n")
	b.WriteString("exten => 7016,1,Goto(hop1,${EXTEN},1)\n")
	b.WriteString("exten => 7017,1,Goto(hop1,${EXTEN},1)\n")
	for i := 1; i <= 18; i++ {
		fmt.Fprintf(&b, "[cust%d]\n", i)
		if i < 18 {
			fmt.Fprintf(&b, "include => cust%d\n", i+1)
		}
		fmt.Fprintf(&b, "exten => 55501%02d,1,Dial(SIP/201)\n", i)
		fmt.Fprintf(&b, "[hop%d]\n", i)
		// 7016 reaches a Dial at hop16 (depth 16), 7017 only at hop17.
		if i < 16 {
			fmt.Fprintf(&b, "exten => 7016,1,Goto(hop%d,${EXTEN},1)\n", i+1)
		} else if i == 16 {
			b.WriteString("exten => 7016,1,Dial(SIP/201)\n")
		}
		if i < 17 {
			fmt.Fprintf(&b, "exten => 7017,1,Goto(hop%d,${EXTEN},1)\n", i+1)
		} else if i == 17 {
			b.WriteString("exten => 7017,1,Dial(SIP/202)\n")
		}
	}
	var want []string
	for i := 1; i <= 16; i++ {
		want = append(want, fmt.Sprintf("cust%d,55501%02d,1", i, i))
	}
	want = append(want, "hop16,7016,1")
	slices.Sort(want)
	if got := dids(build(t, b.String())); !slices.Equal(got, want) {
		t.Errorf("DIDs\n got %q\nwant %q", got, want)
	}
}

// An object's entry goes back over the plumbing before it only as far as
// one walk reaches (4000 steps): an extension generated with thousands of
// Set()s before its Dial starts 3999 priorities before the Dial.
func TestEntryWalkBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString("[in]\nexten => 100,1,Goto(long,s,4050)\n[long]\nexten => s,1,Answer()\n")
	for i := 2; i < 4100; i++ {
		fmt.Fprintf(&b, " same => n,Set(V%d=%d)\n", i, i)
	}
	b.WriteString(" same => n,Dial(SIP/201)\n")
	g := build(t, b.String())
	var got []string
	for _, o := range g.Objects {
		got = append(got, o.Type+" "+o.Entry)
	}
	slices.Sort(got)
	if want := []string{"DID in,100,1", "EXT long,s,101"}; !slices.Equal(got, want) {
		t.Errorf("objects %q, want %q", got, want)
	}
}
