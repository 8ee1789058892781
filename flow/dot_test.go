package flow

import (
	"strings"
	"testing"
)

func TestWriteDOT(t *testing.T) {
	did := &Object{ID: "1", Type: TypeDID, Name: `Main "line"`, Entry: "ext-did-0002,5145550100,1"}
	ivr := &Object{ID: "2", Type: TypeIVR, Name: `ivr-1\menu`, Entry: "ivr-1,s,1"}
	other := &Object{ID: "3", Type: TypeExt, Name: "not drawn", Entry: "from-did-direct,201,1"}
	edges := []*Edge{
		{ID: "10", TypeSrc: SrcDID, From: did, To: ivr, Ord: 1},
		{ID: "11", TypeSrc: SrcIVRTimeout, From: ivr, To: ivr, Ord: 2},
		{ID: "12", TypeSrc: "IVR_1", From: ivr, To: other, Ord: 1}, // other is not passed
	}
	var b strings.Builder
	if err := WriteDOT(&b, "Acme", []*Object{did, ivr}, edges); err != nil {
		t.Fatal(err)
	}
	want := `digraph "Acme" {
  rankdir=LR;
  node [shape=box, style=rounded, fontname="Helvetica"];
  edge [fontname="Helvetica", fontsize=10];
  "o1" [label="DID\nMain \"line\"", tooltip="ext-did-0002,5145550100,1", shape=cds];
  "o2" [label="IVR\nivr-1\\menu", tooltip="ivr-1,s,1"];
  "o1" -> "o2" [label="DID"];
  "o2" -> "o2" [label="IVR_TIMEOUT #2"];
}
`
	if got := b.String(); got != want {
		t.Errorf("WriteDOT:\n%s\nwant:\n%s", got, want)
	}
}
