package index

import (
	"slices"
	"testing"

	"github.com/astapi/astapi/parser"
)

// Unit tests of small helpers, written against mutants `make mutate`
// found uncovered (see scripts/mutate.sh).

func TestParseSizeSuffixes(t *testing.T) {
	for in, want := range map[string]int64{"512": 512, "10K": 10 << 10, "2m": 2 << 20, "1G": 1 << 30, " 3 K": 3 << 10} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"12Q", "-1K", "K"} {
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
	for in, want := range map[string]int{"  +42x": 42, "-7": -7, "": 0, "abc": 0, "\t12": 12, "+": 0, "99999999999": 0} {
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
