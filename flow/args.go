package flow

import (
	"strings"

	"github.com/astapi/astapi/parser"
)

// Asterisk 1.4 separated an application's arguments with '|' (its
// pbx_config turned ',' into '|'), so its dialplans mix both:
// GotoIfTime(8:00-18:00|mon-fri|*|*?ctx|s|1). Asterisk 1.6 and later
// read '|' as a plain character, and the parser, which agrees with
// Asterisk 20, keeps it so. Where the call flow reads arguments it
// splits on both, as 1.4 did: a '|' outside (), [] and quotes is never
// part of an argument the flow reads (a context, an extension, a time
// range, a phone).

// splitArgs is parser.SplitArgs with '|' a separator too.
func splitArgs(s string) []string { return parser.SplitArgs(legacySeparators(s)) }

// firstArg is parser.FirstArg with '|' a separator too.
func firstArg(s string) string { return parser.FirstArg(legacySeparators(s)) }

// splitArgsInto is parser.SplitArgsInto with '|' a separator too.
func splitArgsInto(dst []string, s string) int {
	return parser.SplitArgsInto(dst, legacySeparators(s))
}

// legacySeparators returns s with every '|' that separates arguments
// (outside (), [], quotes, not escaped) turned into ','.
func legacySeparators(s string) string {
	if strings.IndexByte(s, '|') < 0 {
		return s
	}
	b := []byte(s)
	paren, bracket, quoted := 0, 0, false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '(':
			paren++
		case c == ')' && paren > 0:
			paren--
		case c == '[':
			bracket++
		case c == ']' && bracket > 0:
			bracket--
		case c == '|' && paren == 0 && bracket == 0:
			b[i] = ','
		}
	}
	return string(b)
}
