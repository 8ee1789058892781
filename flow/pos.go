package flow

import (
	"slices"
	"strconv"
	"strings"

	"github.com/astapi/astapi/parser"
)

// pos is one priority of the dialplan.
type pos struct {
	c *parser.Context
	e *parser.Extension
	i int // index into e.Priorities
	// num is the number dialled when e is a pattern a Goto reached with a
	// number (its ${EXTEN}); "" otherwise.
	num string
}

func (p pos) valid() bool            { return p.e != nil && p.i < len(p.e.Priorities) }
func (p pos) prio() *parser.Priority { return &p.e.Priorities[p.i] }
func (p pos) next() pos              { return pos{p.c, p.e, p.i + 1, p.num} }
func (p pos) first() pos             { return pos{p.c, p.e, 0, p.num} }
func (p pos) sameExt(q pos) bool     { return p.c == q.c && p.e == q.e }

// exten is the extension as dialled: the number for a pattern reached
// with one.
func (p pos) exten() string {
	if p.num != "" {
		return p.num
	}
	return extName(p.e)
}

// String is "context,exten,priority" (de_src, de_dst, Entry).
func (p pos) String() string {
	n := 0
	if p.valid() {
		n = p.prio().Priority
	}
	return p.c.Name + "," + p.exten() + "," + strconv.Itoa(n)
}

// extName is an extension as written, "exten/cid" for a caller-ID match.
func extName(e *parser.Extension) string {
	if e.CID != "" {
		return e.Exten + "/" + e.CID
	}
	return e.Exten
}

// findExten finds the extension Asterisk runs for exten in c: its own
// extensions (an exact match, else the most specific matching pattern),
// then its includes, depth first, as pbx_find_extension does.
func findExten(dp *parser.Dialplan, c *parser.Context, exten string) (*parser.Context, *parser.Extension) {
	seen := map[*parser.Context]bool{}
	var find func(c *parser.Context, depth int) (*parser.Context, *parser.Extension)
	find = func(c *parser.Context, depth int) (*parser.Context, *parser.Extension) {
		if c == nil || seen[c] || depth > 16 {
			return nil, nil
		}
		seen[c] = true
		if e := c.Extension(exten, ""); e != nil && len(e.Priorities) > 0 {
			return c, e
		}
		var best *parser.Extension
		for _, e := range c.Extensions {
			if e.CID == "" && e.IsPattern() && len(e.Priorities) > 0 && matchPattern(e.Exten[1:], exten) &&
				(best == nil || patternLess(e.Exten[1:], best.Exten[1:])) {
				best = e
			}
		}
		if best != nil {
			return c, best
		}
		for _, inc := range c.Includes {
			if ic, ie := find(dp.Context(inc.Context), depth+1); ie != nil {
				return ic, ie
			}
		}
		return nil, nil
	}
	return find(c, 0)
}

// findPriority is findExten for a priority or label: where the extension
// matched lacks it, the search goes on to the context's other matching
// extensions, then into its includes, depth first, as pbx_find_extension
// does.
func findPriority(dp *parser.Dialplan, c *parser.Context, exten, prio string) (*parser.Context, *parser.Extension, int, bool) {
	seen := map[*parser.Context]bool{}
	var find func(c *parser.Context, depth int) (*parser.Context, *parser.Extension, int, bool)
	find = func(c *parser.Context, depth int) (*parser.Context, *parser.Extension, int, bool) {
		if c == nil || seen[c] || depth > 16 {
			return nil, nil, 0, false
		}
		seen[c] = true
		// Every extension of c that matches, the exact one first, then
		// the patterns most specific first (the default, older matcher
		// walks them all, in that order, before the includes).
		if e := c.Extension(exten, ""); e != nil {
			if i, ok := priorityIndex(e, prio); ok {
				return c, e, i, true
			}
		}
		var pats []*parser.Extension
		for _, e := range c.Extensions {
			if e.CID == "" && e.IsPattern() && matchPattern(e.Exten[1:], exten) {
				pats = append(pats, e)
			}
		}
		slices.SortStableFunc(pats, func(a, b *parser.Extension) int {
			if patternLess(a.Exten[1:], b.Exten[1:]) {
				return -1
			}
			if patternLess(b.Exten[1:], a.Exten[1:]) {
				return 1
			}
			return 0
		})
		for _, e := range pats {
			if i, ok := priorityIndex(e, prio); ok {
				return c, e, i, true
			}
		}
		for _, inc := range c.Includes {
			if fc, e, i, ok := find(dp.Context(inc.Context), depth+1); ok {
				return fc, e, i, true
			}
		}
		return nil, nil, 0, false
	}
	return find(c, 0)
}

