package flow_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/astapi/astapi/flow"
	"github.com/astapi/astapi/parser"
)

// splitInput reads extensions.conf src (written to a temp dir, so that
// its digest is known) into a flow.Input with the given tenants, phones
// and trunks.
func splitInput(t *testing.T, src string, tenants []flow.Tenant, phones []flow.Phone, trunks []flow.Trunk) flow.Input {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "extensions.conf")
	writeFile(t, path, src)
	cfg, err := parser.ParseFile(path, parser.Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	return flow.Input{Dialplan: parser.BuildDialplan(cfg), Tenants: tenants, Phones: phones, Trunks: trunks, Digests: cfg.Digests}
}

// TestSplitParts: how Build cuts a dialplan into parts, from what its
// text links, and when it reads the whole dialplan at once instead; in
// every case the Graph is the one reading the whole dialplan gives.
func TestSplitParts(t *testing.T) {
	two := []flow.Tenant{{ID: "A", Key: "a", Contexts: []string{"a-in", "a-open", "a-closed", "a-ext"}},
		{ID: "B", Key: "b", Contexts: []string{"b-in", "b-open", "b-closed", "b-ext"}}}
	phones := []flow.Phone{{Tech: "PJSIP", Name: "a201", Number: "201", TenantID: "A"},
		{Tech: "PJSIP", Name: "b201", Number: "201", TenantID: "B"}}
	trunks := []flow.Trunk{{Tech: "PJSIP", Name: "ta", Context: "a-in", TenantID: "A"},
		{Tech: "PJSIP", Name: "tb", Context: "b-in", TenantID: "B"}}
	for _, c := range []struct {
		name, src string
		tenants   []flow.Tenant
		trunks    []flow.Trunk
		want      flow.Reuse
		dids      []string // the DIDs and their trunks
	}{
		{"a context named after the time range of a GotoIfTime", `
[a-in]
exten => 5145550100,1,GotoIfTime(8:00-17:00,mon-fri,*,*?a-open,s,1:a-closed,s,1)
[a-open]
exten => s,1,Dial(PJSIP/a201)
[a-closed]
exten => s,1,Voicemail(201@a)
[b-in]
exten => 5145550200,1,Dial(PJSIP/b201)
`, two, trunks, flow.Reuse{Parts: 2}, []string{"a-in,5145550100,1 [ta]", "b-in,5145550200,1 [tb]"}},
		{"a context named by a global (its whole value)", `
[globals]
NIGHT=b-closed
[a-in]
exten => 5145550100,1,Dial(PJSIP/a201)
[b-in]
exten => 5145550200,1,Goto(${NIGHT},s,1)
[b-closed]
exten => s,1,Voicemail(201@b)
`, two, trunks, flow.Reuse{Parts: 2}, []string{"a-in,5145550100,1 [ta]", "b-in,5145550200,1 [tb]"}},
		// A FreePBX chan_sip trunk with context= set: calls may start in
		// either context.
		{"a trunk's two contexts are one part", `
[from-carrier]
exten => 5145550100,1,Dial(SIP/a201)
[from-trunk-sip-carrier]
exten => 5145550101,1,Dial(SIP/a201)
`, two[:1], []flow.Trunk{{Tech: "SIP", Name: "carrier", Context: "from-carrier", TenantID: "A"}}, flow.Reuse{Parts: 1},
			[]string{"from-carrier,5145550100,1 [carrier]", "from-trunk-sip-carrier,5145550101,1 [carrier]"}},
		// One object for a target that cannot be followed, whichever
		// part reaches it: read as one.
		{"two tenants jump to one target known at run time", `
[a-in]
exten => 5145550100,1,Goto(${DB(night/dest)})
[b-in]
exten => 5145550200,1,Goto(${DB(night/dest)})
`, two, trunks, flow.Reuse{Parts: 1, Whole: true}, []string{"a-in,5145550100,1 [ta]", "b-in,5145550200,1 [tb]"}},
		// A pattern rings a phone with no extension of its own in the
		// part; another part of its tenant has one: read as one, the
		// phone has that EXT only.
		{"a phone rung by a pattern in one part and by its extension in another", `
[a-in]
exten => 5145550100,1,Goto(a-ext,201,1)
[a-ext]
exten => 201,1,Dial(PJSIP/a201)
[a-closed]
exten => _2XX,1,Dial(PJSIP/a${EXTEN})
`, two[:1], trunks[:1], flow.Reuse{Parts: 1, Whole: true}, []string{"a-in,5145550100,1 [ta]"}},
		{"a phone rung by a pattern only", `
[a-in]
exten => 5145550100,1,Goto(a-ext,201,1)
[a-ext]
exten => _2XX,1,Dial(PJSIP/a${EXTEN})
[b-in]
exten => 5145550200,1,Dial(PJSIP/b201)
`, two, trunks, flow.Reuse{Parts: 2}, []string{"a-in,5145550100,1 [ta]", "b-in,5145550200,1 [tb]"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := splitInput(t, c.src, c.tenants, phones, c.trunks)
			g, diags := flow.Build(in)
			in.Whole = true
			whole, wholeDiags := flow.Build(in)
			if g.Reuse != c.want {
				t.Errorf("Reuse %+v, want %+v", g.Reuse, c.want)
			}
			if d := sameGraph(t, g, whole, diags, wholeDiags); d != "" {
				t.Errorf("differs from reading the whole dialplan:\n%s", d)
			}
			var dids []string
			for _, o := range g.Objects {
				if o.Type == flow.TypeDID {
					dids = append(dids, o.Entry+" "+"["+strings.Join(o.DID.Trunks, ",")+"]")
				}
			}
			slices.Sort(dids)
			if !slices.Equal(dids, c.dids) {
				t.Errorf("DIDs %q, want %q", dids, c.dids)
			}
		})
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// With a single tenant, what no rule gives a tenant is that tenant's: a
// part owned by no tenant is read again when the tenant's ID changes.
func TestReuseSingleTenantRenamed(t *testing.T) {
	src := `
[from-pstn]
exten => 5145550100,1,Voicemail(201@default,u)
[office]
exten => 201,1,Dial(PJSIP/201)
`
	var prev *flow.Graph
	for i, step := range []struct {
		id   string
		want flow.Reuse
	}{{"1", flow.Reuse{Parts: 2}}, {"1", flow.Reuse{Parts: 2, Reused: 2}}, {"7", flow.Reuse{Parts: 2}}} {
		id := step.id
		in := splitInput(t, src, []flow.Tenant{{ID: id, Key: "office", Contexts: []string{"office"}}},
			[]flow.Phone{{Tech: "PJSIP", Name: "201", Number: "201", TenantID: id}}, nil)
		in.Previous = prev
		g, _ := flow.Build(in)
		if g.Reuse != step.want {
			t.Errorf("build %d (tenant %s): %+v, want %+v", i, id, g.Reuse, step.want)
		}
		var got []string
		for _, o := range g.Objects {
			got = append(got, o.TenantID+" "+o.Type+" "+o.Entry)
		}
		slices.Sort(got)
		want := []string{id + " DID from-pstn,5145550100,1", id + " EXT office,201,1", id + " VOICEMAIL from-pstn,5145550100,1"}
		if !slices.Equal(got, want) {
			t.Errorf("build %d (tenant %s): %q, want %q", i, id, got, want)
		}
		prev = g
	}
}
