package parser

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// spliceTree writes top.conf including t1…t3.conf, each with body.
func spliceTree(t *testing.T, top string, files map[string]string) (dir string, opts Options) {
	t.Helper()
	dir = t.TempDir()
	files = maps.Clone(files)
	files["top.conf"] = top
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, Options{Root: dir, AllowedRoots: []string{dir}, MaxDiagnosticsPerFile: 3}
}

// resplice re-reads cfg's tree after edits and splices it; nil when Splice
// refuses. It fails the test when Reread refuses.
func resplice(t *testing.T, cfg *Config, opts Options) (*Config, []Replaced) {
	t.Helper()
	changed, ok := reread(cfg, opts)
	if !ok {
		t.Fatal("reread refused")
	}
	return splice(cfg, changed, opts)
}

// sameParse fails the test unless a and b are the same parse: what a
// consumer can see, diagnostics in sorted order.
func sameParse(t *testing.T, spliced, whole *Config) {
	t.Helper()
	norm := func(c *Config) map[string]any {
		secs := make([]Section, len(c.Sections))
		for i, s := range c.Sections {
			secs[i] = *s
			if len(secs[i].Vars) == 0 {
				secs[i].Vars = nil
			}
			if len(secs[i].Inherits) == 0 {
				secs[i].Inherits = nil
			}
		}
		diags := slices.Clone(c.Diags)
		diags.Sort()
		refs := slices.Clone(c.refs)
		slices.SortFunc(refs, func(a, b sectionRef) int { return strings.Compare(a.file+"\x00"+a.name, b.file+"\x00"+b.name) })
		return map[string]any{"sections": secs, "diags": fmt.Sprint(diags), "files": c.Files, "digests": c.Digests,
			"sizes": c.sizes, "charged": c.charged, "invalid": c.Invalid, "refs": refs, "mixed": len(c.mixed),
			"includes": fmt.Sprint(c.Includes), "read errors": fmt.Sprint(c.ReadErrors)}
	}
	a, b := norm(spliced), norm(whole)
	for k := range a {
		if !reflect.DeepEqual(a[k], b[k]) {
			t.Fatalf("spliced %s differ from a whole parse:\nspliced %v\nwhole   %v", k, a[k], b[k])
		}
	}
}

const spliceTop = "[general]\nx=1\n[tpl](!)\nt=1\n#include t1.conf\n#include t2.conf\n#include t3.conf\n[after]\na=1\n"

