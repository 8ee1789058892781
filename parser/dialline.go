package parser

import (
	"strconv"
	"strings"
)

// The text of an exten => line, cut as pbx_config cuts it: the
// extension, the application and its arguments, a priority number.

// cutExten cuts the extension at the first comma outside brackets; a
// backslash protects the next byte.
func cutExten(s string) (ext, rest string) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '[':
			depth++
		case ']':
			if depth > 0 {
				depth--
			}
		case ',':
			if depth == 0 {
				return s[:i], s[i+1:]
			}
		}
	}
	return s, ""
}

// splitApp splits "App(args)" as pbx_config does: the name runs to the first
// '(' and the data to the last ')'. A name holding ${ or $[ keeps the whole
// text (hints such as DAHDI/${X}).
func splitApp(appl string, noClose func()) (app, args string) {
	open := strings.IndexByte(appl, '(')
	if open < 0 {
		return skipBlanks(appl), ""
	}
	name := appl[:open]
	if strings.Contains(name, "${") || strings.Contains(name, "$[") {
		return skipBlanks(appl), ""
	}
	data := appl[open+1:]
	if j := strings.LastIndexByte(data, ')'); j >= 0 {
		data = data[:j]
	} else {
		noClose()
	}
	return skipBlanks(name), data
}

func skipBlanks(s string) string {
	i := 0
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	return s[i:]
}

func removeSpaces(s string) string {
	if strings.IndexByte(s, ' ') < 0 {
		return s
	}
	var b strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			in = true
		case ']':
			in = false
		case ' ':
			if !in {
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// scanInt is sscanf("%d"): leading blanks, a sign, digits, anything after.
func scanInt(s string) (int, bool) {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\v' || s[i] == '\f') {
		i++
	}
	start := i
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' && i-digits < 30 {
		i++
	}
	if i == digits {
		return 0, false
	}
	n, err := strconv.Atoi(s[start:i])
	if err != nil {
		return 0, false
	}
	return n, true
}
