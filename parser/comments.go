package parser

import (
	"bytes"
	"strings"
)

// commentState follows Asterisk's comment scan across the lines of a file:
// `;` ends a line, `\;` is a literal semicolon, and `;--` … `--;` is a block
// comment that may span lines and nest.
type commentState struct {
	depth    int // may go to -1: Asterisk's quirk for a stray `--;`
	openedAt [maxNestedComments]int
}

// strip returns the text of line outside comments and whether the line has
// any text to process at all (false while a block comment that began on an
// earlier line is open, as Asterisk skips such a line unless the block
// closes on it). onError reports problems Asterisk logs as errors.
func (c *commentState) strip(line string, lineno int, onError func(string)) (string, bool) {
	if c.depth == 0 {
		// Fast path: no `;`, or a plain line comment.
		i := strings.IndexByte(line, ';')
		if i < 0 {
			return line, true
		}
		if (i == 0 || line[i-1] != '\\') && !(at(line, i+1) == '-' && at(line, i+2) == '-') &&
			!(i >= 2 && line[i-1] == '-' && line[i-2] == '-') {
			return line[:i], true
		}
	}
	// Slow path: emulate config.c on a C-like buffer where 0 ends a string.
	buf := []byte(line)
	proc := -1 // start of process_buf, -1 for NULL
	if c.depth == 0 {
		proc = 0
	}
	newBuf := 0
	for {
		end := cstrEnd(buf, newBuf)
		i := bytes.IndexByte(buf[newBuf:end], ';')
		if i < 0 {
			break
		}
		p := newBuf + i
		switch {
		case p > newBuf && buf[p-1] == '\\':
			// Escaped: drop the backslash, keep the `;`, scan on after it.
			buf = append(buf[:p-1], buf[p:]...)
			newBuf = p
		case atb(buf, p+1) == '-' && atb(buf, p+2) == '-' && atb(buf, p+3) != '-':
			if c.depth < maxNestedComments {
				buf[p] = 0
				newBuf = p + 3
				c.depth++
				if c.depth > 0 {
					c.openedAt[c.depth-1] = lineno
				}
			} else {
				// Asterisk logs and then loops forever on the same `;`; skip it.
				onError("block comments nested more than 128 deep")
				newBuf = p + 1
			}
		case p >= newBuf+2 && buf[p-1] == '-' && buf[p-2] == '-':
			c.depth--
			newBuf = p + 1
			if c.depth == 0 {
				if proc >= 0 {
					// Join what follows the closer to what preceded the opener.
					old := cstrEnd(buf, proc)
					rest := append([]byte(nil), buf[newBuf:cstrEnd(buf, newBuf)]...)
					buf = append(buf[:old], rest...)
					newBuf = old
				} else {
					proc = newBuf
				}
			}
		default:
			if c.depth == 0 {
				buf[p] = 0
				newBuf = p
			} else {
				newBuf = p + 1
			}
		}
	}
	if proc < 0 {
		return "", false
	}
	return string(buf[proc:cstrEnd(buf, proc)]), true
}

func at(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

func atb(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}

func cstrEnd(b []byte, from int) int {
	if from > len(b) {
		return len(b)
	}
	if i := bytes.IndexByte(b[from:], 0); i >= 0 {
		return from + i
	}
	return len(b)
}
