package audit

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/parser"
)

// Tests written against mutants that survived `make mutate` (see
// scripts/mutate.sh): each pins one behaviour a plausible one-line bug
// would change without any other test noticing.

// S2 is "shorter than 12 characters": 11 fires, 12 does not, and
// characters are counted, not bytes.
func TestS2Boundary(t *testing.T) {
	cases := []struct {
		secret string
		short  bool
	}{
		{"Vq7#pLm2-Xz", true},   // 11
		{"Vq7#pLm2-Xz9", false}, // 12
		{"Vq7#pLm2-Xé", true},   // 11 characters, 12 bytes
	}
	for _, c := range cases {
		p := peer("201-Acme", c.secret)
		if got := rulesOf(New().Run(snapshot(nil, p)), p.Name)["S2"]; got != c.short {
			t.Errorf("secret %q (%d characters): S2 = %v, want %v", c.secret, len([]rune(c.secret)), got, c.short)
		}
	}
}

// S7 needs two peers sharing a secret, and two are enough: each names the
// other.
func TestS7ExactlyTwoPeers(t *testing.T) {
	a, b := peer("201-Acme", strong), peer("202-Acme", strong)
	fs := New().Run(snapshot(nil, a, b))
	for _, pair := range [][2]*index.Peer{{a, b}, {b, a}} {
		var f *Finding
		for i := range fs {
			if fs[i].Peer == pair[0].Name && fs[i].Rule == "S7" {
				f = &fs[i]
			}
		}
		if f == nil {
			t.Fatalf("no S7 for %s sharing its secret with %s", pair[0].Name, pair[1].Name)
		}
		if len(f.Shared) != 1 || f.Shared[0].Name != pair[1].Name {
			t.Errorf("S7 of %s: shared %+v, want only %s", pair[0].Name, f.Shared, pair[1].Name)
		}
	}
	if rulesOf(New().Run(snapshot(nil, peer("203-Acme", strong))), "203-Acme")["S7"] {
		t.Error("S7 on a peer alone with its secret")
	}
}

// unwrapExecIf: the application ExecIf runs when its condition holds,
// with its arguments, whatever the parentheses.
func TestUnwrapExecIf(t *testing.T) {
	cases := []struct{ app, args, wantApp, wantArgs string }{
		{"Authenticate", "1234", "Authenticate", "1234"},
		{"ExecIf", "$[1]", "ExecIf", "$[1]"}, // no '?': not unwrapped
		{"execif", "$[${X}=1]?Hangup", "Hangup", ""},
		{"ExecIf", "$[1]? DISA (1234,ctx)", "DISA", "1234,ctx"},
		{"ExecIf", "$[1]?(x)", "(x)", ""}, // no application before '('
		{"ExecIf", "$[${CALLERID(num)}=100]?Authenticate(1234,,4):NoOp()", "Authenticate", "1234,,4"},
		{"ExecIf", "$[1]?DISA(a(b)c,ctx):NoOp(x)", "DISA", "a(b)c,ctx"},
		{"ExecIf", "$[1]?DISA(1234,ctx", "DISA", "1234,ctx"}, // unclosed
	}
	for _, c := range cases {
		app, args := unwrapExecIf(c.app, c.args)
		if app != c.wantApp || args != c.wantArgs {
			t.Errorf("unwrapExecIf(%q, %q) = %q, %q; want %q, %q", c.app, c.args, app, args, c.wantApp, c.wantArgs)
		}
	}
}

func TestTrivialCodeEdges(t *testing.T) {
	for code, want := range map[string]bool{
		"": true, "7": true, "0000": true, "aaaa": true,
		"23456": true, "67890": true, "76543": true, "21098": true, // runs, through 9-0
		"3434": true, "375375": true, // a repeated pair or triple
		"13": false, "ab": false, "37537": false, "2468": false, "8642": false, "2356": false, "abcd": false,
	} {
		if got := trivialCode(code); got != want {
			t.Errorf("trivialCode(%q) = %v, want %v", code, got, want)
		}
	}
}

// classes counts lower, upper, digit and other: each range's ends belong
// to it, the characters next to them do not.
func TestClasses(t *testing.T) {
	for _, c := range []byte("azAZ09") {
		if got := classes(string(c) + "~"); got != 2 {
			t.Errorf("classes(%q) = %d, want 2", string(c)+"~", got)
		}
	}
	for _, c := range []byte("`{@[/:") {
		if got := classes(string(c) + "~"); got != 1 {
			t.Errorf("classes(%q) = %d, want 1", string(c)+"~", got)
		}
	}
	if got := classes("aZ0~"); got != 4 {
		t.Errorf("classes(aZ0~) = %d, want 4", got)
	}
}

