package parser

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// writeTree writes files (relative name -> content) under a new temporary
// directory and returns it.
func writeTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// parseTree parses top inside a tree of files.
func parseTree(t testing.TB, files map[string]string, top string) *Config {
	t.Helper()
	dir := writeTree(t, files)
	cfg, err := ParseFile(filepath.Join(dir, top), Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// parseSrc parses src as main.conf in an empty directory.
func parseSrc(t testing.TB, src string) *Config {
	t.Helper()
	dir := t.TempDir()
	return Parse(filepath.Join(dir, "main.conf"), []byte(src), Options{Root: dir})
}

// sectionStrings renders the sections compactly: "[name](!)<base,...> k=v k=v".
func sectionStrings(cfg *Config) []string {
	out := []string{}
	for _, s := range cfg.Sections {
		var b strings.Builder
		b.WriteString("[" + s.Name + "]")
		if s.Template {
			b.WriteString("(!)")
		}
		if len(s.Inherits) > 0 {
			b.WriteString("<" + strings.Join(s.Inherits, ",") + ">")
		}
		for _, v := range s.Vars {
			b.WriteString(" " + v.Name + "=" + v.Value)
		}
		out = append(out, b.String())
	}
	return out
}

func diagStrings(l Diagnostics) []string {
	out := []string{}
	for _, d := range l {
		out = append(out, d.String())
	}
	return out
}

// TestConformanceEdgeCases is the table of ASTERISK-CONF.md §9.
func TestConformanceEdgeCases(t *testing.T) {
	type tc struct {
		n       int
		name    string
		files   map[string]string // main.conf is the top file
		want    []string          // sectionStrings
		invalid bool
		check   func(t *testing.T, cfg *Config)
	}
	cases := []tc{
		{n: 1, name: "inline comment and one-line block comment",
			files: map[string]string{"main.conf": "[s]\na=b ;c\nx=1;-- c --;2\n"},
			want:  []string{"[s] a=b x=12"}},
		{n: 2, name: "escaped semicolons",
			files: map[string]string{"main.conf": "[s]\nv=a\\;b\nw=a\\\\;b\n"},
			want:  []string{`[s] v=a;b w=a\;b`}},
		{n: 3, name: "three dashes are a line comment",
			files: map[string]string{"main.conf": "[s]\n;--- note\nk=v\n"},
			want:  []string{"[s] k=v"}},
		{n: 4, name: "nested block comment",
			files: map[string]string{"main.conf": "[s]\n;-- a ;-- b --; c --; k=v\n"},
			want:  []string{"[s] k=v"}},
		{n: 5, name: "stray closer hides later lines until an opener",
			files: map[string]string{"main.conf": "[s]\nk=1--;\nhidden=1\n[h]\n;-- reopen\nback=1\n"},
			want:  []string{"[s] k=1--; back=1"}},
		{n: 6, name: "blank before the parenthesis",
			files: map[string]string{"main.conf": "[a] (!)\nk=1\n"},
			want:  []string{"[a] k=1"}},
		{n: 7, name: "template variables come first",
			files: map[string]string{"main.conf": "[t](!)\nk=1\n[u](t)\nk=2\n"},
			want:  []string{"[t](!) k=1", "[u]<t> k=1 k=2"},
			check: func(t *testing.T, cfg *Config) {
				u := cfg.Section("u")
				if v, _ := u.Get("k"); v != "2" {
					t.Errorf("walking gives %q, want 2", v)
				}
				if v, _ := u.First("k"); v != "1" {
					t.Errorf("20.x retrieve gives %q, want 1", v)
				}
			}},
		{n: 8, name: "option tokens are not trimmed",
			files:   map[string]string{"main.conf": "[t](!)\nk=1\n[a](!, t)\n"},
			invalid: true,
			check: func(t *testing.T, cfg *Config) {
				errs := cfg.Diags.Errors()
				if len(errs) != 1 || errs[0].Pos.Line != 3 || !strings.Contains(errs[0].Message, `" t"`) {
					t.Errorf("errors %v, want one at line 3 naming \" t\"", errs)
				}
			}},
		{n: 9, name: "append versus repeated headers",
			files: map[string]string{"main.conf": "[s]\nk=1\n[s](+)\nk=2\n[r]\na=1\n[r]\na=2\n"},
			want:  []string{"[s] k=1 k=2", "[r] a=1", "[r] a=2"},
			check: func(t *testing.T, cfg *Config) {
				if r := cfg.Section("r"); r == nil || r.Vars[0].Value != "1" {
					t.Errorf("lookup of r does not see the first [r]")
				}
			}},
		{n: 10, name: "+= appends",
			files: map[string]string{"main.conf": "[a]\nk=x\nk += y\n[b]\nk=x\nk+=y\n[c]\nk=x\nK+=y\n"},
			want:  []string{"[a] k=x y", "[b] k=xy", "[c] k=x K=y"}},
		{n: 11, name: "variable before a header is fatal; no '=' only warns",
			files:   map[string]string{"main.conf": "k=v\n[s]\nnovalue\n# x\nok=1\n"},
			invalid: true,
			want:    []string{"[s] ok=1"},
			check: func(t *testing.T, cfg *Config) {
				want := []string{
					`main.conf:1: error: a setting before any [section] header`,
					`main.conf:3: warning: no '=' in line: ignored`,
					`main.conf:4: warning: unknown directive '#': line ignored`,
				}
				if got := diagStrings(cfg.Diags); !reflect.DeepEqual(got, want) {
					t.Errorf("diagnostics\n got %q\nwant %q", got, want)
				}
			}},
		{n: 12, name: "missing #include is fatal",
			files:   map[string]string{"main.conf": "[s]\n#include nothere.conf\nk=1\n"},
			invalid: true,
			want:    []string{"[s] k=1"}},
		{n: 12, name: "missing #tryinclude is a no-op",
			files: map[string]string{"main.conf": "[s]\n#tryinclude nothere.conf\nk=1\n"},
			want:  []string{"[s] k=1"},
			check: func(t *testing.T, cfg *Config) {
				if len(cfg.Diags) != 0 {
					t.Errorf("diagnostics %v, want none", cfg.Diags)
				}
			}},
		{n: 13, name: "n after a hint is dropped",
			files: map[string]string{"main.conf": "[c]\nexten => 100,hint,SIP/100\nsame => n,Dial(x)\n"},
			want:  []string{"[c] exten=100,hint,SIP/100 same=n,Dial(x)"},
			check: func(t *testing.T, cfg *Config) {
				dp := BuildDialplan(cfg)
				e := dp.Context("c").Extension("100", "")
				if e == nil || e.Hint != "SIP/100" || len(e.Priorities) != 0 {
					t.Fatalf("extension 100 = %+v, want the hint only", e)
				}
				if len(dp.Diags) != 0 {
					t.Errorf("the dropped line must be silent: %v", dp.Diags)
				}
			}},
		{n: 14, name: "n follows the previous line whatever its extension",
			files: map[string]string{"main.conf": "[c]\nexten => 1,1,NoOp()\nexten => 2,n,Set(A=${B})\n"},
			check: func(t *testing.T, cfg *Config) {
				e := BuildDialplan(cfg).Context("c").Extension("2", "")
				if e == nil || e.Priority(2) == nil {
					t.Fatalf("extension 2 = %+v, want priority 2", e)
				}
				if p := e.Priority(2); p.App != "Set" || p.Args != "A=${B}" {
					t.Errorf("priority 2 = %s(%s), want Set(A=${B}) unexpanded", p.App, p.Args)
				}
			}},
		{n: 15, name: "one name, several pjsip objects",
			files: map[string]string{"main.conf": "[6001]\ntype=endpoint\nauth=6001\n[6001]\ntype=auth\npassword=x\n[6001]\ntype=aor\n[6001]\ntype=endpoint\n"},
			want:  []string{"[6001] type=endpoint auth=6001", "[6001] type=auth password=x", "[6001] type=aor", "[6001] type=endpoint"},
			check: func(t *testing.T, cfg *Config) {
				// The parser keeps every section; sorcery's "two endpoints
				// 6001 fail the load" is for the index to decide.
				if cfg.Invalid || len(cfg.Diags) != 0 {
					t.Errorf("invalid=%v diags=%v, want a clean parse", cfg.Invalid, cfg.Diags)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := parseTree(t, c.files, "main.conf")
			if cfg.Invalid != c.invalid {
				t.Errorf("Invalid = %v, want %v (diags %v)", cfg.Invalid, c.invalid, cfg.Diags)
			}
			if c.want != nil {
				if got := sectionStrings(cfg); !reflect.DeepEqual(got, c.want) {
					t.Errorf("sections\n got %q\nwant %q", got, c.want)
				}
			}
			if c.check != nil {
				c.check(t, cfg)
			}
		})
	}
}

func TestSplitArgs(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"", []string{""}},
		{"a", []string{"a"}},
		{"a,b,c", []string{"a", "b", "c"}},
		{"a,", []string{"a", ""}},
		{",", []string{"", ""}},
		{",,a", []string{"", "", "a"}},
		{"SIP/a&SIP/b,30,tT(r)M(x,y)", []string{"SIP/a&SIP/b", "30", "tT(r)M(x,y)"}},
		{"${IF($[${A} > 1]?a,b:c)},d", []string{"${IF($[${A} > 1]?a,b:c)}", "d"}},
		{"f(g(h,i),j),k", []string{"f(g(h,i),j)", "k"}},
		{`"a,b",c`, []string{"a,b", "c"}},
		{`x"a,b"y,c`, []string{"xa,by", "c"}},
		{`"unterminated,quote`, []string{"unterminated,quote"}},
		{`a\,b,c`, []string{"a,b", "c"}},
		{`a\\b`, []string{`a\b`}},
		{`a\"b,c`, []string{`a"b`, "c"}},
		{"[a,b],c", []string{"[a,b]", "c"}},
		{"[[a,b]],c", []string{"[[a,b]]", "c"}},
		{"a),b", []string{"a)", "b"}},
		{"a],b", []string{"a]", "b"}},
		{"(a,b", []string{"(a,b"}},
		{" a , b ", []string{" a ", " b "}},
		{"Goto(ctx,s,1)", []string{"Goto(ctx,s,1)"}},
		{"ctx,s,1", []string{"ctx", "s", "1"}},
	}
	for _, c := range cases {
		if got := SplitArgs(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("SplitArgs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSectionAccessors(t *testing.T) {
	cfg := parseSrc(t, "[t](!)\nallow=ulaw\nContext=from-t\n[s](t)\nallow=alaw\ncontext=own\nALLOW=g722\nempty=\n")
	s := cfg.Section("s")
	if s == nil {
		t.Fatal("no [s]")
	}
	get := []struct {
		name, want string
		ok         bool
	}{
		{"allow", "g722", true},
		{"Allow", "g722", true},
		{"context", "own", true},
		{"empty", "", true},
		{"missing", "", false},
	}
	for _, g := range get {
		if v, ok := s.Get(g.name); v != g.want || ok != g.ok {
			t.Errorf("Get(%q) = %q, %v; want %q, %v", g.name, v, ok, g.want, g.ok)
		}
	}
	first := []struct{ name, want string }{{"allow", "ulaw"}, {"CONTEXT", "from-t"}, {"empty", ""}}
	for _, f := range first {
		if v, ok := s.First(f.name); v != f.want || !ok {
			t.Errorf("First(%q) = %q, %v; want %q", f.name, v, ok, f.want)
		}
	}
	if _, ok := s.First("missing"); ok {
		t.Error("First(missing) reports found")
	}
	var all []string
	for _, v := range s.All("ALLOW") {
		all = append(all, v.Value)
	}
	if want := []string{"ulaw", "alaw", "g722"}; !reflect.DeepEqual(all, want) {
		t.Errorf("All(ALLOW) = %q, want %q", all, want)
	}
	if got := s.All("missing"); len(got) != 0 {
		t.Errorf("All(missing) = %v", got)
	}
	if v := s.Lookup("context"); v == nil || v.Value != "own" || v.Inherited || v.Pos.Line != 6 {
		t.Errorf("Lookup(context) = %+v, want own at line 6", v)
	}
	if v := s.Lookup("nope"); v != nil {
		t.Errorf("Lookup(nope) = %+v", v)
	}
	// Lookup returns a pointer into the section.
	s.Lookup("empty").Value = "set"
	if v, _ := s.Get("empty"); v != "set" {
		t.Errorf("Lookup does not point into Vars")
	}
}

func TestConfigSectionLookup(t *testing.T) {
	cfg := parseSrc(t, "[tpl](!)\nk=t\n[Peer]\nk=1\n[peer]\nk=2\n[general](!)\nk=g\n[General]\nk=G\n[only-tpl](!)\n")
	cases := []struct {
		name string
		want string // value of k, "" for no section
	}{
		{"peer", "1"},
		{"PEER", "1"},
		{"Peer", "1"},
		{"tpl", ""},
		{"general", "G"},
		{"only-tpl", ""},
		{"missing", ""},
		{"", ""},
	}
	for _, c := range cases {
		s := cfg.Section(c.name)
		got := ""
		if s != nil {
			got, _ = s.Get("k")
			if s.Template {
				t.Errorf("Section(%q) returned a template", c.name)
			}
		}
		if got != c.want {
			t.Errorf("Section(%q): k=%q, want %q", c.name, got, c.want)
		}
	}
	// Iteration sees everything, templates included, in file order.
	var names []string
	for _, s := range cfg.Sections {
		names = append(names, s.Name)
	}
	if want := []string{"tpl", "Peer", "peer", "general", "General", "only-tpl"}; !reflect.DeepEqual(names, want) {
		t.Errorf("sections %q, want %q", names, want)
	}
}

func TestDiagnosticsSort(t *testing.T) {
	l := Diagnostics{
		{Pos: Pos{"b.conf", 1}, Severity: Warning, Message: "w"},
		{Pos: Pos{"a.conf", 10}, Severity: Warning, Message: "x"},
		{Pos: Pos{"a.conf", 2}, Severity: Warning, Message: "b"},
		{Pos: Pos{"a.conf", 2}, Severity: Error, Message: "z"},
		{Pos: Pos{"a.conf", 2}, Severity: Warning, Message: "a"},
		{Pos: Pos{"a.conf", 2}, Severity: Error, Message: "c"},
		{Pos: Pos{"", 0}, Severity: Error, Message: "no position"},
		{Pos: Pos{"a.conf", 2}, Severity: Warning, Message: "a"},
	}
	l.Sort()
	want := []string{
		": error: no position",
		"a.conf:2: error: c",
		"a.conf:2: error: z",
		"a.conf:2: warning: a",
		"a.conf:2: warning: a",
		"a.conf:2: warning: b",
		"a.conf:10: warning: x",
		"b.conf:1: warning: w",
	}
	if got := diagStrings(l); !reflect.DeepEqual(got, want) {
		t.Errorf("sorted\n got %q\nwant %q", got, want)
	}
	if !sort.IsSorted(l) {
		t.Error("sort.IsSorted is false after Sort")
	}

	errs := l.Errors()
	if len(errs) != 3 {
		t.Fatalf("Errors() = %v", errs)
	}
	if err := l.Err(); err == nil || err.Error() != ": error: no position (and 2 more)" {
		t.Errorf("Err() = %v", err)
	}
	if err := (Diagnostics{{Pos: Pos{"x", 1}, Severity: Warning, Message: "w"}}).Err(); err != nil {
		t.Errorf("warnings only: Err() = %v, want nil", err)
	}
	if s := (Diagnostics{{Pos: Pos{"x", 3}, Severity: Error, Message: "boom"}}).Error(); s != "x:3: error: boom" {
		t.Errorf("one error: %q", s)
	}
	if s := (Diagnostics{}).Error(); s != "no errors" {
		t.Errorf("no errors: %q", s)
	}
	var target Diagnostics
	if !errors.As(l.Err(), &target) || len(target) != 3 {
		t.Errorf("Err() is not a Diagnostics: %T", l.Err())
	}
}

func TestDiagnosticJSON(t *testing.T) {
	b, err := json.Marshal(Diagnostics{{Pos: Pos{"a.conf", 3}, Severity: Error, Message: "bad <thing>"}, {Pos: Pos{"b.conf", 0}, Severity: Warning, Message: "w"}})
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"severity":"error","file":"a.conf","line":3,"message":"bad \u003cthing\u003e"},{"severity":"warning","file":"b.conf","line":0,"message":"w"}]`
	if string(b) != want {
		t.Errorf("JSON\n got %s\nwant %s", b, want)
	}
	if s := (Pos{"a.conf", 0}).String(); s != "a.conf" {
		t.Errorf("Pos without line: %q", s)
	}
	if s := (Pos{"a.conf", 7}).String(); s != "a.conf:7" {
		t.Errorf("Pos: %q", s)
	}
	if Warning.String() != "warning" || Error.String() != "error" {
		t.Error("Severity.String")
	}
}

// TestPositions checks file:line of sections and variables, inherited ones
// pointing at the template's own line, across included files.
func TestPositions(t *testing.T) {
	cfg := parseTree(t, map[string]string{
		"main.conf":       "; line 1\n#include tpl/phones.conf\n\n[2001](phone)\nsecret=x\n[2002](phone,codecs)\n\n  secret = y ; line 8\n#include more.conf\n",
		"tpl/phones.conf": "[phone](!)\ntype=friend\n\ncontext=office\n[codecs](!)\nallow=ulaw\n",
		"more.conf":       "[2003](2001)\nnote=inherits a non-template\n",
	}, "main.conf")
	type want struct {
		name string
		pos  string
		vars []string // name@file:line, "*" marks inherited
	}
	wants := []want{
		{"phone", "tpl/phones.conf:1", []string{"type@tpl/phones.conf:2", "context@tpl/phones.conf:4"}},
		{"codecs", "tpl/phones.conf:5", []string{"allow@tpl/phones.conf:6"}},
		{"2001", "main.conf:4", []string{"*type@tpl/phones.conf:2", "*context@tpl/phones.conf:4", "secret@main.conf:5"}},
		{"2002", "main.conf:6", []string{"*type@tpl/phones.conf:2", "*context@tpl/phones.conf:4", "*allow@tpl/phones.conf:6", "secret@main.conf:8"}},
		{"2003", "more.conf:1", []string{"*type@tpl/phones.conf:2", "*context@tpl/phones.conf:4", "*secret@main.conf:5", "note@more.conf:2"}},
	}
	if len(cfg.Sections) != len(wants) {
		t.Fatalf("sections %q", sectionStrings(cfg))
	}
	for i, w := range wants {
		s := cfg.Sections[i]
		if s.Name != w.name || s.Pos.String() != w.pos {
			t.Errorf("section %d = [%s] at %s, want [%s] at %s", i, s.Name, s.Pos, w.name, w.pos)
		}
		var got []string
		for _, v := range s.Vars {
			mark := ""
			if v.Inherited {
				mark = "*"
			}
			got = append(got, mark+v.Name+"@"+v.Pos.String())
		}
		if !reflect.DeepEqual(got, w.vars) {
			t.Errorf("[%s] vars\n got %q\nwant %q", s.Name, got, w.vars)
		}
	}
	if want := []string{"main.conf", "tpl/phones.conf", "more.conf"}; !reflect.DeepEqual(cfg.Files, want) {
		t.Errorf("Files = %q, want %q", cfg.Files, want)
	}
	// Dialplan priorities keep the position of their own line, also when
	// inherited from a template.
	dcfg := parseTree(t, map[string]string{
		"extensions.conf": "[std](!)\nexten => s,1,Answer()\n\n[ctx](std)\nsame => n,Hangup()\n#include inc.conf\n",
		"inc.conf":        "exten => 5,1,NoOp()\n",
	}, "extensions.conf")
	dp := BuildDialplan(dcfg)
	c := dp.Context("ctx")
	if c == nil || c.Pos.String() != "extensions.conf:4" {
		t.Fatalf("context ctx = %+v", c)
	}
	var got []string
	for _, e := range c.Extensions {
		for _, p := range e.Priorities {
			got = append(got, e.Exten+","+p.App+"@"+p.Pos.String())
		}
	}
	if want := []string{"s,Answer@extensions.conf:2", "s,Hangup@extensions.conf:5", "5,NoOp@inc.conf:1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("priorities %q, want %q", got, want)
	}
}

func TestLineLengthLimit(t *testing.T) {
	mk := func(n int) string { return "k=" + strings.Repeat("v", n-2) }
	cases := []struct {
		name string
		line string
		kept bool
	}{
		{"8190 bytes", mk(8190), true},
		{"8191 bytes", mk(8191), false},
		{"8190 bytes and CR", mk(8189) + "\r", true},
		{"8190 bytes and CR over", mk(8190) + "\r", false},
		{"100000 bytes", mk(100000), false},
	}
	for _, c := range cases {
		for _, eol := range []string{"\n", ""} {
			cfg := parseSrc(t, "[s]\n"+c.line+eol)
			kept := len(cfg.Sections[0].Vars) == 1
			if kept != c.kept {
				t.Errorf("%s (eol %q): kept=%v, want %v", c.name, eol, kept, c.kept)
			}
			if !c.kept && (len(cfg.Diags) != 1 || cfg.Diags[0].Severity != Warning || cfg.Diags[0].Pos.Line != 2) {
				t.Errorf("%s: diags %v, want one warning at line 2", c.name, cfg.Diags)
			}
		}
	}
	// The limit is configurable.
	dir := t.TempDir()
	cfg := Parse(filepath.Join(dir, "x.conf"), []byte("[s]\nk=123456\nj=1\n"), Options{MaxLineLength: 5})
	if got := sectionStrings(cfg); !reflect.DeepEqual(got, []string{"[s] j=1"}) {
		t.Errorf("MaxLineLength 5: %q", got)
	}
}

func TestCommentNestingLimit(t *testing.T) {
	// Asterisk logs the 129th opener and then loops on it forever; the
	// parser reports it and goes on.
	src := "[s]\n" + strings.Repeat(";-- ", 130) + "\nhidden=1\n" + strings.Repeat("--; ", 128) + "after=1\n[t]\nk=1\n"
	cfg := parseSrc(t, src)
	if got := sectionStrings(cfg); !reflect.DeepEqual(got, []string{"[s] after=1", "[t] k=1"}) {
		t.Errorf("sections %q", got)
	}
	if len(cfg.Diags.Errors()) != 2 {
		t.Errorf("no error for nesting deeper than 128: %v", cfg.Diags)
	}
}

func TestOptionsAndErrors(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"a.conf":     "[a]\n#include b.conf\n",
		"b.conf":     "[b]\n#include c.conf\n",
		"c.conf":     "[c]\n",
		"big.conf":   "[big]\n" + strings.Repeat("k=v\n", 100),
		"sub/x.conf": "[x]\n#include y.conf\n",
		"sub/y.conf": "[y-in-sub]\n",
	})
	// MaxIncludeDepth 1: a may include b, b may not include c.
	cfg, err := ParseFile(filepath.Join(dir, "a.conf"), Options{MaxIncludeDepth: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := sectionStrings(cfg); !reflect.DeepEqual(got, []string{"[a]", "[b]"}) {
		t.Errorf("depth 1: %q", got)
	}
	if cfg.Invalid || len(cfg.Diags.Errors()) == 0 {
		t.Errorf("depth 1: invalid=%v diags=%v; want a valid top file and an error", cfg.Invalid, cfg.Diags)
	}
	// Root defaults to the directory of the top file.
	cfg, err = ParseFile(filepath.Join(dir, "sub", "x.conf"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := sectionStrings(cfg); !reflect.DeepEqual(got, []string{"[x]", "[y-in-sub]"}) || cfg.Dir != filepath.Join(dir, "sub") {
		t.Errorf("default root: %q dir %s", got, cfg.Dir)
	}
	cfg = Parse(filepath.Join(dir, "sub", "x.conf"), []byte("[x]\n#include y.conf\n"), Options{})
	if got := sectionStrings(cfg); !reflect.DeepEqual(got, []string{"[x]", "[y-in-sub]"}) {
		t.Errorf("Parse default root: %q", got)
	}
	// Missing top file: an error wrapping fs.ErrNotExist.
	if _, err := ParseFile(filepath.Join(dir, "nothere.conf"), Options{}); !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, ErrNotFound) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := ParseFile(dir, Options{}); err == nil {
		t.Error("a directory parses without error")
	}
	if _, err := ParseFile(filepath.Join(dir, "big.conf"), Options{MaxFileSize: 50}); err == nil {
		t.Error("a file over MaxFileSize parses without error")
	}
	// An included file over the limit is an error diagnostic, not a panic.
	cfg = Parse(filepath.Join(dir, "top.conf"), []byte("[t]\n#include big.conf\n"), Options{MaxFileSize: 50})
	if len(cfg.Diags.Errors()) == 0 {
		t.Errorf("oversized include: %v", cfg.Diags)
	}
}

func TestIncludeRecords(t *testing.T) {
	cfg := parseTree(t, map[string]string{
		"main.conf":    "[s]\n#include \"peers/*.conf\"\n#tryinclude <none.conf>\n",
		"peers/b.conf": "[b]\n",
		"peers/a.conf": "[a]\n",
	}, "main.conf")
	if len(cfg.Includes) != 2 {
		t.Fatalf("includes %+v", cfg.Includes)
	}
	inc := cfg.Includes[0]
	if inc.Pos.String() != "main.conf:2" || inc.Name != "peers/*.conf" || !reflect.DeepEqual(inc.Files, []string{"peers/a.conf", "peers/b.conf"}) {
		t.Errorf("include 0 = %+v", inc)
	}
	if !filepath.IsAbs(inc.Pattern) || !strings.HasSuffix(filepath.ToSlash(inc.Pattern), "/peers/*.conf") {
		t.Errorf("pattern %q", inc.Pattern)
	}
	if inc := cfg.Includes[1]; inc.Name != "none.conf" || len(inc.Files) != 0 {
		t.Errorf("include 1 = %+v", inc)
	}
}

func TestDialplanAccessors(t *testing.T) {
	cfg := parseSrc(t, `[general]
userscontext=users
[globals]
A=1
A=2
B=${A}0
[Ctx]
include => other,09:00-17:00,*,*,*
exten => 555-1212,1(start),NoOp()
same => n,Wait(1)
same => n(end),Hangup()
exten => _X.,1,NoOp()
exten => 100/200,1,NoOp()
[ctx]
exten => s,1,NoOp()
`)
	dp := BuildDialplan(cfg)
	if dp.UsersContext != "users" {
		t.Errorf("UsersContext %q", dp.UsersContext)
	}
	if dp.Context("ctx") == nil || dp.Context("Ctx") == nil || dp.Context("CTX") != nil || dp.Context("ctx") == dp.Context("Ctx") {
		t.Error("contexts are not case-sensitive and distinct")
	}
	var globals []string
	for _, g := range dp.Globals {
		globals = append(globals, g.Name+"="+g.Value+"@"+g.Pos.String())
	}
	if want := []string{"A=2@main.conf:5", "B=20@main.conf:6"}; !reflect.DeepEqual(globals, want) {
		t.Errorf("globals %q, want %q", globals, want)
	}
	c := dp.Context("Ctx")
	if len(c.Includes) != 1 || c.Includes[0].Context != "other" || c.Includes[0].Timing != "09:00-17:00,*,*,*" ||
		c.Includes[0].String() != "other,09:00-17:00,*,*,*" || c.Includes[0].Pos.Line != 8 {
		t.Errorf("includes %+v", c.Includes)
	}
	if (ContextInclude{Context: "x"}).String() != "x" {
		t.Error("ContextInclude.String without timing")
	}
	e := c.Extension("5551212", "")
	if e == nil || e != c.Extension("555-1212", "") || e != c.Extension("55-51-212", "") {
		t.Fatalf("dash-insensitive lookup failed: %+v", e)
	}
	if e.Exten != "555-1212" || e.IsPattern() {
		t.Errorf("exten %q pattern %v", e.Exten, e.IsPattern())
	}
	if p := e.Label("end"); p == nil || p.Priority != 3 {
		t.Errorf("Label(end) = %+v", p)
	}
	if p := e.Label("start"); p == nil || p.Priority != 1 {
		t.Errorf("Label(start) = %+v", p)
	}
	if e.Label("nope") != nil || e.Priority(4) != nil || e.Priority(0) != nil {
		t.Error("absent label or priority found")
	}
	if p := e.Priority(2); p == nil || p.App != "Wait" || p.Args != "1" {
		t.Errorf("Priority(2) = %+v", p)
	}
	if x := c.Extension("_X.", ""); x == nil || !x.IsPattern() {
		t.Errorf("_X. = %+v", x)
	}
	if c.Extension("100", "") != nil || c.Extension("100", "200") == nil {
		t.Error("caller-ID match lookup")
	}
}

func TestPrioritiesSortedWhateverTheOrder(t *testing.T) {
	cfg := parseSrc(t, "[c]\nexten => 1,5,E()\nexten => 1,2,B()\nexten => 1,9,F()\nexten => 1,1,A()\nexten => 1,3,C()\n")
	e := BuildDialplan(cfg).Context("c").Extension("1", "")
	var got []string
	for _, p := range e.Priorities {
		got = append(got, p.App)
	}
	if want := []string{"A", "B", "C", "E", "F"}; !reflect.DeepEqual(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
}

func TestIsTrue(t *testing.T) {
	for _, s := range []string{"yes", "YES", "true", "y", "t", "1", "on", "On", " yes ", "\tyes"} {
		if !IsTrue(s) {
			t.Errorf("IsTrue(%q) = false", s)
		}
	}
	for _, s := range []string{"", "no", "false", "0", "off", "yess", "2", "nope"} {
		if IsTrue(s) {
			t.Errorf("IsTrue(%q) = true", s)
		}
	}
}

func TestDumpNeverNull(t *testing.T) {
	cfg := parseSrc(t, "[s]\n")
	b, err := json.Marshal(cfg.Dump())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "null") {
		t.Errorf("conf dump has null: %s", b)
	}
	b, err = json.Marshal(BuildDialplan(cfg).Dump(nil))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "null") {
		t.Errorf("dialplan dump has null: %s", b)
	}
	// Dump(extra) sorts the combined diagnostics and does not touch extra.
	extra := Diagnostics{{Pos: Pos{"z.conf", 1}, Severity: Warning, Message: "z"}, {Pos: Pos{"a.conf", 1}, Severity: Warning, Message: "a"}}
	dd := BuildDialplan(parseSrc(t, "[c]\nexten => 1,n,NoOp()\n")).Dump(extra)
	var files []string
	for _, d := range dd.Diagnostics {
		files = append(files, d.Pos.File)
	}
	if want := []string{"a.conf", "main.conf", "z.conf"}; !reflect.DeepEqual(files, want) {
		t.Errorf("dump diagnostics %q, want %q", files, want)
	}
	if extra[0].Pos.File != "z.conf" {
		t.Error("Dump sorted the caller's slice")
	}
}

// TestAllowedRoots checks the confinement of every file read: an include
// that leaves the allowed directories (by path or by symlink) is an error
// and is not read, but it is not "missing" either.
func TestAllowedRoots(t *testing.T) {
	base := writeTree(t, map[string]string{
		"etc/main.conf":     "[s]\n#include ../outside/x.conf\n#include link.conf\n#include inner-link.conf\n#include sub/*.conf\nk=1\n",
		"etc/sub/a.conf":    "[a]\n",
		"etc/real.conf":     "[real]\n",
		"outside/x.conf":    "[outside]\n",
		"outside/link.conf": "[via-link]\n",
	})
	etc := filepath.Join(base, "etc")
	if err := os.Symlink(filepath.Join(base, "outside", "link.conf"), filepath.Join(etc, "link.conf")); err != nil {
		t.Skip("no symlinks:", err)
	}
	if err := os.Symlink(filepath.Join(etc, "real.conf"), filepath.Join(etc, "inner-link.conf")); err != nil {
		t.Fatal(err)
	}
	top := filepath.Join(etc, "main.conf")

	cfg, err := ParseFile(top, Options{AllowedRoots: []string{etc}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sectionStrings(cfg), []string{"[s] k=1", "[real]", "[a]"}; !reflect.DeepEqual(got, want) {
		t.Errorf("confined: sections %q, want %q", got, want)
	}
	if cfg.Invalid {
		t.Errorf("a refused include must not make the file invalid: %v", cfg.Diags)
	}
	errs := cfg.Diags.Errors()
	if len(errs) != 2 || errs[0].Pos.Line != 2 || errs[1].Pos.Line != 3 {
		t.Errorf("errors %q, want the includes of lines 2 and 3", diagStrings(errs))
	}
	if !reflect.DeepEqual(cfg.ReadErrors, errs) {
		t.Errorf("ReadErrors %q, want %q", diagStrings(cfg.ReadErrors), diagStrings(errs))
	}

	// Without AllowedRoots everything is read.
	cfg, err = ParseFile(top, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sectionStrings(cfg), []string{"[s] k=1", "[outside]", "[via-link]", "[real]", "[a]"}; !reflect.DeepEqual(got, want) {
		t.Errorf("unconfined: sections %q, want %q", got, want)
	}
	// A file outside the roots lists its absolute path.
	for _, f := range cfg.Files {
		if strings.Contains(f, "outside") && !filepath.IsAbs(f) {
			t.Errorf("file %q outside Dir is not absolute", f)
		}
	}

	// The top file itself is checked too; several roots may be given.
	if _, err := ParseFile(filepath.Join(base, "outside", "x.conf"), Options{AllowedRoots: []string{etc}}); err == nil {
		t.Error("a top file outside the roots is read")
	}
	cfg, err = ParseFile(top, Options{AllowedRoots: []string{etc, filepath.Join(base, "outside")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Sections) != 5 || len(cfg.Diags.Errors()) != 0 {
		t.Errorf("two roots: %q %v", sectionStrings(cfg), cfg.Diags)
	}
}

func TestReadErrorsRecordCycles(t *testing.T) {
	cfg := parseTree(t, map[string]string{
		"main.conf": "[s]\n#include a.conf\n#include nothere.conf\n",
		"a.conf":    "#include main.conf\n",
	}, "main.conf")
	if len(cfg.ReadErrors) != 1 || !strings.Contains(cfg.ReadErrors[0].Message, "include cycle: main.conf -> a.conf -> main.conf") ||
		cfg.ReadErrors[0].Pos.String() != "a.conf:1" {
		t.Errorf("ReadErrors %q", diagStrings(cfg.ReadErrors))
	}
	// A missing #include is a fatal line, not a read error.
	if !cfg.Invalid || len(cfg.Diags.Errors()) != 2 {
		t.Errorf("invalid=%v errors %q", cfg.Invalid, diagStrings(cfg.Diags.Errors()))
	}
}
