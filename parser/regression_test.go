package parser

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Regression tests for departures from Asterisk (and quadratic inputs)
// found while writing the test suite, each fixed since.

// pbx.c ast_context_add_include2 refuses an include whose name (timing
// included) is already in the context, comparing with strcasecmp: EEXIST,
// and pbx_config logs "Context 'x' already included in 'c' context".
// This also happens across two sections of the same context.
func TestRegressionDuplicateIncludeIsDropped(t *testing.T) {
	cfg := parseSrc(t, "[c]\ninclude => x\ninclude => x\ninclude => x,09:00-17:00,*,*,*\n[c]\ninclude => X\n")
	c := BuildDialplan(cfg).Context("c")
	var got []string
	for _, inc := range c.Includes {
		got = append(got, inc.String())
	}
	if want := []string{"x", "x,09:00-17:00,*,*,*"}; !reflect.DeepEqual(got, want) {
		t.Errorf("includes %q, want %q", got, want)
	}
}

// pbx_config expands ${} in ignorepat => (pbx_substitute_variables_helper)
// and ast_context_add_ignorepat2 / ast_context_add_switch2 refuse
// duplicates (strcasecmp) with EEXIST.
func TestRegressionIgnorepatExpandedAndDeduplicated(t *testing.T) {
	cfg := parseSrc(t, "[globals]\nP=9\n[c]\nignorepat => ${P}\nignorepat => 9\nswitch => IAX2/a\nswitch => iax2/A\n")
	c := BuildDialplan(cfg).Context("c")
	if want := []string{"9"}; !reflect.DeepEqual(c.IgnorePats, want) {
		t.Errorf("ignorepats %q, want %q", c.IgnorePats, want)
	}
	if want := []string{"IAX2/a"}; !reflect.DeepEqual(c.Switches, want) {
		t.Errorf("switches %q, want %q", c.Switches, want)
	}
}

// config.c reads #include globs with glob(3) (GLOB_NOMAGIC|GLOB_BRACE, no
// GLOB_PERIOD): a wildcard never matches a leading '.', so macOS "._x.conf"
// AppleDouble files and ".x.conf" are not read. filepath.Glob matches them.
func TestRegressionGlobSkipsDotFiles(t *testing.T) {
	cfg := parseTree(t, map[string]string{
		"main.conf":          "#include peers/*.conf\n#tryinclude peers/?hidden.conf\n",
		"peers/a.conf":       "[a]\n",
		"peers/._a.conf":     "[appledouble]\n",
		"peers/.hidden.conf": "[hidden]\n",
	}, "main.conf")
	if got := sectionStrings(cfg); !reflect.DeepEqual(got, []string{"[a]"}) {
		t.Errorf("sections %q, want only [a]", got)
	}
}

// pbx_load_users reads dahdichan as a list of numbers and ranges
// (sscanf "%d-%d", swapped when reversed): 1-3 is DAHDI/1&DAHDI/2&DAHDI/3.
func TestRegressionDahdichanRanges(t *testing.T) {
	users := parseSrc(t, "[100]\ndahdichan=1-3,7\n[101]\ndahdichan=5-4\n")
	dp := BuildDialplan(parseSrc(t, "[general]\n"))
	dp.AddUsers(users)
	c := dp.Context("default")
	if c == nil {
		t.Fatal("no users context")
	}
	for ext, want := range map[string]string{
		"100": "DAHDI/1&DAHDI/2&DAHDI/3&DAHDI/7",
		"101": "DAHDI/4&DAHDI/5",
	} {
		if e := c.Extension(ext, ""); e == nil || e.Hint != want {
			t.Errorf("hint of %s = %+v, want %q", ext, e, want)
		}
	}
}

// `k += v` finds the last variable named exactly k, then calls
// ast_variable_update(cat, k, old+v, old, 0), which replaces the FIRST
// variable whose name matches case-insensitively and whose value matches
// case-insensitively, or any value when the old value is empty; the
// replacement is a new variable named k.
func TestRegressionAppendUpdateMatchesLikeAstVariableUpdate(t *testing.T) {
	cfg := parseSrc(t, "[s]\nK=abc\nk=\nk+=x\n[t]\nk=A\nk=a\nk+=b\n[u]\nK=a\nk=a\nk+=b\n")
	want := []string{"[s] k=x k=", "[t] k=ab k=a", "[u] k=ab k=a"}
	if got := sectionStrings(cfg); !reflect.DeepEqual(got, want) {
		t.Errorf("sections\n got %q\nwant %q", got, want)
	}
}