func TestEntropyBits(t *testing.T) {
	for s, want := range map[string]float64{"aaaa": 0, "ab": 2, "aabb": 4, "abcd": 8, "aaab": 3.245} {
		if got := entropyBits(s); math.Abs(got-want) > 0.001 {
			t.Errorf("entropyBits(%q) = %.3f, want %.3f", s, got, want)
		}
	}
}

func TestIsDigits(t *testing.T) {
	for s, want := range map[string]bool{"": false, "0129": true, "9": true, "0": true, "12a": false, "1/": false, ":1": false} {
		if got := isDigits(s); got != want {
			t.Errorf("isDigits(%q) = %v, want %v", s, got, want)
		}
	}
}

// A peer's findings come in the order of Rules, whatever order the checks
// ran in (S7 is found after every peer's S9).
func TestFindingsInRuleOrder(t *testing.T) {
	a, b := peer("201-Acme", "Aa1!bB2@c"), peer("202-Acme", "Aa1!bB2@c")
	a.Vars, b.Vars = a.Vars[:2], b.Vars[:2] // no ACL: S9
	var got []string
	for _, f := range New().Run(snapshot(nil, a, b)) {
		if f.Peer == "201-Acme" {
			got = append(got, f.Rule)
		}
	}
	if !slices.Contains(got, "S7") || !slices.Contains(got, "S9") || !slices.IsSortedFunc(got, func(x, y string) int { return ruleOrder(x) - ruleOrder(y) }) {
		t.Errorf("findings of 201-Acme %v, want S7 and S9 among them, in the order of Rules", got)
	}
	if want := []string{"S2", "S6", "S7", "S9"}; !slices.Equal(got, want) {
		t.Errorf("findings of 201-Acme %v, want %v", got, want)
	}
}

// The user name S4 compares with may be the peer's first variable.
func TestS4UserNameFirstVariable(t *testing.T) {
	p := peer("209-Acme", "jdoe-Q8#kLm2!pPz")
	p.Vars = append([]parser.Var{v("defaultuser", "jdoe", 1, false)}, p.Vars...)
	if !rulesOf(New().Run(snapshot(nil, p)), p.Name)["S4"] {
		t.Error("S4 missing for a secret holding the defaultuser set on the peer's first line")
	}
}

// S6 fires below 40 bits: four classes, four characters five times each
// make exactly 40.
func TestS6EntropyBoundary(t *testing.T) {
	p := peer("213-Acme", strings.Repeat("aB1!", 5))
	if got := entropyBits(p.Secret); got != 40 {
		t.Fatalf("entropy %v, want 40", got)
	}
	if rulesOf(New().Run(snapshot(nil, p)), p.Name)["S6"] {
		t.Error("S6 at exactly 40 bits")
	}
}

// isCommon: a common password, or one with up to four characters other
// than lower-case letters after it (digits, capitals, punctuation).
func TestIsCommonSuffixes(t *testing.T) {
	a := New()
	for s, want := range map[string]bool{
		"password": true, "password1": true, "password12!": true, "password1234": true, "love2!": true,
		"password!!!!!": false,                                         // five
		"passworda":     false, "passwordz": false, "passwordb": false, // letters are part of the word
		"lov1": false, "12!": false, "": false,
	} {
		if got := a.isCommon(s); got != want {
			t.Errorf("isCommon(%q) = %v, want %v", s, got, want)
		}
	}
}

// DISA(no-password) without a context uses DISA's default context,
// "disa"; D2 is for codes shorter than six: five is short, six is not.
func TestDISADefaultContextAndPINLength(t *testing.T) {
	src := "[disa]\nexten => _9X.,1,Dial(SIP/trunk-acme/${EXTEN:1})\n" +
		"[acme-in]\nexten => 1,1,DISA(no-password)\nexten => 2,1,Authenticate(58392)\nexten => 3,1,Authenticate(583920)\n"
	s := snapshot(nil)
	s.Dialplan = parser.BuildDialplan(parser.Parse("extensions.conf", []byte(src), parser.Options{Root: t.TempDir()}))
	s.Tenants[0].Contexts = []string{"disa", "acme-in"}
	fs := New().Run(index.NewSnapshot(s))
	if !rulesOf(fs, "acme-in,1,1")["D1"] {
		t.Errorf("no D1 for DISA(no-password) into the default context disa, which dials out: %v", rulesOf(fs, "acme-in,1,1"))
	}
	if !rulesOf(fs, "acme-in,2,1")["D2"] {
		t.Error("no D2 for a five-digit code")
	}
	if rulesOf(fs, "acme-in,3,1")["D2"] {
		t.Error("D2 for a six-digit code")
	}
}

func TestRuleByID(t *testing.T) {
	for _, want := range Rules {
		if got, ok := RuleByID(want.ID); !ok || got != want {
			t.Errorf("RuleByID(%s) = %+v, %v", want.ID, got, ok)
		}
	}
	if _, ok := RuleByID("S99"); ok {
		t.Error("RuleByID(S99) found")
	}
}
