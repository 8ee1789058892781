package index

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/astapi/astapi/parser"
)

// Unit tests of small helpers, written against mutants `make mutate`
// found uncovered (see scripts/mutate.sh).

func TestParseSizeSuffixes(t *testing.T) {
	for in, want := range map[string]int64{"512": 512, "10K": 10 << 10, "2m": 2 << 20, "1G": 1 << 30, " 3 K": 3 << 10, "0": 0, "4503599627370496K": 1 << 62} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"12Q", "-1K", "K", "4503599627370497K"} {
		if got, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", in, got)
		}
	}
}

func TestUpperIs(t *testing.T) {
	for _, c := range []struct {
		s, upper string
		want     bool
	}{
		{"sip", "SIP", true}, {"Sip", "SIP", true}, {"SIP", "SIP", true}, {"az", "AZ", true},
		{"siq", "SIP", false}, {"si", "SIP", false}, {"`{", "@[", false}, {"é", "É", true},
	} {
		if got := upperIs(c.s, c.upper); got != c.want {
			t.Errorf("upperIs(%q, %q) = %v, want %v", c.s, c.upper, got, c.want)
		}
	}
}

// ast_shrink_phone_number: blanks and parentheses go, dashes outside
// brackets go, a dot goes unless it ends the number.
func TestShrinkPhoneNumber(t *testing.T) {
	for in, want := range map[string]string{
		"(514) 555-0100": "5145550100", "[1-5]-2": "[1-5]2", "555.0100": "5550100", "12.": "12.", "[a-]-[-b]": "[a-][-b]",
	} {
		if got := parser.ShrinkPhoneNumber(in); got != want {
			t.Errorf("ShrinkPhoneNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAtoiC(t *testing.T) {
	for in, want := range map[string]int{"  +42x": 42, "-7": -7, "": 0, "abc": 0, "\t12": 12, "+": 0, "99999999999": 0, "90": 90, "09": 9, "0": 0, "9": 9} {
		if got := atoiC(in); got != want {
			t.Errorf("atoiC(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestMatchCallerIDBlanks(t *testing.T) {
	name, num, ok := matchCallerID("  \t\"Bob B\" <100> ")
	if !ok || name != "Bob B" || num != "100" {
		t.Errorf("matchCallerID = %q, %q, %v; want Bob B, 100, true", name, num, ok)
	}
}

// DiagTenants: a position belongs to the section whose header is the
// last at or before its line.
func TestDiagTenants(t *testing.T) {
	s := &Snapshot{SectionOwners: map[string][]SectionOwner{"a.conf": {{Line: 3, Tenants: []string{"1"}}, {Line: 10, Tenants: []string{"2"}}}}}
	for _, c := range []struct {
		file string
		line int
		want []string
	}{
		{"a.conf", 2, nil}, {"a.conf", 3, []string{"1"}}, {"a.conf", 9, []string{"1"}}, {"a.conf", 10, []string{"2"}},
		{"a.conf", 99, []string{"2"}}, {"a.conf", 0, nil}, {"b.conf", 5, nil},
	} {
		if got := s.DiagTenants(parser.Pos{File: c.file, Line: c.line}); !slices.Equal(got, c.want) {
			t.Errorf("DiagTenants(%s:%d) = %v, want %v", c.file, c.line, got, c.want)
		}
	}
}

// TestStrArenaChunks: strings go into the current chunk while it has
// room (exactly enough is enough), a new chunk starts at minArenaBytes,
// and a chunk never grows past maxArenaBytes unless one string needs it.
func TestStrArenaChunks(t *testing.T) {
	var a strArena
	s1 := a.concat(string(make([]byte, 1000)))
	if cap(a.buf) != minArenaBytes {
		t.Fatalf("first chunk: cap %d, want %d", cap(a.buf), minArenaBytes)
	}
	s2 := a.concat("abcdefghijkl", "mnopqrstuvwx") // 24 bytes: fills the chunk exactly
	if len(a.buf) != minArenaBytes || s2 != "abcdefghijklmnopqrstuvwx" || len(s1) != 1000 {
		t.Fatalf("an exact fit started a new chunk: len %d", len(a.buf))
	}
	for range 200 {
		a.concat(string(make([]byte, 1000)))
		if cap(a.buf) > maxArenaBytes {
			t.Fatalf("chunk grew to %d bytes", cap(a.buf))
		}
	}
	if a.concat(string(make([]byte, maxArenaBytes+1))); cap(a.buf) != maxArenaBytes+1 {
		t.Errorf("a string over maxArenaBytes: chunk cap %d", cap(a.buf))
	}
	if got := a.lower("MiXeD"); got != "mixed" {
		t.Errorf("lower = %q", got)
	}
}

// TestPrescanServer: the quick look at astapi.ini reads [server]'s
// asterisk_dir, include_roots and limits as loadINI does for the usual
// forms, and gives up (ok false) when it finds no directory.
func TestPrescanServer(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		t.Helper()
		p := filepath.Join(dir, "astapi.ini")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := write("[user x]\nasterisk_dir = /elsewhere\n[server]\nasterisk_dir = \"ast\" ; a comment\ninclude_roots = /etc/asterisk, extra\nmax_config_files = 7\n[tenant A]\nasterisk_dir = /not/this\n")
	pre, ok := prescanServer(p)
	if !ok || pre.dir != filepath.Join(dir, "ast") {
		t.Fatalf("prescan = %+v, %v; want dir %s", pre, ok, filepath.Join(dir, "ast"))
	}
	if want := []string{"/etc/asterisk", filepath.Join(dir, "extra")}; !slices.Equal(pre.roots, want) {
		t.Errorf("roots %q, want %q", pre.roots, want)
	}
	if pre.limits.MaxConfigFiles != 7 {
		t.Errorf("max_config_files %d, want 7", pre.limits.MaxConfigFiles)
	}
	for _, body := range []string{
		"[server]\nasterisk_dir =\n",
		"[server]\nasterisk_dir = ;only a comment\n",
		"[other]\nasterisk_dir = /x\n",
	} {
		if pre, ok := prescanServer(write(body)); ok {
			t.Errorf("%q: prescan found %q", body, pre.dir)
		}
	}
	if _, ok := prescanServer(filepath.Join(dir, "missing.ini")); ok {
		t.Errorf("a missing astapi.ini prescanned")
	}
}

// TestIDLess: numeric IDs order as numbers.
func TestIDLess(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{{"9", "10", true}, {"10", "9", false}, {"10", "10", false}, {"10", "11", true}, {"11", "10", false}, {"100", "99", false}} {
		if got := idLess(c.a, c.b); got != c.want {
			t.Errorf("idLess(%s, %s) = %v", c.a, c.b, got)
		}
	}
}

// TestUnescapeQuoted: a backslash keeps the next character; a last one
// stays.
func TestUnescapeQuoted(t *testing.T) {
	for in, want := range map[string]string{`a\"b`: `a"b`, `a\\b`: `a\b`, `a\`: `a\`, `plain`: `plain`, `\x\`: `x\`} {
		if got := unescapeQuoted(in); got != want {
			t.Errorf("unescapeQuoted(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestINIValueChecks: the shapes astapi.ini's values must have, at their
// edges.
func TestINIValueChecks(t *testing.T) {
	for in, want := range map[string]bool{"az": true, "ZA": true, "Ca": true, "`a": false, "a{": false, "a@": false, "abc": false, "a": false} {
		if got := isRegion(in); got != want {
			t.Errorf("isRegion(%q) = %v", in, got)
		}
	}
	for in, want := range map[string]bool{"1": true, "9007199254740991": true, "9007199254740992": false, "0": false, "01": false, "+1": false, "-1": false} {
		if got := validID(in); got != want {
			t.Errorf("validID(%q) = %v", in, got)
		}
	}
	for in, want := range map[string]time.Duration{"90s": 90 * time.Second, "1ns": 1, "0s": 0, "-1s": 0, "soon": 0} {
		l, errs := parseLimits(func(k string) string {
			if k == "reload_timeout" {
				return in
			}
			return ""
		})
		if want == 0 {
			if len(errs) != 1 || l.ReloadTimeout != DefaultLimits().ReloadTimeout {
				t.Errorf("reload_timeout = %s: %v, %v; want an error and the default", in, l.ReloadTimeout, errs)
			}
		} else if len(errs) != 0 || l.ReloadTimeout != want {
			t.Errorf("reload_timeout = %s: %v, %v; want %v", in, l.ReloadTimeout, errs, want)
		}
	}
}

// TestLineReader: lines of a file by 1-based number; none outside it.
func TestLineReader(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.conf"), []byte("one\r\ntwo\nthree"), 0o644); err != nil {
		t.Fatal(err)
	}
	l := newLineReader(dir)
	for n, want := range map[int]string{0: "", 1: "one", 2: "two", 3: "three", 4: "", -1: ""} {
		if got := l.line("a.conf", n); got != want {
			t.Errorf("line %d = %q, want %q", n, got, want)
		}
	}
	if got := l.line("missing.conf", 1); got != "" {
		t.Errorf("a missing file's line: %q", got)
	}
}

// TestGlobSetFirst: the lowest owner whose glob matches, whichever kind
// of glob (exact, prefix, other) matched first.
func TestGlobSetFirst(t *testing.T) {
	g := newGlobSet()
	g.add("from-*", 0)
	g.add("from-pstn", 2)
	g.add("from-?stn", 1)
	g.add("t[0-9]-*", 3)
	for name, want := range map[string]int{"from-pstn": 0, "from-x": 0, "t1-a": 3, "other": -1} {
		if got := g.first(name); got != want {
			t.Errorf("first(%q) = %d, want %d", name, got, want)
		}
	}
	g = newGlobSet()
	g.add("from-pstn", 1)
	g.add("from-?stn", 0)
	if got := g.first("from-pstn"); got != 0 {
		t.Errorf("first = %d, want 0 (the glob matched after the exact name)", got)
	}
}

// TestBudgetDeadline: a read budget has a deadline exactly when the
// limits set a reload timeout.
func TestBudgetDeadline(t *testing.T) {
	start := time.Unix(1000, 0)
	if b := (Limits{ReloadTimeout: time.Nanosecond}).budget(start); !b.Deadline.Equal(start.Add(time.Nanosecond)) {
		t.Errorf("deadline %v, want 1ns after the start", b.Deadline)
	}
	if b := (Limits{}).budget(start); !b.Deadline.IsZero() {
		t.Errorf("no timeout, deadline %v", b.Deadline)
	}
}

// TestSetvarFirstLine: a setvar= on a section's first line counts.
func TestSetvarFirstLine(t *testing.T) {
	sv := lookupSetvars([]parser.Var{{Name: "setvar", Value: "OUTBOUND_CID_NUM=5551234"}, {Name: "type", Value: "friend"}})
	if sv.val[svCIDNum] != "5551234" || !sv.ok[svCIDNum] {
		t.Errorf("setvar on the first line: %+v", sv)
	}
}

// TestLowerASCII: ASCII letters lower-cased, the bytes around A-Z kept;
// not ASCII: refused.
func TestLowerASCII(t *testing.T) {
	if b, ok := lowerASCII(nil, "@AZaz[09"); !ok || string(b) != "@azaz[09" {
		t.Errorf("lowerASCII = %q, %v", b, ok)
	}
	if _, ok := lowerASCII(nil, "caf\u00e9"); ok {
		t.Errorf("lowerASCII took a non-ASCII name")
	}
}

// TestNormalizeMAC: hex digits kept, lower-cased; the rest dropped.
func TestNormalizeMAC(t *testing.T) {
	if got := normalizeMAC(" 09:AF-af.gG/:`@ "); got != "09afaf" {
		t.Errorf("normalizeMAC = %q", got)
	}
}

// TestContactHost: host[:port] of a contact URI.
func TestContactHost(t *testing.T) {
	for in, want := range map[string]string{
		"sip:user@host.example:5060;transport=udp": "host.example:5060",
		"sips:@host.example":                       "host.example",
		"sip:;lr":                                  "",
		"sip:a@b, sip:c@d":                         "b",
	} {
		if got := contactHost(in); got != want {
			t.Errorf("contactHost(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMatchCallerIDRegexp: matchCallerID agrees with the regular
// expression it stands for on edge cases.
func TestMatchCallerIDRegexp(t *testing.T) {
	re := regexp.MustCompile(`^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$`)
	for _, in := range []string{
		`Bob <>`, `<>`, `""Bob" <1>`, `"Bob" <1>`, `Bob" <1>`, `"Bob <1>`, `Bob <1> x`, `Bob <1`, `Bob 1>`,
		` "" <2>`, `"<3>`, `a"b <4>`, `Bob <1> `, "\t<5>\n", `Bob<<6>`, `Bob <7>>`,
	} {
		name, num, ok := matchCallerID(in)
		m := re.FindStringSubmatch(in)
		if ok != (m != nil) || ok && (name != m[1] || num != m[2]) {
			t.Errorf("matchCallerID(%q) = %q, %q, %v; the regexp: %q", in, name, num, ok, m)
		}
	}
}

// TestJumpSpecs: the jumps an application's arguments name.
func TestJumpSpecs(t *testing.T) {
	for _, c := range []struct {
		app, args string
		want      []string
	}{
		{"goto", "ctx,s,1", []string{"ctx,s,1"}},
		{"gotoif", "$[${X}]?yes,s,1:no,s,1", []string{"yes,s,1", "no,s,1"}},
		{"gotoif", "$[${X}]?:no,s,1", []string{"no,s,1"}},
		{"execiftime", "8:00-17:00,*,*,*?Gosub(sub-x,s,1)", []string{"sub-x,s,1"}},
		{"execiftime", "8:00-17:00,*,*,*?Goto(open,s,1)", []string{"open,s,1"}},
		{"execiftime", "8:00-17:00,*,*,*?Dial(SIP/100)", nil},
		{"dial", "SIP/100", nil},
	} {
		out, n := jumpSpecs(c.app, c.args)
		if got := out[:n]; !slices.Equal(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
			t.Errorf("jumpSpecs(%s, %s) = %q, want %q", c.app, c.args, got, c.want)
		}
	}
}

// TestLowerCache: the cache answers strings.ToLower for every string,
// asked once or again, past the slots and past its map's bound.
func TestLowerCache(t *testing.T) {
	c := newLowerCache()
	for round := range 2 {
		for i := range 5000 {
			s := fmt.Sprintf("Ap%dP", i)
			if got := c.lower(s); got != strings.ToLower(s) {
				t.Fatalf("round %d: lower(%q) = %q", round, s, got)
			}
		}
	}
	if got := c.lower(""); got != "" {
		t.Errorf("lower(\"\") = %q", got)
	}
}

func TestIsDigits(t *testing.T) {
	for in, want := range map[string]bool{"0123456789": true, "": false, "12a": false, "/": false, ":": false, "9": true, "0": true} {
		if got := isDigits(in); got != want {
			t.Errorf("isDigits(%q) = %v", in, got)
		}
	}
}

// TestLayeredSections: a later section of a peer's name layers onto that
// peer, whether it was added before the first such section (a) or after
// it (b, found through the index made then), and leaves the others alone.
func TestLayeredSections(t *testing.T) {
	src := "[general]\n[a]\ntype=friend\nhost=dynamic\nsecret=A1\n[a]\ntype=friend\nsecret=A2\n" +
		"[b]\ntype=friend\nhost=dynamic\nsecret=B1\n[c]\ntype=friend\nhost=dynamic\nsecret=C1\n[b]\ntype=friend\nsecret=B2\ncallerid=\"Bee\" <200>\n"
	ps := resolvePeers(parser.Parse("sip.conf", []byte(src), parser.Options{}), nil, nil, nil, nil)
	for name, want := range map[string]string{"a": "A2", "b": "B2", "c": "C1"} {
		p := ps.getSIP(name)
		if p == nil {
			t.Fatalf("no peer %s", name)
		}
		if got := lastValue(p.Vars, "secret"); got != want {
			t.Errorf("peer %s: secret %s, want %s", name, got, want)
		}
	}
	if len(ps.list) != 3 {
		t.Errorf("%d peers, want 3", len(ps.list))
	}
	// What chan_sip derives from the lines follows them too.
	if a, b := ps.getSIP("a").Info.CallerID, ps.getSIP("b").Info.CallerID; a == b || !strings.Contains(b, "Bee") {
		t.Errorf("caller IDs: a %q, b %q; want b's from its second section only", a, b)
	}
}
