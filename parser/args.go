package parser

import "strings"

// SplitArgs splits an application's argument string the way Asterisk's
// applications do at run time (app.c: ast_app_separate_args): on commas
// outside (), [] and "...", with a backslash protecting the next byte. Quotes
// and backslashes are removed; nested parentheses and brackets are kept.
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
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
			continue
		case c == '"':
			quoted = !quoted
			continue
		case quoted:
		case c == '(':
			paren++
		case c == ')' && paren > 0:
			paren--
		case c == '[':
			bracket++
		case c == ']' && bracket > 0:
			bracket--
		case c == ',' && paren == 0 && bracket == 0:
			out = append(out, b.String())
			b.Reset()
			continue
		}
		b.WriteByte(c)
	}
	return append(out, b.String())
}
