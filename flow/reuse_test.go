package flow_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/astapi/astapi/flow"
	"github.com/astapi/astapi/parser"
)

// reusePBX writes a dialplan of two tenants, each in a file of its own
// (a.conf, b.conf) included by extensions.conf, and returns a function
// that reads the files as they are now into a flow.Input.
func reusePBX(t *testing.T) (dir string, input func(phones []flow.Phone, keyB string) flow.Input) {
	t.Helper()
	dir = t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("extensions.conf", "[globals]\nSUF=night\n#include a.conf\n#include b.conf\n")
	write("a.conf", "[a-in]\nexten => _X.,1,Goto(a-ivr,s,1)\n[a-ivr]\nexten => s,1,Background(welcome)\n same => n,WaitExten(5)\n"+
		"exten => 1,1,Dial(SIP/a1,20)\nexten => 2,1,Goto(x${SUF},s,1)\nexten => 3,1,Dial(SIP/b1,20)\n")
	write("b.conf", "[b-in]\nexten => _X.,1,Goto(b-ivr,s,1)\n[b-ivr]\nexten => s,1,Background(hello)\n same => n,WaitExten(5)\n"+
		"exten => 1,1,Dial(SIP/b1,20)\n")
	input = func(phones []flow.Phone, keyB string) flow.Input {
		cfg, err := parser.ParseFile(filepath.Join(dir, "extensions.conf"), parser.Options{Root: dir})
		if err != nil {
			t.Fatal(err)
		}
		return flow.Input{
			Dialplan: parser.BuildDialplan(cfg),
			Tenants: []flow.Tenant{{ID: "A", Key: "a", Contexts: []string{"a-in", "a-ivr"}},
				{ID: "B", Key: keyB, Contexts: []string{"b-in", "b-ivr", "xnight"}}},
			Phones:  phones,
			Trunks:  []flow.Trunk{{Tech: "SIP", Name: "ta", Context: "a-in", TenantID: "A"}, {Tech: "SIP", Name: "tb", Context: "b-in", TenantID: "B"}},
			Digests: cfg.Digests,
		}
	}
	return dir, input
}

// sameGraph reports where two graphs (and their diagnostics) differ, or "".
func sameGraph(t *testing.T, g, want *flow.Graph, gd, wantd parser.Diagnostics) string {
	t.Helper()
	a, _ := json.Marshal([]any{flow.Dump(g.Objects, g.Edges), gd})
	b, _ := json.Marshal([]any{flow.Dump(want.Objects, want.Edges), wantd})
	if string(a) != string(b) {
		return "got  " + string(a) + "\nwant " + string(b)
	}
	return ""
}

// TestBuildReuse: a Build from the previous Graph takes over the parts
// whose input did not change, reads the others again, and gives what a
// Build from nothing gives.
func TestBuildReuse(t *testing.T) {
	phones := []flow.Phone{{Tech: "SIP", Name: "a1", Number: "100", TenantID: "A"}, {Tech: "SIP", Name: "b1", Number: "100", TenantID: "B"}}
	renumbered := []flow.Phone{phones[0], {Tech: "SIP", Name: "b1", Number: "101", TenantID: "B"}}
	withA2 := append([]flow.Phone{{Tech: "SIP", Name: "a2", Number: "102", TenantID: "A"}}, phones...)
	steps := []struct {
		name      string
		edit      func(dir string)
		phones    []flow.Phone
		keyB      string
		bContexts []string // B's contexts, when not the usual
		want      flow.Reuse
	}{
		{name: "first", want: flow.Reuse{Parts: 2}},
		{name: "nothing changed", want: flow.Reuse{Parts: 2, Reused: 2}},
		// Other phones: B's part keeps its key (its tenant and phones are
		// the same), A's is summed again.
		{name: "a phone of A's added", phones: withA2, want: flow.Reuse{Parts: 2, Reused: 1}},
		{name: "B claims one more context", phones: withA2, bContexts: []string{"b-in", "b-ivr", "b-more", "xnight"}, want: flow.Reuse{Parts: 2, Reused: 1}},
		{name: "back", want: flow.Reuse{Parts: 2, Reused: 0}},
		{name: "b.conf edited", edit: func(dir string) { appendFile(t, filepath.Join(dir, "b.conf"), "exten => 3,1,Playback(x)\n") },
			want: flow.Reuse{Parts: 2, Reused: 1}},
		// The same lines, one argument changed: only the file's digest
		// tells.
		{name: "b.conf edited in place", edit: func(dir string) {
			replaceInFile(t, filepath.Join(dir, "b.conf"), "Background(hello)", "Background(bonjour)")
		},
			want: flow.Reuse{Parts: 2, Reused: 1}},
		// A dials B's phone too: its part looked it up.
		{name: "B's phone renumbered", phones: renumbered, want: flow.Reuse{Parts: 2, Reused: 0}},
		// A's EXT of b1 is B's: the key of its ID holds B's key.
		{name: "B's key changed", phones: renumbered, keyB: "b2", want: flow.Reuse{Parts: 2, Reused: 0}},
		{name: "a.conf edited", phones: renumbered, keyB: "b2",
			edit: func(dir string) { appendFile(t, filepath.Join(dir, "a.conf"), "exten => 4,1,Playback(y)\n") },
			want: flow.Reuse{Parts: 2, Reused: 1}},
		{name: "a context A looked for appears in b.conf", phones: renumbered, keyB: "b2",
			edit: func(dir string) {
				appendFile(t, filepath.Join(dir, "b.conf"), "[xnight]\nexten => s,1,VoiceMail(100@b)\n")
			},
			want: flow.Reuse{Parts: 1, Whole: true}},
		{name: "read whole, then unchanged", phones: renumbered, keyB: "b2", want: flow.Reuse{Parts: 1, Reused: 1, Whole: true}},
	}
	dir, input := reusePBX(t)
	var (
		prev *flow.Graph
		dp   *parser.Dialplan // the last step's: kept while no file changes, as a reload keeps it
	)
	for _, st := range steps {
		if st.edit != nil {
			st.edit(dir)
		}
		ph, key := phones, "b"
		if st.phones != nil {
			ph = st.phones
		}
		if st.keyB != "" {
			key = st.keyB
		}
		in := input(ph, key)
		if st.bContexts != nil {
			in.Tenants[1].Contexts = st.bContexts
		}
		if st.edit == nil && dp != nil {
			in.Dialplan = dp
		}
		dp = in.Dialplan
		fresh, freshDiags := flow.Build(in)
		in.Previous = prev
		g, diags := flow.Build(in)
		if g.Reuse != st.want {
			t.Errorf("%s: %+v, want %+v", st.name, g.Reuse, st.want)
		}
		if d := sameGraph(t, g, fresh, diags, freshDiags); d != "" {
			t.Errorf("%s: differs from a Build from nothing:\n%s", st.name, d)
		}
		prev = g
	}
	// Without digests nothing can be told unchanged.
	in := input(renumbered, "b2")
	in.Digests, in.Previous = nil, prev
	if g, _ := flow.Build(in); g.Reuse.Reused != 0 {
		t.Errorf("without digests: %+v, want nothing reused", g.Reuse)
	}
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

func replaceInFile(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}
