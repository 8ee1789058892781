package flow

import (
	"testing"

	"github.com/astapi/astapi/parser"
)

// TestSplitLinksFor: a Build takes over the previous Build's links only
// for a dialplan with the same context names in the same places and the
// same globals; a word names other contexts otherwise.
func TestSplitLinksFor(t *testing.T) {
	build := func(src string) *parser.Dialplan {
		return parser.BuildDialplan(parser.Parse("extensions.conf", []byte(src), parser.Options{}))
	}
	const base = "[globals]\nRING=20\n[a]\nexten => 1,1,Goto(b,1,1)\n[b]\nexten => 1,1,Dial(SIP/x,${RING})\n"
	dp := build(base)
	g, _ := Build(Input{Dialplan: dp})
	if g.links == nil || len(g.links.to) != 2 || len(g.links.to[0]) != 1 || g.links.to[0][0] != 1 {
		t.Fatalf("links of a and b: %+v, want a to b", g.links)
	}
	for _, c := range []struct {
		name string
		src  string
		want bool
	}{
		{"the same text, parsed again", base, true},
		{"a line added to a context", base + "exten => 2,1,Hangup()\n", true},
		{"a context renamed", "[globals]\nRING=20\n[a]\nexten => 1,1,Goto(b,1,1)\n[SIP]\nexten => 1,1,Dial(SIP/x,${RING})\n", false},
		{"two contexts swapped", "[globals]\nRING=20\n[b]\nexten => 1,1,Dial(SIP/x,${RING})\n[a]\nexten => 1,1,Goto(b,1,1)\n", false},
		{"a context added", base + "[c]\nexten => 1,1,Hangup()\n", false},
		{"a global changed", "[globals]\nRING=b\n[a]\nexten => 1,1,Goto(b,1,1)\n[b]\nexten => 1,1,Dial(SIP/x,${RING})\n", false},
	} {
		if got := g.splitLinksFor(build(c.src)) != nil; got != c.want {
			t.Errorf("%s: links taken over: %v, want %v", c.name, got, c.want)
		}
	}
	if (*Graph)(nil).splitLinksFor(dp) != nil {
		t.Error("links taken over from no previous Build")
	}
}