// TestSplice: a changed file whose sections are its own is parsed alone
// and put in place; anything that ties it to another file refuses.
func TestSplice(t *testing.T) {
	base := map[string]string{
		"t1.conf": "[one]\nexten => 1,1,Answer()\n",
		"t2.conf": "[two]\nx=2\n[two-b](!)\ny=2\n[two-c](two-b)\n",
		"t3.conf": "; tenant 3\n[three]\nz=3\n",
	}
	cases := []struct {
		name  string
		top   string            // "" for spliceTop
		t3    string            // t3.conf's body at first, "" for base's
		edit  map[string]string // new bodies
		files []string          // the files spliced; nil: refused
	}{
		{"line added", "", "", map[string]string{"t1.conf": "[one]\nexten => 1,1,Answer()\nexten => 2,1,Hangup()\n"}, []string{"t1.conf"}},
		{"section added, (+) on its own section", "", "", map[string]string{"t1.conf": base["t1.conf"] + "[one-x]\nq=1\n[one](+)\nr=2\n"}, []string{"t1.conf"}},
		{"template of its own", "", "", map[string]string{"t2.conf": "[two-b](!)\ny=3\n[two-c](two-b)\n[two]\n"}, []string{"t2.conf"}},
		{"two files", "", "", map[string]string{"t1.conf": "[one]\n", "t3.conf": "[three]\nz=4\n"}, []string{"t1.conf", "t3.conf"}},
		{"warning kept in place", "", "", map[string]string{"t3.conf": "[three]\nno equals here\n"}, []string{"t3.conf"}},
		{"now uses a template of the top file, before it", "", "", map[string]string{"t1.conf": "[one](tpl)\n"}, []string{"t1.conf"}},
		{"uses a template of the file before", "", "", map[string]string{"t3.conf": "[three](two-b,tpl)\nz=1\n"}, []string{"t3.conf"}},
		{"a template of its own named like one before", "", "", map[string]string{"t1.conf": "[tpl](!)\nt=5\n[one](tpl)\n"}, []string{"t1.conf"}},
		{"uses a template after it", "", "", map[string]string{"t1.conf": "[one](two-b)\n"}, nil},
		{"uses a template the top file adds to after it", "[general]\n[tpl](!)\nt=1\n#include t1.conf\nt=2\n#include t2.conf\n#include t3.conf\n",
			"", map[string]string{"t1.conf": "[one](tpl)\n"}, nil},
		{"inherits a section (+) adds to after it", spliceTop + "[general](+)\nu=1\n", "", map[string]string{"t3.conf": "[three](general)\n"}, nil},
		{"inherits a section before it", "", "", map[string]string{"t3.conf": "[three](general)\n"}, []string{"t3.conf"}},
		{"(+) on its own section named like one before", "", "", map[string]string{"t1.conf": "[general]\n[general](+)\ny=1\n"}, nil},
		{"uses a template of a file spliced before it", "", "", map[string]string{"t2.conf": "[two-b](!)\ny=7\n[two]\n", "t3.conf": "[three](two-b)\n"}, []string{"t2.conf", "t3.conf"}},
		{"now (+) on another file's section", "", "", map[string]string{"t1.conf": "[one]\n[after](+)\nb=1\n"}, nil},
		{"now starts with lines", "", "", map[string]string{"t1.conf": "x=1\n[one]\n"}, nil},
		{"now includes", "", "", map[string]string{"t1.conf": "[one]\n#tryinclude nothing.conf\n"}, nil},
		{"now has an error", "", "", map[string]string{"t1.conf": "[one]\n[bad\n"}, nil},
		{"now defines what another file looked for", "[general]\n#include t1.conf\n#include t2.conf\n#include t3.conf\n[late](lost)\n",
			"", map[string]string{"t1.conf": "[one]\n[lost](!)\nx=1\n"}, nil},
		{"its template is looked up by another file", "[general]\n#include t1.conf\n#include t2.conf\n#include t3.conf\n[late](two-b)\n",
			"", map[string]string{"t2.conf": "[two-b](!)\ny=9\n[two]\n"}, nil},
		{"lines of the top file after it", "[general]\n#include t1.conf\n#include t2.conf\nw=1\n#include t3.conf\n", "",
			map[string]string{"t2.conf": base["t2.conf"] + "w=1\n"}, []string{"t2.conf"}},
		{"the next file's first lines run into it", "", "z=0\n[three]\n", map[string]string{"t2.conf": base["t2.conf"] + "w=1\n"}, nil},
		{"they ran into the file before", "", "z=0\n[three]\n", map[string]string{"t3.conf": "z=1\n[three]\n"}, nil},
		{"included twice", "[general]\n#include t1.conf\n#include t1.conf\n#include t2.conf\n#include t3.conf\n",
			"", map[string]string{"t1.conf": "[one]\nq=2\n"}, nil},
		{"no section before", "", "", map[string]string{"t3.conf": "; empty now\n"}, nil},
		{"top-level file", "", "", map[string]string{"top.conf": spliceTop + "[more]\n"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			top := c.top
			if top == "" {
				top = spliceTop
			}
			files := maps.Clone(base)
			if c.t3 != "" {
				files["t3.conf"] = c.t3
			}
			dir, opts := spliceTree(t, top, files)
			cfg, err := ParseFile(filepath.Join(dir, "top.conf"), opts)
			if err != nil {
				t.Fatal(err)
			}
			for name, body := range c.edit {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, reps := resplice(t, cfg, opts)
			var spliced []string
			for _, r := range reps {
				spliced = append(spliced, r.File)
			}
			if !slices.Equal(spliced, c.files) {
				t.Fatalf("spliced %v, want %v", spliced, c.files)
			}
			if got != nil {
				whole, err := ParseFile(filepath.Join(dir, "top.conf"), opts)
				if err != nil {
					t.Fatal(err)
				}
				sameParse(t, got, whole)
			}
		})
	}
}

// TestSpliceRandom: random files of headers, templates, (+), += and
// errors, randomly edited: whenever Splice takes an edit on, its result is
// the whole tree's parse.
func TestSpliceRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	names := []string{"a", "b", "c", "d"}
	line := func() string {
		n := names[r.IntN(len(names))]
		switch r.IntN(12) {
		case 0:
			return "[" + n + "]"
		case 1:
			return "[" + n + "](!)"
		case 2:
			return "[" + n + "](" + names[r.IntN(len(names))] + ")"
		case 3:
			return "[" + n + "](+)"
		case 4:
			return n + " += more"
		case 5:
			return "bad line"
		case 6:
			return "[" + n + "-" + fmt.Sprint(r.IntN(3)) + "]"
		case 7:
			return "; comment"
		default:
			return fmt.Sprintf("%s = %d", n, r.IntN(9))
		}
	}
	body := func(header bool) string {
		var b strings.Builder
		if header {
			fmt.Fprintf(&b, "[own%d]\n", r.IntN(1000))
		}
		for range r.IntN(6) {
			b.WriteString(line() + "\n")
		}
		return b.String()
	}
	spliced := 0
	for round := range 400 {
		files := map[string]string{}
		for i := 1; i <= 3; i++ {
			files[fmt.Sprintf("t%d.conf", i)] = body(r.IntN(4) > 0)
		}
		top := "[general]\n" + body(false) + "#include t1.conf\n" + body(false) + "#include t2.conf\n#include t3.conf\n" + body(false)
		dir, opts := spliceTree(t, top, files)
		cfg, err := ParseFile(filepath.Join(dir, "top.conf"), opts)
		if err != nil {
			t.Fatal(err)
		}
		for step := range 3 {
			name := fmt.Sprintf("t%d.conf", 1+r.IntN(3))
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body(r.IntN(4) > 0)), 0o644); err != nil {
				t.Fatal(err)
			}
			whole, err := ParseFile(filepath.Join(dir, "top.conf"), opts)
			if err != nil {
				t.Fatal(err)
			}
			changed, ok := reread(cfg, opts)
			if !ok {
				t.Fatal("reread refused")
			}
			// A whole parse adopting the last one's sections is the
			// whole parse (Adopt takes only what came out the same).
			adopted, err := ParseFile(filepath.Join(dir, "top.conf"), opts)
			if err != nil {
				t.Fatal(err)
			}
			Adopt(adopted, cfg)
			sameParse(t, adopted, whole)
			if got, _ := splice(cfg, changed, opts); got != nil {
				spliced++
				t.Run(fmt.Sprintf("round%d-step%d", round, step), func(t *testing.T) { sameParse(t, got, whole) })
				cfg = got
			} else {
				cfg = whole
			}
		}
	}
	if spliced < 100 {
		t.Fatalf("only %d edits spliced: the generator no longer tests Splice", spliced)
	}
}

