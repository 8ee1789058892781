package parser

import (
	"reflect"
	"testing"
)

// Tests written against mutants that survived `make mutate` (see
// scripts/mutate.sh): each pins one behaviour a plausible one-line bug
// would change without any other test noticing.

// An extension named by a variable is expanded once, at load time
// (pbx_config substitutes the exten => name), and the same => lines after
// it belong to the expanded name, not to the text as written.
func TestSameAfterExtensionNamedByVariable(t *testing.T) {
	cfg := parseSrc(t, "[globals]\nMAIN=5145550100\n[in]\nexten => ${MAIN},1,Answer()\n same => n,Goto(menu,s,1)\nexten => ${MAIN},n,Hangup()\n")
	c := BuildDialplan(cfg).Context("in")
	if len(c.Extensions) != 1 {
		var names []string
		for _, e := range c.Extensions {
			names = append(names, e.Exten)
		}
		t.Fatalf("extensions %q, want only 5145550100", names)
	}
	e := c.Extension("5145550100", "")
	if e == nil {
		t.Fatal("no extension 5145550100")
	}
	var got []string
	for _, p := range e.Priorities {
		got = append(got, p.App)
	}
	if want := []string{"Answer", "Goto", "Hangup"}; !reflect.DeepEqual(got, want) {
		t.Errorf("priorities %q, want %q", got, want)
	}
}
