package parser

import (
	"strings"
)

// Asterisk's readings of option values.

// IsTrue is Asterisk's ast_true: yes, true, y, t, 1 or on, in any case.
func IsTrue(s string) bool {
	switch strings.ToLower(trimBlanks(s)) {
	case "yes", "true", "y", "t", "1", "on":
		return true
	}
	return false
}

// IsFalse is Asterisk's ast_false: no, false, n, f, 0 or off, in any case
// (an unset or other value is neither true nor false).
func IsFalse(s string) bool {
	switch strings.ToLower(trimBlanks(s)) {
	case "no", "false", "n", "f", "0", "off":
		return true
	}
	return false
}

// ShrinkPhoneNumber is callerid.c's ast_shrink_phone_number: spaces and
// parentheses go, and so do dashes outside brackets and any '.' but a last.
func ShrinkPhoneNumber(n string) string {
	var b strings.Builder
	depth := 0
	for i := 0; i < len(n); i++ {
		c := n[i]
		switch c {
		case '[':
			depth++
		case ']':
			depth--
		case '-':
			if depth == 0 {
				continue
			}
		case '.':
			if i != len(n)-1 {
				continue
			}
		case '(', ')', ' ':
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
