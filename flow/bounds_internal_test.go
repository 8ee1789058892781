package flow

import (
	"fmt"
	"strings"
	"testing"

	"github.com/astapi/astapi/parser"
)

// includeChain is a context "top" including cust1, which includes
// cust2, … cust<n>; each custN has its own extension 55501NN, with a
// label "menu" at priority 2.
func includeChain(n int) *parser.Dialplan {
	var b strings.Builder
	b.WriteString("[top]\ninclude => cust1\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "[cust%d]\n", i)
		if i < n {
			fmt.Fprintf(&b, "include => cust%d\n", i+1)
		}
		fmt.Fprintf(&b, "exten => 55501%02d,1,Answer()\n same => n(menu),Dial(SIP/201)\n", i)
	}
	return parser.BuildDialplan(parser.Parse("extensions.conf", []byte(b.String()), parser.Options{}))
}

// An extension is looked for through 16 levels of includes, no deeper
// (a cycle of includes ends there too), both by number and by label.
func TestFindThroughIncludes(t *testing.T) {
	dp := includeChain(18)
	top := dp.Context("top")
	for i := 1; i <= 18; i++ {
		exten := fmt.Sprintf("55501%02d", i)
		want := ""
		if i <= 16 {
			want = fmt.Sprintf("cust%d", i)
		}
		got := ""
		if c, e := findExten(dp, top, exten); e != nil {
			got = c.Name
		}
		if got != want {
			t.Errorf("findExten(top, %s) in %q, want %q", exten, got, want)
		}
		got = ""
		if c, _, j, ok := findPriority(dp, top, exten, "menu"); ok {
			got = fmt.Sprint(c.Name, " ", j)
		}
		if want != "" {
			want += " 1"
		}
		if got != want {
			t.Errorf("findPriority(top, %s, menu) = %q, want %q", exten, got, want)
		}
	}
}

// A pattern with a hint and no priorities (a pattern hint) is no
// extension to run: the search goes on into the includes.
func TestFindSkipsPatternHint(t *testing.T) {
	dp := parser.BuildDialplan(parser.Parse("extensions.conf", []byte(`
[phones]
exten => _2XX,hint,PJSIP/${EXTEN}
include => phones-dial
[phones-dial]
exten => _2XX,1,Dial(PJSIP/${EXTEN},20)
`), parser.Options{}))
	c, e := findExten(dp, dp.Context("phones"), "201")
	if e == nil || c.Name != "phones-dial" || len(e.Priorities) != 1 {
		t.Errorf("findExten(phones, 201) = %v %+v, want phones-dial's _2XX", c, e)
	}
}