// patternLess is pbx.c ext_cmp_pattern: position by position, the
// pattern whose position matches fewer characters (then the lower first
// character) sorts first, and Asterisk runs the first that matches:
// _6XXX beats _[1-9]XXX for 6001 wherever they are in the file.
func patternLess(a, b string) bool {
	ra, rb := patternRanks(a), patternRanks(b)
	for i := range min(len(ra), len(rb)) {
		if ra[i] < rb[i] {
			return true
		}
		if ra[i] > rb[i] {
			return false
		}
	}
	return false
}

// patternRanks is ext_cmp_pattern_pos for each position of a pattern
// (after the '_'): the count of characters it matches, shifted, with the
// lowest of them; '.', '!' and the end rank last.
func patternRanks(pat string) []int {
	var out []int
	for len(pat) > 0 {
		c := pat[0]
		pat = pat[1:]
		switch c {
		case ' ', '-':
			continue // pbx.c strips them from a pattern outside []
		case 'N', 'n':
			out = append(out, 0x0800|'2')
		case 'X', 'x':
			out = append(out, 0x0A00|'0')
		case 'Z', 'z':
			out = append(out, 0x0900|'1')
		case '.':
			out = append(out, 0x18000)
		case '!':
			out = append(out, 0x28000)
		case '[':
			end := strings.IndexByte(pat, ']')
			if end < 0 {
				return append(out, 0x40000)
			}
			var set [256]bool
			count, lowest := 0, 0xFF
			for i := 0; i < end; i++ {
				c1, c2 := pat[i], pat[i]
				if i+2 < end && pat[i+1] == '-' {
					c2 = pat[i+2]
					i += 2
				}
				lowest = min(lowest, int(c1))
				for ch := int(c1); ch <= int(c2); ch++ {
					if !set[ch] {
						set[ch] = true
						count += 0x100
					}
				}
			}
			out = append(out, count|lowest)
			pat = pat[end+1:]
		default:
			out = append(out, 0x0100|int(c))
		}
	}
	return append(out, 0x30000)
}

// priorityIndex finds priority n or label in e.
func priorityIndex(e *parser.Extension, prio string) (int, bool) {
	var p *parser.Priority
	if n, err := strconv.Atoi(prio); err == nil {
		p = e.Priority(n)
	} else {
		p = e.Label(prio)
	}
	if p == nil {
		return 0, false
	}
	for i := range e.Priorities {
		if &e.Priorities[i] == p {
			return i, true
		}
	}
	return 0, false
}

// MatchPattern is matchPattern for the index (a phone reached through a
// pattern extension).
func MatchPattern(pat, s string) bool { return matchPattern(pat, s) }

// matchPattern matches Asterisk's pattern syntax (after the '_'): X, Z, N,
// [sets], '.' (one or more) and '!' (zero or more); '-' is ignored.
func matchPattern(pat, s string) bool {
	for len(pat) > 0 {
		c := pat[0]
		switch c {
		case '-':
			pat = pat[1:]
			continue
		case '.':
			return len(s) > 0
		case '!':
			return true
		}
		if len(s) == 0 {
			return false
		}
		ch := s[0]
		switch c {
		case 'X', 'x':
			if ch < '0' || ch > '9' {
				return false
			}
		case 'Z', 'z':
			if ch < '1' || ch > '9' {
				return false
			}
		case 'N', 'n':
			if ch < '2' || ch > '9' {
				return false
			}
		case '[':
			end := strings.IndexByte(pat, ']')
			if end < 0 || !inSet(pat[1:end], ch) {
				return false
			}
			pat = pat[end:]
		default:
			if c != ch {
				return false
			}
		}
		pat, s = pat[1:], s[1:]
	}
	return len(s) == 0
}

func inSet(set string, ch byte) bool {
	for i := 0; i < len(set); i++ {
		if i+2 < len(set) && set[i+1] == '-' {
			if ch >= set[i] && ch <= set[i+2] {
				return true
			}
			i += 2
			continue
		}
		if set[i] == ch {
			return true
		}
	}
	return false
}

// CutCondition splits "condition?rest" at the first '?' outside brackets,
// braces and parentheses; ok is false when there is none.
func CutCondition(s string) (cond, rest string, ok bool) {
	if i := indexOutside(s, '?'); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

// CutBranches splits "iftrue:iffalse" at the first ':' outside brackets,
// braces and parentheses.
func CutBranches(s string) (t, f string) {
	if i := indexOutside(s, ':'); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// indexOutside is the index of the first sep outside brackets, braces and
// parentheses, or -1.
func indexOutside(s string, sep byte) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[', '{', '(':
			depth++
		case ']', '}', ')':
			depth--
		case sep:
			if depth <= 0 {
				return i
			}
		}
	}
	return -1
}

// cutApp splits "App(args)" into its name and arguments.
func cutApp(s string) (app, args string) {
	s = strings.TrimSpace(s)
	name, rest, ok := strings.Cut(s, "(")
	if !ok {
		return name, ""
	}
	if i := strings.LastIndexByte(rest, ')'); i >= 0 {
		rest = rest[:i]
	}
	return strings.TrimSpace(name), rest
}