// app.c __ast_app_separate_args counts ( ) and [ ] whether or not they are
// inside quotes: in `"a(",b` the parenthesis opened inside the quotes
// protects the comma, so there is one argument.
func TestRegressionSplitArgsCountsParensInsideQuotes(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{`"a(",b`, []string{"a(,b"}},
		{`"[",b`, []string{"[,b"}},
		{`")",b`, []string{")", "b"}},
	}
	for _, c := range cases {
		if got := SplitArgs(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("SplitArgs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// pbx_config cuts EXT with pbx_strsep, which counts nested '[' (square++)
// and only splits on a comma when the count is back to 0. In `_[[]X,1,...`
// the count stays 1, so the whole value is EXT and the empty priority makes
// Asterisk skip the line ("Invalid priority/label").
func TestRegressionExtenCutCountsNestedBrackets(t *testing.T) {
	cfg := parseSrc(t, "[c]\nexten => _[[]X,1,NoOp()\n")
	dp := BuildDialplan(cfg)
	if n := len(dp.Context("c").Extensions); n != 0 {
		t.Errorf("%d extensions, want none", n)
	}
	if len(dp.Diags) != 1 {
		t.Errorf("diagnostics %q, want one invalid-priority warning", diagStrings(dp.Diags))
	}
}

// In [s](tpl,+) the template is copied into the new category, whose
// variables are then moved to the existing [s]; the new category and its
// template list are destroyed, so [s] does not list tpl among the
// templates it inherits (with [s](+,tpl) it would).
func TestRegressionAppendAfterInheritDoesNotRecordTemplate(t *testing.T) {
	cfg := parseSrc(t, "[tpl](!)\nt=1\n[s]\nk=1\n[s](tpl,+)\nj=2\n")
	if got := sectionStrings(cfg); !reflect.DeepEqual(got, []string{"[tpl](!) t=1", "[s] k=1 t=1 j=2"}) {
		t.Errorf("sections %q", got)
	}
}

// pbx_load_users adds each user with ast_add_extension2, whose
// ext_strncpy drops blanks from the extension name, as for exten => lines.
// (Found by FuzzDialplan: testdata/fuzz/FuzzDialplan/12c76edd4f52e30a.)
func TestRegressionUsersExtensionBlanks(t *testing.T) {
	dp := BuildDialplan(parseSrc(t, "[general]\n"))
	dp.AddUsers(parseSrc(t, "[ 6001]\nhassip=yes\nalternateexts=7 001\n"))
	c := dp.Context("default")
	var got []string
	for _, e := range c.Extensions {
		got = append(got, e.Exten)
	}
	if want := []string{"6001", "7001"}; !reflect.DeepEqual(got, want) {
		t.Errorf("extensions %q, want %q", got, want)
	}
}

// SPEC.md §2 asks for no quadratic behaviour. Each input below is at most
// 1 MB; a linear parser reads it in milliseconds, the current one takes
// seconds (four times longer for twice the lines).
func TestRegressionQuadraticInputs(t *testing.T) {
	const n = 40000
	var desc, tmpl strings.Builder
	desc.WriteString("[c]\n")
	for i := n; i > 0; i-- {
		fmt.Fprintf(&desc, "exten => 1,%d,NoOp()\n", i)
		tmpl.WriteString("[t](!)\n")
	}
	tmpl.WriteString("[t]\n")
	for i := 0; i < n; i++ {
		tmpl.WriteString("[t](+)\n")
	}
	cases := []struct {
		name string
		run  func()
	}{
		{"40000 priorities in descending order", func() { BuildDialplan(parseSrc(t, desc.String())) }},
		{"40000 appends past 40000 templates of the same name", func() { parseSrc(t, tmpl.String()) }},
		{"200000 lines of k+=x", func() { parseSrc(t, "[s]\n"+strings.Repeat("k+=x\n", 5*n)) }},
	}
	limit := 2 * time.Second
	if raceDetector {
		limit *= 5 // instrumentation slows a linear and a quadratic parser alike
	}
	for _, c := range cases {
		start := time.Now()
		c.run()
		if d := time.Since(start); d > limit {
			t.Errorf("%s: %v", c.name, d)
		}
	}
}

// config.c parses only the first (...), right after ']': in [b](a)(!)
// and [d] (!) the "(!)" is dropped, so [b] is a real section (a users.conf
// user, a chan_sip peer), which Asterisk does not mention. astapi keeps
// Asterisk's reading and warns at the header.
func TestRegressionSecondOptionListIgnoredWithWarning(t *testing.T) {
	cfg := parseSrc(t, "[a](!)\ncontext=x\n[b](a)(!)\n[c](a,!)\n[d] (!)\n")
	if got, want := sectionStrings(cfg), []string{"[a](!) context=x", "[b]<a> context=x", "[c](!)<a> context=x", "[d]"}; !reflect.DeepEqual(got, want) {
		t.Errorf("sections %q, want %q", got, want)
	}
	got := diagStrings(cfg.Diags)
	if len(got) != 2 || !strings.Contains(got[0], `main.conf:3`) || !strings.Contains(got[0], `"(!)" after the header is ignored`) || !strings.Contains(got[1], `main.conf:5`) {
		t.Errorf("diagnostics %q, want warnings at main.conf:3 and :5 about the ignored (!)", got)
	}
}