// TestSpliceBudget: a spliced config charges what the parse would, or
// nothing.
func TestSpliceBudget(t *testing.T) {
	dir, opts := spliceTree(t, spliceTop, map[string]string{"t1.conf": "[one]\n", "t2.conf": "[two]\n", "t3.conf": "[three]\n"})
	cfg, err := ParseFile(filepath.Join(dir, "top.conf"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "t2.conf"), []byte("[two]\nx=1234567890\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	whole, err := ParseFile(filepath.Join(dir, "top.conf"), opts)
	if err != nil {
		t.Fatal(err)
	}
	got, _, ok := Refresh(cfg, opts)
	if !ok || got == cfg {
		t.Fatal("not spliced")
	}
	opts.Budget = &Budget{MaxBytes: whole.charged.bytes - 1}
	if got.Charge(opts.Budget) {
		t.Fatal("a splice over the byte budget was taken")
	}
	if f, b := opts.Budget.Used(); f != 0 || b != 0 {
		t.Fatalf("a refused splice charged %d files, %d bytes", f, b)
	}
	opts.Budget = &Budget{}
	if !got.Charge(opts.Budget) {
		t.Fatal("refused")
	}
	if f, b := opts.Budget.Used(); f != whole.charged.files || b != whole.charged.bytes {
		t.Fatalf("charged %d files, %d bytes; the parse charges %d, %d", f, b, whole.charged.files, whole.charged.bytes)
	}
}

// TestDialplanSplice: random dialplans in tenant files, randomly edited:
// whenever the config and the dialplan splice, the dialplan is the one
// BuildDialplan makes of the whole tree.
func TestDialplanSplice(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	ctxs := []string{"in", "out", "Out", "shared", "default"}
	line := func(file int) string {
		c := ctxs[r.IntN(len(ctxs))]
		if r.IntN(2) == 0 {
			c = fmt.Sprintf("t%d-%s", file, c) // usually the file's own
		}
		switch r.IntN(10) {
		case 0, 1:
			return "[" + c + "]"
		case 2:
			return "include => " + c
		case 3:
			return "same => n,Hangup()"
		case 4:
			return fmt.Sprintf("exten => %d,1,Dial(SIP/%d,${TIMEOUT})", r.IntN(4), r.IntN(9))
		case 5:
			return fmt.Sprintf("exten => %d,1,Answer()", r.IntN(4)) // sometimes a repeated priority
		case 6:
			return "exten => _X.,hint,SIP/x"
		case 7:
			return "ignorepat => 9"
		default:
			return fmt.Sprintf("exten => s,n,Playback(p%d)", r.IntN(3))
		}
	}
	body := func(file int) string {
		var b strings.Builder
		fmt.Fprintf(&b, "[t%d-in]\n", file)
		for range r.IntN(8) {
			b.WriteString(line(file) + "\n")
		}
		return b.String()
	}
	users := Parse("users.conf", []byte("[general]\nhasexten=yes\n[6001]\nhassip=yes\n"), Options{})
	build := func(cfg *Config) *Dialplan {
		dp := BuildDialplan(cfg)
		dp.AddUsers(users)
		return dp
	}
	spliced := 0
	for round := range 200 {
		files := map[string]string{}
		for i := 1; i <= 3; i++ {
			files[fmt.Sprintf("t%d.conf", i)] = body(i)
		}
		top := "[general]\nuserscontext=default\n[globals]\nTIMEOUT=20\n[main]\nexten => 1,1,Goto(t1-in,s,1)\n#include t1.conf\n#include t2.conf\n#include t3.conf\n[t2-out]\nexten => 2,1,Hangup()\n"
		dir, opts := spliceTree(t, top, files)
		cfg, err := ParseFile(filepath.Join(dir, "top.conf"), opts)
		if err != nil {
			t.Fatal(err)
		}
		dp := build(cfg)
		for step := range 3 {
			n := 1 + r.IntN(3)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("t%d.conf", n)), []byte(body(n)), 0o644); err != nil {
				t.Fatal(err)
			}
			whole, err := ParseFile(filepath.Join(dir, "top.conf"), opts)
			if err != nil {
				t.Fatal(err)
			}
			wantDP := build(whole)
			changed, _ := reread(cfg, opts)
			got, reps := splice(cfg, changed, opts)
			var gotDP *Dialplan
			if got != nil {
				gotDP = dp.Splice(got, reps)
			}
			if gotDP == nil {
				cfg, dp = whole, wantDP
				continue
			}
			spliced++
			t.Run(fmt.Sprintf("round%d-step%d", round, step), func(t *testing.T) {
				if !reflect.DeepEqual(gotDP.Contexts, wantDP.Contexts) {
					t.Fatalf("contexts differ:\nspliced %v\nwhole   %v", dumpContexts(gotDP), dumpContexts(wantDP))
				}
				if !reflect.DeepEqual(gotDP.byName, wantDP.byName) {
					t.Fatal("context index differs")
				}
				a, b := slices.Clone(gotDP.Diags), slices.Clone(wantDP.Diags)
				a.Sort()
				b.Sort()
				if fmt.Sprint(a) != fmt.Sprint(b) {
					t.Fatalf("diagnostics differ:\nspliced %v\nwhole   %v", a, b)
				}
			})
			cfg, dp = got, gotDP
		}
	}
	if spliced < 100 {
		t.Fatalf("only %d dialplans spliced: the generator no longer tests Splice", spliced)
	}
}

