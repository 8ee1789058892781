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
	if strings.IndexByte(s, '"') < 0 && strings.IndexByte(s, '\\') < 0 {
		return splitArgsPlain(s)
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

// splitArgsPlain is SplitArgs for a string without quotes or backslashes:
// nothing is removed, so the arguments are substrings of s.
func splitArgsPlain(s string) []string {
	n := 1
	eachArgComma(s, func(int) bool { n++; return true })
	out := make([]string, 0, n)
	last := 0
	eachArgComma(s, func(i int) bool {
		out = append(out, s[last:i])
		last = i + 1
		return true
	})
	return append(out, s[last:])
}

// FirstArg is SplitArgs(s)[0], without allocating when s holds no quote
// or backslash.
func FirstArg(s string) string {
	if strings.ContainsAny(s, `"\`) {
		return SplitArgs(s)[0]
	}
	end := len(s)
	eachArgComma(s, func(i int) bool { end = i; return false })
	return s[:end]
}

// SplitArgsInto stores the first len(dst) arguments SplitArgs(s) would
// give in dst and returns how many arguments s has. It allocates only when
// s holds a quote or backslash.
func SplitArgsInto(dst []string, s string) int {
	if strings.ContainsAny(s, `"\`) {
		all := SplitArgs(s)
		copy(dst, all)
		return len(all)
	}
	n, last := 0, 0
	eachArgComma(s, func(i int) bool {
		if n < len(dst) {
			dst[n] = s[last:i]
		}
		n++
		last = i + 1
		return true
	})
	if n < len(dst) {
		dst[n] = s[last:]
	}
	return n + 1
}

// eachArgComma calls f with the index of every comma of s that separates
// arguments: outside () and [] (s holds no quote nor backslash). It stops
// when f returns false.
func eachArgComma(s string, f func(i int) bool) {
	paren, bracket := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			paren++
		case ')':
			if paren > 0 {
				paren--
			}
		case '[':
			bracket++
		case ']':
			if bracket > 0 {
				bracket--
			}
		case ',':
			if paren == 0 && bracket == 0 && !f(i) {
				return
			}
		}
	}
}
