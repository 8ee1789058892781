package parser

import (
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
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

// Cap keeps errors before warnings (each in list order), at most perFile
// per file and total in all, says how many it dropped where, and leaves a list within its
// limits as it is (unsorted included).
func TestDiagnosticsCap(t *testing.T) {
	d := func(file string, line int, sev Severity) Diagnostic {
		return Diagnostic{Pos: Pos{File: file, Line: line}, Severity: sev, Message: "m"}
	}
	l := Diagnostics{d("b.conf", 2, Warning), d("a.conf", 3, Warning), d("a.conf", 2, Error), d("a.conf", 1, Warning), d("b.conf", 1, Warning), d("c.conf", 1, Error)}
	render := func(l Diagnostics) []string {
		var out []string
		for _, x := range l {
			out = append(out, x.Pos.String()+" "+x.Severity.String()+" "+x.Message)
		}
		return out
	}
	asIs := render(l)
	cases := []struct {
		perFile, total int
		want           []string
	}{
		{0, 0, asIs},
		{6, 0, asIs},
		{0, 6, asIs},
		{3, 6, []string{"a.conf:1 warning m", "a.conf:2 error m", "a.conf:3 warning m", "b.conf:1 warning m", "b.conf:2 warning m", "c.conf:1 error m"}},
		{2, 0, []string{
			"a.conf warning 1 more diagnostics in this file dropped (over the limit)",
			"a.conf:2 error m", "a.conf:3 warning m", "b.conf:1 warning m", "b.conf:2 warning m", "c.conf:1 error m"}},
		{0, 3, []string{
			" warning 3 more diagnostics in all dropped (over the limit)",
			"a.conf:2 error m", "b.conf:2 warning m", "c.conf:1 error m"}},
		{1, 2, []string{
			" warning 2 more diagnostics in all dropped (over the limit)",
			"a.conf warning 2 more diagnostics in this file dropped (over the limit)",
			"a.conf:2 error m", "c.conf:1 error m"}},
	}
	for _, c := range cases {
		if got := render(l.Cap(c.perFile, c.total)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Cap(%d, %d):\n got %q\nwant %q", c.perFile, c.total, got, c.want)
		}
	}
}

// A Budget admits reads up to its limits: the MaxFiles-th file is read,
// not the next; MaxBytes bytes are read, not one more; no limit when 0.
func TestBudgetLimits(t *testing.T) {
	admitted := func(b *Budget, sizes ...int) (n int, err error) {
		for _, size := range sizes {
			if err = b.admit(); err != nil {
				return n, err
			}
			if err = b.charge(size); err != nil {
				return n, err
			}
			n++
		}
		return n, nil
	}
	cases := []struct {
		name   string
		b      *Budget
		sizes  []int
		want   int
		errHas string
	}{
		{"nil", nil, []int{1 << 20, 1 << 20}, 2, ""},
		{"no limits", &Budget{}, []int{1 << 20, 1 << 20, 1 << 20}, 3, ""},
		{"files: the last one allowed", &Budget{MaxFiles: 2}, []int{1, 1}, 2, ""},
		{"files: one over", &Budget{MaxFiles: 2}, []int{1, 1, 1}, 2, "more than 2 file reads"},
		{"bytes: exactly the limit", &Budget{MaxBytes: 10}, []int{4, 6}, 2, ""},
		{"bytes: one over, when charged", &Budget{MaxBytes: 10}, []int{4, 7}, 1, "more than 10 bytes read"},
		{"bytes: at the limit, another empty file", &Budget{MaxBytes: 10}, []int{4, 6, 0}, 3, ""},
		{"deadline passed", &Budget{Deadline: time.Now().Add(-time.Second)}, []int{1}, 0, "time limit"},
		{"deadline ahead", &Budget{Deadline: time.Now().Add(time.Hour)}, []int{1, 1}, 2, ""},
	}
	for _, c := range cases {
		n, err := admitted(c.b, c.sizes...)
		if n != c.want || (err == nil) != (c.errHas == "") || err != nil && !strings.Contains(err.Error(), c.errHas) {
			t.Errorf("%s: %d reads, error %v; want %d reads, error with %q", c.name, n, err, c.want, c.errHas)
		}
	}
	// Files parsed concurrently may all be admitted before one goes over:
	// the next admit then refuses.
	b := &Budget{MaxBytes: 10}
	_ = b.charge(11)
	if err := b.admit(); err == nil || !strings.Contains(err.Error(), "more than 10 bytes") {
		t.Errorf("admit after going over: %v", err)
	}
}

// Globals expand at load time with Asterisk's substring rules: a negative
// offset counts from the end, a negative length drops characters from the
// end, anything out of range gives what is left (or nothing).
func TestExpandSubstrings(t *testing.T) {
	dp := BuildDialplan(parseSrc(t, "[globals]\nN=5145550100\nONE=1\n"))
	for in, want := range map[string]string{
		"${N}": "5145550100", "${N:1}": "145550100", "${N:-4}": "0100", "${N:-20}": "5145550100",
		"${N:10}": "", "${N:11}": "", "${N:0:3}": "514", "${N:2:0}": "", "${N:0:10}": "5145550100",
		"${N:0:-2}": "51455501", "${N:0:-10}": "", "${N:0:-11}": "", "${N:3:x}": "5550100",
		"${UNKNOWN}": "", "${CALLERID(num)}": "", "a${N:7}b": "a100b", "${N:${ONE}:2}": "14",
		"x${N": "x${N", "$[1+2]": "$[1+2]", "$N": "$N", "${N}${N:8}": "514555010000", "x$": "x$", "${N}$": "5145550100$",
	} {
		if got := dp.expand(in); got != want {
			t.Errorf("expand(%q) = %q, want %q", in, got, want)
		}
	}
	// ExpandGlobals leaves what it cannot know as written.
	for in, want := range map[string]string{
		"${N}-${NOPE}-${N": "5145550100-${NOPE}-${N", "x$": "x$", "${ONE}${ONE}": "11", "${}": "${}", "$${ONE}": "$1", "${ONE}$": "1$",
	} {
		if got := dp.ExpandGlobals(in); got != want {
			t.Errorf("ExpandGlobals(%q) = %q, want %q", in, got, want)
		}
	}
}

// MaxDiagnosticsPerFile keeps that many diagnostics of a file and says
// how many more there were.
func TestMaxDiagnosticsPerFile(t *testing.T) {
	src := "no section 1\nno section 2\nno section 3\n"
	for limit, dropped := range map[int]int{0: 0, 3: 0, 2: 1, 1: 2} {
		dir := t.TempDir()
		cfg := Parse(filepath.Join(dir, "main.conf"), []byte(src), Options{Root: dir, MaxDiagnosticsPerFile: limit})
		want := 3
		if dropped > 0 {
			want = limit + 1
		}
		got := diagStrings(cfg.Diags)
		if len(got) != want || dropped > 0 && !strings.Contains(strings.Join(got, "\n"), fmt.Sprintf(" %d more diagnostics in this file dropped", dropped)) {
			t.Errorf("limit %d: diagnostics %q, want %d with %d dropped", limit, got, want, dropped)
		}
	}
}

// A dialplan of 256 sections or more loads on several goroutines, each
// taking the contexts whose name hashes to it: every section is loaded
// once, a context split over two sections keeps its lines in file order,
// and the diagnostics come in file order.
func TestParallelDialplanLoad(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	var b strings.Builder
	const n = 300
	for i := range n {
		fmt.Fprintf(&b, "[c%d]\nexten => s,1,NoOp(first)\nbogus => %d\n", i, i)
	}
	for i := range n {
		fmt.Fprintf(&b, "[c%d]\nexten => s,2,Hangup()\n", i)
	}
	dp := BuildDialplan(parseSrc(t, b.String()))
	if len(dp.Contexts) != n {
		t.Fatalf("%d contexts, want %d", len(dp.Contexts), n)
	}
	for i, c := range dp.Contexts {
		if c.Name != fmt.Sprintf("c%d", i) {
			t.Fatalf("context %d is %q", i, c.Name)
		}
		e := c.Extension("s", "")
		if e == nil || len(e.Priorities) != 2 || e.Priorities[0].App != "NoOp" || e.Priorities[1].App != "Hangup" || e.Priorities[1].Priority != 2 {
			t.Fatalf("%s: extension s %+v", c.Name, e)
		}
	}
	if len(dp.Diags) != n {
		t.Fatalf("%d diagnostics, want %d", len(dp.Diags), n)
	}
	for i, d := range dp.Diags {
		if d.Pos.Line != 3*i+3 {
			t.Fatalf("diagnostic %d at %s, want line %d", i, d.Pos, 3*i+3)
		}
	}
}

// Priority numbers may have blanks before them, as atoi allows.
func TestScanIntBlanks(t *testing.T) {
	for in, want := range map[string]int{" 12": 12, "\t\n\r\v\f7": 7, "  -3": -3, "+4": 4} {
		if got, ok := scanInt(in); !ok || got != want {
			t.Errorf("scanInt(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	if _, ok := scanInt("  "); ok {
		t.Error("scanInt of blanks only succeeds")
	}
}

// SplitArgsInto fills dst with the first arguments SplitArgs gives, and
// counts all of them, with or without quotes.
func TestSplitArgsInto(t *testing.T) {
	// A closing bracket without its opening one does not hide the commas
	// after it.
	for s, want := range map[string][]string{"a)),b,c": {"a))", "b", "c"}, "a]],b": {"a]]", "b"}, `"a))",b`: {"a))", "b"}, `a]],"b"`: {"a]]", "b"},
		`\,a`: {",a"}, `"x",f(a,b)`: {"x", "f(a,b)"}, `"x",f(a),b`: {"x", "f(a)", "b"}, `"x",[a],b`: {"x", "[a]", "b"}, `"x",[a,b]`: {"x", "[a,b]"}} {
		if got := SplitArgs(s); !reflect.DeepEqual(got, want) {
			t.Errorf("SplitArgs(%q) = %q, want %q", s, got, want)
		}
		if got := FirstArg(s); got != want[0] {
			t.Errorf("FirstArg(%q) = %q, want %q", s, got, want[0])
		}
	}
	for _, s := range []string{"a,b(c,d),[e,f],g", `a,"b,c",d\,e,f`, "", "x", "a)),b,c", "a]],b"} {
		all := SplitArgs(s)
		for size := 0; size <= len(all)+1; size++ {
			dst := make([]string, size)
			n := SplitArgsInto(dst, s)
			if n != len(all) {
				t.Errorf("SplitArgsInto(%d, %q) = %d, want %d", size, s, n, len(all))
			}
			want := make([]string, size)
			copy(want, all)
			if !reflect.DeepEqual(dst, want) {
				t.Errorf("SplitArgsInto(%d, %q) stored %q, want %q", size, s, dst, want)
			}
		}
	}
}

// An #include name opened with a quote or '<' and never closed is taken
// as written, opening character included.
func TestIncludeUnclosedQuote(t *testing.T) {
	for src, want := range map[string]string{
		"[a]\n#include \"nofile\n":   `#include "nofile: no such file`,
		"[a]\n#include <nofile\n":    `#include <nofile: no such file`,
		"[a]\n#include \"nofile\"\n": `#include nofile: no such file`,
	} {
		got := diagStrings(parseSrc(t, src).Diags)
		if len(got) != 1 || !strings.Contains(got[0], want) {
			t.Errorf("%q: diagnostics %q, want one with %q", src, got, want)
		}
	}
}

// Templates are found whatever the case of their name (Asterisk compares
// category names with strcasecmp): every ASCII capital, A and Z included,
// is lowered for the lookup, and non-ASCII names are found too.
func TestTemplateNamesCaseInsensitive(t *testing.T) {
	cfg := parseSrc(t, "[A](!)\na=1\n[Z](!)\nz=1\n[MiXeD-Tpl](!)\nm=1\n[ÄBC](!)\nu=1\n[x](a,z,mixed-tpl,äbc)\nown=1\n")
	x := cfg.Section("x")
	if x == nil {
		t.Fatalf("no section x; diagnostics %q", diagStrings(cfg.Diags))
	}
	var got []string
	for _, v := range x.Vars {
		got = append(got, v.Name)
	}
	if want := []string{"a", "z", "m", "u", "own"}; !reflect.DeepEqual(got, want) {
		t.Errorf("x's variables %q, want %q; diagnostics %q", got, want, diagStrings(cfg.Diags))
	}
}

// "--;" with no block comment open is config.c's end of one: the line is
// kept whole and the nesting count goes below zero, also when the "--;"
// starts the line.
func TestCommentEndWithoutStart(t *testing.T) {
	for _, line := range []string{"--;abc", "x--;abc"} {
		var c commentState
		got, ok := c.strip(line, 1, func(string) {})
		if got != line || !ok || c.depth != -1 {
			t.Errorf("strip(%q) = %q, %v, depth %d; want the line, true, depth -1", line, got, ok, c.depth)
		}
	}
}

// A section name of 79 bytes is kept whole; one of 80 is cut to 79.
func TestSectionNameLimitEdge(t *testing.T) {
	for n, cut := range map[int]bool{79: false, 80: true} {
		cfg := parseSrc(t, "["+strings.Repeat("s", n)+"]\nk=v\n")
		if got := len(cfg.Sections[0].Name); got != 79 || (len(cfg.Diags) != 0) != cut {
			t.Errorf("a %d-byte section name: kept %d bytes, diagnostics %q", n, got, diagStrings(cfg.Diags))
		}
	}
}

// Cap folds a note of the parser's own per-file drops into its count
// instead of keeping it as one of the file's diagnostics (which dropped a
// real one and made a second note), and keeps info diagnostics, after
// warnings, rather than losing them unnoticed.
func TestDiagnosticsCapFoldsDropNotes(t *testing.T) {
	d := func(line int, sev Severity) Diagnostic {
		return Diagnostic{Pos: Pos{File: "a.conf", Line: line}, Severity: sev, Message: "m"}
	}
	parsed := Diagnostics{d(1, Warning), d(2, Warning), d(3, Warning), droppedDiag("a.conf", 950)}
	got := parsed.Cap(3, 0)
	if len(got) != 4 || got[0].Dropped != 950 || got[0].Message != "950 more diagnostics in this file dropped (over the limit)" {
		t.Errorf("Cap(3, 0) of 3 warnings and a note of 950: %v", got)
	}
	withInfo := Diagnostics{d(1, Info), d(2, Warning), d(3, Info), d(4, Error)}
	got = withInfo.Cap(3, 0)
	want := []string{"a.conf: warning: 1 more diagnostics in this file dropped (over the limit)",
		"a.conf:1: info: m", "a.conf:2: warning: m", "a.conf:4: error: m"}
	if len(got) != len(want) {
		t.Fatalf("Cap(3, 0) with infos: %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("Cap(3, 0) with infos [%d] = %q, want %q", i, got[i], want[i])
		}
	}
}

// The header and directive edge cases of conf.go that the mutants of a
// full gremlins run found untested.
func TestConfEdges(t *testing.T) {
	diag := func(cfg *Config) string { return fmt.Sprint(cfg.Diags) }
	// '!' (33) is the first byte that is not blank.
	cfg := parseSrc(t, "[s]\nkey = !value!\n")
	if got := sectionStrings(cfg); !reflect.DeepEqual(got, []string{"[s] key=!value!"}) {
		t.Errorf("'!' is no blank: %q", got)
	}
	// An empty template token names the first section of all: none yet.
	cfg = parseSrc(t, "[a]()\nx=1\n")
	if d := diag(cfg); !strings.Contains(d, `inherits from "", which is not defined above`) {
		t.Errorf("[a]() as the first section: %s", d)
	}
	// A byte >= 0x80 ends a directive's word (config.c compares a signed
	// char with 32).
	cfg = parseSrc(t, "#include\x80missing.conf\n")
	if d := diag(cfg); !strings.Contains(d, "#include missing.conf: no such file") {
		t.Errorf("#include then 0x80: %s", d)
	}
	// A lone quote is an empty file name.
	cfg = parseSrc(t, "#include \"\n")
	if d := diag(cfg); !strings.Contains(d, "#include : . is a directory") {
		t.Errorf("#include \": %s", d)
	}
	// (+name=value) appends to the section of that name holding that value.
	cfg = parseSrc(t, "[a]\nx=1\n[a]\nx=2\n[a](+x=2)\ny=3\n")
	if got, want := sectionStrings(cfg), []string{"[a] x=1", "[a] x=2 y=3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("(+x=2): %q, want %q", got, want)
	}
}

// `+=` may grow a value up to maxAppendedValue bytes, not one more (each
// line within the line limit: the value grows over several).
func TestAppendLimit(t *testing.T) {
	chunk := "v+=" + strings.Repeat("b", 8000) + "\n"
	src := "[s]\nv=a\n" + chunk + chunk + "v+=" + strings.Repeat("b", maxAppendedValue-16001) + "\n"
	cfg := parseSrc(t, src)
	if v, _ := cfg.Sections[0].Get("v"); len(v) != maxAppendedValue {
		t.Fatalf("value of %d bytes, want %d", len(v), maxAppendedValue)
	}
	cfg = parseSrc(t, src+"v+=b\n")
	if v, _ := cfg.Sections[0].Get("v"); len(v) != maxAppendedValue || !strings.Contains(fmt.Sprint(cfg.Diags), "longer than") {
		t.Errorf("one byte more: value of %d bytes, want %d and a warning (%v)", len(v), maxAppendedValue, cfg.Diags)
	}
}

// users.conf dahdichan ranges: reversed ranges swapped, at most 1024
// channels a range.
func TestDAHDIChannels(t *testing.T) {
	if got := dahdiChannels("1-2000"); len(got) != 1024 || got[0] != 1 || got[1023] != 1024 {
		t.Errorf("1-2000: %d channels (%v…)", len(got), got[:min(3, len(got))])
	}
	if got := dahdiChannels("5-3, 9"); !reflect.DeepEqual(got, []int{3, 4, 5, 9}) {
		t.Errorf("5-3, 9: %v", got)
	}
}

// #include braces as glob expands them (a group at the start, nested,
// unclosed), and extension names losing their spaces outside [].
func TestBracesAndSpaces(t *testing.T) {
	for in, want := range map[string][]string{
		"{a,b}.conf": {"a.conf", "b.conf"}, "{a,{b,c}}d": {"ad", "bd", "cd"}, "x{a": {"x{a"}, "x{a,b": {"x{a,b"}, "x}": {"x}"},
	} {
		if got := expandBraces(in); !reflect.DeepEqual(got, want) {
			t.Errorf("expandBraces(%q) = %q, want %q", in, got, want)
		}
	}
	if got := removeSpaces(" 1 0 [a b]"); got != "10[a b]" {
		t.Errorf("removeSpaces = %q", got)
	}
}

// cutExten ignores a ']' that closes nothing; splitApp reads an
// application with no name before '(' as an empty name; scanInt skips
// leading blanks and stops at the first non-digit, as sscanf does.
func TestLineHelpers(t *testing.T) {
	if ext, rest := cutExten("1]2,1,NoOp()"); ext != "1]2" || rest != "1,NoOp()" {
		t.Errorf("cutExten = %q, %q", ext, rest)
	}
	if ext, rest := cutExten("_[1,2]X,1,NoOp()"); ext != "_[1,2]X" || rest != "1,NoOp()" {
		t.Errorf("cutExten with a set = %q, %q", ext, rest)
	}
	if app, args := splitApp("(x)", func() {}); app != "" || args != "x" {
		t.Errorf("splitApp((x)) = %q, %q", app, args)
	}
	if n, ok := scanInt(" 0042abc"); !ok || n != 42 {
		t.Errorf("scanInt = %d, %v", n, ok)
	}
}

// TestChargedFiles: a parse charges each file it read, the top-level one
// and each included, with its bytes (Config.Charge hands them on).
func TestChargedFiles(t *testing.T) {
	files := map[string]string{"a.conf": "[a]\nx=1\n", "b.conf": "[b]\ny=2\n"}
	top := "[general]\n#include a.conf\n#include b.conf\n"
	dir, opts := spliceTree(t, top, files)
	cfg, err := ParseFile(filepath.Join(dir, "top.conf"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(len(top) + len(files["a.conf"]) + len(files["b.conf"])); cfg.charged.files != 3 || cfg.charged.bytes != want {
		t.Errorf("charged %d files, %d bytes; want 3, %d", cfg.charged.files, cfg.charged.bytes, want)
	}
}

// TestSettleDefault: an unset settle time is the default, a set one kept.
func TestSettleDefault(t *testing.T) {
	if got := (Options{}).withDefaults().settle; got != settleTime {
		t.Errorf("default settle %v, want %v", got, settleTime)
	}
	if got := (Options{settle: time.Millisecond}).withDefaults().settle; got != time.Millisecond {
		t.Errorf("settle 1ms became %v", got)
	}
}

// TestReadsOneFile: an #include of one path that read a regular file
// matches the same while that file can be read; a glob, a directory or
// several files do not.
func TestReadsOneFile(t *testing.T) {
	for _, c := range []struct {
		inc  Include
		want bool
	}{
		{Include{Files: []string{"a.conf"}, Pattern: "/d/a.conf", matched: "f/d/a.conf\x00"}, true},
		{Include{Files: []string{"a*.conf"}, Pattern: "/d/a*.conf", matched: "f/d/a*.conf\x00"}, false},
		{Include{Files: []string{"a.conf"}, Pattern: "/d/a.conf", matched: "d/d/a.conf\x00"}, false},
		{Include{Files: []string{"a.conf", "b.conf"}, Pattern: "/d/a.conf", matched: "f/d/a.conf\x00"}, false},
	} {
		if got := readsOneFile(c.inc); got != c.want {
			t.Errorf("readsOneFile(%+v) = %v, want %v", c.inc, got, c.want)
		}
	}
}

// TestStampsWith: a copy with the changed files' stamps keeps the others.
func TestStampsWith(t *testing.T) {
	at := time.Unix(100, 0)
	s := &fileStamps{m: map[string]fileStamp{"a": {readAt: at}}}
	out := s.with(map[string]changedFile{"b": {stamp: fileStamp{readAt: at.Add(time.Second)}}})
	if len(out.m) != 2 || out.m["a"].readAt != at || out.m["b"].readAt != at.Add(time.Second) {
		t.Errorf("with: %v", out.m)
	}
	if len(s.m) != 1 {
		t.Errorf("with changed its receiver: %v", s.m)
	}
	if out := (*fileStamps)(nil).with(nil); out == nil || len(out.m) != 0 {
		t.Errorf("nil.with(nil) = %v", out)
	}
}

// TestPrioritiesOutOfOrder: priorities written in any order come out
// sorted, and a priority repeated after an out-of-order one is still
// found and ignored.
func TestPrioritiesOutOfOrder(t *testing.T) {
	src := "[c]\nexten => 1,3,NoOp(c)\nexten => 1,1,NoOp(a)\nexten => 1,2,NoOp(b)\nexten => 1,3,NoOp(dup)\n" +
		"exten => 2,3,NoOp(c)\nexten => 2,2,NoOp(b)\nexten => 2,1,NoOp(a)\n"
	dp := BuildDialplan(Parse("extensions.conf", []byte(src), Options{}))
	for _, e := range dp.Context("c").Extensions {
		var got []string
		for _, p := range e.Priorities {
			got = append(got, fmt.Sprintf("%d:%s", p.Priority, p.Args))
		}
		if want := "[1:a 2:b 3:c]"; fmt.Sprint(got) != want {
			t.Errorf("exten %s: priorities %v, want %s", e.Exten, got, want)
		}
	}
	if !strings.Contains(fmt.Sprint(dp.Diags), "priority 3 is already defined") {
		t.Errorf("the repeated priority 3 was not reported: %v", dp.Diags)
	}
}

// TestExtensionLeadingDash: Asterisk ignores dashes in an extension
// name, a leading one too: -12 and 12 are one extension.
func TestExtensionLeadingDash(t *testing.T) {
	dp := BuildDialplan(Parse("extensions.conf", []byte("[c]\nexten => -12,1,NoOp(a)\nexten => 12,2,NoOp(b)\n"), Options{}))
	if exts := dp.Context("c").Extensions; len(exts) != 1 || len(exts[0].Priorities) != 2 {
		t.Errorf("-12 and 12 are not one extension: %+v", exts)
	}
}

// TestViewMissed: a view of some contexts tells of each look-up of a
// context it does not hold, and only of those.
func TestViewMissed(t *testing.T) {
	dp := BuildDialplan(Parse("extensions.conf", []byte("[a]\nexten => 1,1,NoOp()\n[b]\nexten => 1,1,NoOp()\n"), Options{}))
	var missed []string
	v := dp.View(dp.Contexts[:1], func(name string) { missed = append(missed, name) })
	if v.Context("a") == nil || v.Context("b") != nil || v.Context("nowhere") != nil {
		t.Fatal("the view holds other contexts than its own")
	}
	if fmt.Sprint(missed) != "[b nowhere]" {
		t.Errorf("missed %v, want [b nowhere]", missed)
	}
}