func dumpContexts(d *Dialplan) string {
	var b strings.Builder
	for _, c := range d.Contexts {
		fmt.Fprintf(&b, "[%s]@%v inc=%v ", c.Name, c.Pos, c.Includes)
		for _, e := range c.Extensions {
			fmt.Fprintf(&b, "%s:%d ", e.Exten, len(e.Priorities))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestSpliceTemplateOfALaterFile: files are spliced in name order, so a
// file included after one whose template it uses may be spliced first;
// the second splice then sees its template looked up and refuses.
func TestSpliceTemplateOfALaterFile(t *testing.T) {
	top := "[general]\n#include b.conf\n#include a.conf\n"
	dir, opts := spliceTree(t, top, map[string]string{"b.conf": "[b-tpl](!)\nx=1\n[b]\n", "a.conf": "[a](b-tpl)\n"})
	cfg, err := ParseFile(filepath.Join(dir, "top.conf"), opts)
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"b.conf": "[b-tpl](!)\nx=2\n[b]\n", "a.conf": "[a](b-tpl)\ny=1\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got, reps := resplice(t, cfg, opts); got != nil {
		t.Fatalf("spliced %v: a.conf copied b.conf's template as it was", reps)
	}
}

// TestAdopt: a file parsed whole again shares the last parse's sections
// that came out the same, and only those.
func TestAdopt(t *testing.T) {
	top := "[general]\nx=1\n[tpl](!)\nt=1\n[a](tpl)\nv=1\n#include t1.conf\n[b]\nv=2\n[c](+)\nw=1\n"
	files := map[string]string{"t1.conf": "[c]\nv=3\n[d]\nv=4\n"}
	cases := []struct {
		name    string
		top     string
		adopted []string // the sections shared, in order
	}{
		{"a comment added at the end", top + "; edited\n", []string{"general", "tpl", "a", "c", "d", "b"}},
		{"a value changed", strings.Replace(top, "v=2", "v=5", 1), []string{"general", "tpl", "a", "c", "d"}},
		// A line inserted: the sections after it in the same file have
		// moved, and [c], which a (+) there adds to; the included file's
		// [d] has not (found by position).
		{"a line inserted", strings.Replace(top, "v=1\n", "v=1\nq=0\n", 1), []string{"general", "tpl", "d"}},
		{"a section inserted", strings.Replace(top, "[a](tpl)", "[new]\n[a](tpl)", 1), []string{"general", "tpl", "d"}},
		// The template changed: what copied it changed with it.
		{"a template changed", strings.Replace(top, "t=1", "t=2", 1), []string{"general", "c", "d", "b"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, opts := spliceTree(t, top, files)
			path := filepath.Join(dir, "top.conf")
			old, err := ParseFile(path, opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(c.top), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := ParseFile(path, opts)
			if err != nil {
				t.Fatal(err)
			}
			whole, err := ParseFile(path, opts)
			if err != nil {
				t.Fatal(err)
			}
			n := Adopt(cfg, old)
			sameParse(t, cfg, whole)
			var got []string
			for _, s := range cfg.Sections {
				if slices.Contains(old.Sections, s) {
					got = append(got, s.Name)
				}
			}
			if !slices.Equal(got, c.adopted) || n != len(got) {
				t.Errorf("adopted %v (counted %d), want %v", got, n, c.adopted)
			}
		})
	}
}

// TestLowerIs: lowerIs is strings.ToLower(s) == key, on ASCII and not.
func TestLowerIs(t *testing.T) {
	// A, Z and @ [ ` { bound the letters; "\x80" is no UTF-8, which
	// strings.ToLower turns into U+FFFD.
	for _, s := range []string{"phone", "PHONE", "t1-Phone", "t1-phone", "", "ſ", "s", "S", "K", "k", "İx", "i̇x", "ix", "Ärger", "ärger", "phon", "phones", "[x]",
		"A", "Z", "a", "z", "@", "`", "{", "\x80", "x\x80"} {
		for _, key := range []string{"phone", "t1-phone", "", "s", "ſ", "k", "i̇x", "ix", "ärger", "phon", "a", "z", "@", "`", "\x80", "x\x80"} {
			if got, want := lowerIs(s, key), strings.ToLower(s) == key; got != want {
				t.Errorf("lowerIs(%q, %q) = %v, want %v", s, key, got, want)
			}
		}
	}
}

// TestFirstSections: the first names are looked up by scanning, the
// next through an index of the whole list, with the same answers (the
// first section of a name, whatever its case).
func TestFirstSections(t *testing.T) {
	var list []*Section
	for i := range 20 {
		list = append(list, &Section{Name: fmt.Sprintf("S%d", i%15)}) // S0..S4 twice
	}
	f := firstByName(list)
	for i := range maxScans + 3 {
		key := fmt.Sprintf("s%d", i)
		if i == 5 {
			key = "missing"
		}
		got := f.find(key)
		if want := list[i]; i == 5 && got != nil || i != 5 && got != want {
			t.Fatalf("find(%q) = %v, want the first %q", key, got, key)
		}
		if whole := i >= maxScans; f.whole != whole {
			t.Fatalf("after %d look-ups: indexed %v, want %v", i+1, f.whole, whole)
		}
	}
	if f.find("s1") != list[1] || f.find("S14") != nil || f.find("s14") != list[14] {
		t.Error("the index does not give the first section of a name")
	}
}

// TestSpliceBounds: a file whose sections come first of all, and exactly
// maxSpliced files changed at once, are spliced; one more file is not.
func TestSpliceBounds(t *testing.T) {
	files := map[string]string{}
	top := "#include f0.conf\n[general]\n"
	for i := range maxSpliced + 1 {
		name := fmt.Sprintf("f%d.conf", i)
		files[name] = fmt.Sprintf("[s%d]\nx=1\n", i)
		if i > 0 {
			top += "#include " + name + "\n"
		}
	}
	for _, n := range []int{1, maxSpliced, maxSpliced + 1} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			dir, opts := spliceTree(t, top, files)
			cfg, err := ParseFile(filepath.Join(dir, "top.conf"), opts)
			if err != nil {
				t.Fatal(err)
			}
			for i := range n {
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%d.conf", i)), []byte(fmt.Sprintf("[s%d]\nx=2\n", i)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, reps := resplice(t, cfg, opts)
			if spliced := got != nil; spliced != (n <= maxSpliced) || spliced && len(reps) != n {
				t.Fatalf("%d files changed: spliced %v (%d replaced)", n, spliced, len(reps))
			}
			if got != nil && got.Sections[0].Vars[0].Value != "2" {
				t.Errorf("the first file's section was not replaced: %v", got.Sections[0].Vars)
			}
		})
	}
}

// TestDialplanSpliceEnds: the contexts of a file that are the first of
// the dialplan, the last, or several in a row are replaced in place.
func TestDialplanSpliceEnds(t *testing.T) {
	top := "#include first.conf\n[main]\nexten => 1,1,Hangup()\n#include mid.conf\n#include last.conf\n"
	files := map[string]string{
		"first.conf": "[a1]\nexten => 1,1,Answer()\n",
		"mid.conf":   "[m1]\nexten => 1,1,Answer()\n[m2]\nexten => 2,1,Answer()\n[m3]\nexten => 3,1,Answer()\n",
		"last.conf":  "[z1]\nexten => 1,1,Answer()\n",
	}
	for name, body := range files {
		t.Run(name, func(t *testing.T) {
			dir, opts := spliceTree(t, top, files)
			cfg, err := ParseFile(filepath.Join(dir, "top.conf"), opts)
			if err != nil {
				t.Fatal(err)
			}
			dp := BuildDialplan(cfg)
			if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.ReplaceAll(body, "Answer", "Hangup")), 0o644); err != nil {
				t.Fatal(err)
			}
			got, reps := resplice(t, cfg, opts)
			if got == nil {
				t.Fatal("not spliced")
			}
			spliced := dp.Splice(got, reps)
			if spliced == nil {
				t.Fatal("dialplan not spliced")
			}
			whole, err := ParseFile(filepath.Join(dir, "top.conf"), opts)
			if err != nil {
				t.Fatal(err)
			}
			if want := BuildDialplan(whole); !reflect.DeepEqual(spliced.Contexts, want.Contexts) {
				t.Fatalf("contexts differ:\nspliced %v\nwhole   %v", dumpContexts(spliced), dumpContexts(want))
			}
		})
	}
}
