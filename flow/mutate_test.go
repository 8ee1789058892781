package flow

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/astapi/astapi/parser"
)

// Tests written against mutants that survived `make mutate` (see
// scripts/mutate.sh): each pins one behaviour a plausible one-line bug
// would change without any other test noticing.

// buildSrc reads extensions.conf src for one tenant "t" owning every
// context, with SIP/201 and SIP/202 its phones.
func buildSrc(t *testing.T, src string) *Graph {
	t.Helper()
	dir := t.TempDir()
	dp := parser.BuildDialplan(parser.Parse(filepath.Join(dir, "extensions.conf"), []byte(src), parser.Options{Root: dir}))
	var ctxs []string
	for _, c := range dp.Contexts {
		ctxs = append(ctxs, c.Name)
	}
	g, _ := Build(Input{
		Dialplan: dp,
		Tenants:  []Tenant{{ID: "1", Key: "t", Contexts: ctxs}},
		Phones:   []Phone{{Tech: "SIP", Name: "201", Number: "201", TenantID: "1"}, {Tech: "SIP", Name: "202", Number: "202", TenantID: "1"}},
	})
	return g
}

// edgesFrom lists "KIND->TYPE context,exten" of the edges leaving the
// object of type typ in context ctx, sorted; ok is false when there is no
// such object.
func edgesFrom(g *Graph, typ, ctx string) (out []string, ok bool) {
	for _, o := range g.Objects {
		if o.Type == typ && o.Context == ctx {
			ok = true
			for _, e := range g.Edges {
				if e.From == o {
					out = append(out, e.TypeSrc+"->"+e.To.Type+" "+e.To.Context+","+e.To.Exten)
				}
			}
		}
	}
	slices.Sort(out)
	return out, ok
}

// An IVR need not play its greeting with Background: an s that answers
// and runs WaitExten (the greeting from Playback, or none) is a menu too,
// and its keys are its destinations — also when the only keys are the
// timeout and invalid ones.
func TestIVRWithWaitExtenOnly(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string
	}{
		{
			name: "digit keys",
			src: "[menu]\nexten => s,1,Answer()\n same => n,Playback(custom/welcome)\n same => n,WaitExten(10)\n" +
				"exten => 1,1,Goto(internal,201,1)\nexten => 2,1,Goto(internal,202,1)\nexten => t,1,Goto(internal,201,1)\n" +
				"[internal]\nexten => 201,1,Dial(SIP/201,20)\nexten => 202,1,Dial(SIP/202,20)\n",
			want: []string{"IVR_1->EXT internal,201", "IVR_2->EXT internal,202", "IVR_TIMEOUT->EXT internal,201"},
		},
		{
			name: "Background then WaitExten, timeout and invalid only",
			src: "[menu]\nexten => s,1,Answer()\n same => n,Background(custom/menu)\n same => n,Set(TIMEOUT(digit)=3)\n same => n,Playback(custom/more)\n same => n,WaitExten(8)\n" +
				"exten => t,1,Goto(internal,201,1)\nexten => i,1,Goto(internal,202,1)\n" +
				"[internal]\nexten => 201,1,Dial(SIP/201,20)\nexten => 202,1,Dial(SIP/202,20)\n",
			want: []string{"IVR_TIMEOUT->EXT internal,201", "IVR_WRONG->EXT internal,202"},
		},
		{
			name: "Background then Hangup is a message, not a menu",
			src: "[menu]\nexten => s,1,Answer()\n same => n,Background(custom/closed)\n same => n,Hangup()\n" +
				"exten => t,1,Goto(internal,201,1)\n" +
				"[internal]\nexten => 201,1,Dial(SIP/201,20)\n",
		},
		{
			name: "timeout and invalid only",
			src: "[menu]\nexten => s,1,Answer()\n same => n,WaitExten(8)\n" +
				"exten => t,1,Goto(internal,201,1)\nexten => i,1,Goto(internal,202,1)\n" +
				"[internal]\nexten => 201,1,Dial(SIP/201,20)\nexten => 202,1,Dial(SIP/202,20)\n",
			want: []string{"IVR_TIMEOUT->EXT internal,201", "IVR_WRONG->EXT internal,202"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := edgesFrom(buildSrc(t, c.src), TypeIVR, "menu")
			if ok != (c.want != nil) {
				t.Fatalf("IVR object in context menu: %v, want %v", ok, c.want != nil)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("IVR edges %q, want %q", got, c.want)
			}
		})
	}
}

func TestNormalizeType(t *testing.T) {
	for in, want := range map[string]string{"NOT CONDITION": SrcNotCondition, " not condition ": SrcNotCondition, "ivr": "IVR", " ext ": "EXT", "": ""} {
		if got := NormalizeType(in); got != want {
			t.Errorf("NormalizeType(%q) = %q, want %q", in, got, want)
		}
	}
}
