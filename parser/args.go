package parser

import "strings"

// SplitArgs splits an application's argument string the way Asterisk's
// applications do at run time (app.c: ast_app_separate_args): on commas
// outside (), [] and "..." (parentheses and brackets count even inside
// quotes, as in Asterisk), with a backslash protecting the next byte.
// Quotes and backslashes are removed; nested parentheses are kept.
func SplitArgs(s string) []string {
	if s == "" {
		return []string{""}
	}
	var out []string
	var b strings.Builder
	paren, bracket := 0, 0
	quoted := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '(':
			paren++
		case c == ')':
			if paren > 0 {
				paren--
			}
		case c == '[':
			bracket++
		case c == ']':
			if bracket > 0 {
				bracket--
			}
		case c == '"':
			quoted = !quoted
			continue
		case c == '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
			continue
		case c == ',' && paren == 0 && bracket == 0 && !quoted:
			out = append(out, b.String())
			b.Reset()
			continue
		}
		b.WriteByte(c)
	}
	return append(out, b.String())
}
