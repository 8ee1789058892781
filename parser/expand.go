package parser

import (
	"strings"
)

// What pbx_config expands at load time: the [globals] a line names.

// Expand substitutes ${NAME} and ${NAME:offset:length} with globals and
// leaves everything else (channel variables, functions) expanded to nothing,
// as pbx_config does at load time. See expand.
func (d *Dialplan) Expand(s string) string { return d.expand(s) }

// ExpandGlobals substitutes only the ${NAME} references that name a global
// and keeps every other ${...} as written: what a reader of the dialplan
// can know before a call.
func (d *Dialplan) ExpandGlobals(s string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '$' && i+1 < len(s) && s[i+1] == '{' {
			if j := strings.IndexByte(s[i:], '}'); j > 0 {
				if k, ok := d.globals[s[i+2:i+j]]; ok {
					b.WriteString(d.Globals[k].Value)
					i += j + 1
					continue
				}
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// expand substitutes ${NAME} and ${NAME:offset:length} with globals, as
// pbx_config does at load time without a channel. Unknown variables and
// functions expand to nothing; $[...] expressions are left as written.
func (d *Dialplan) expand(s string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '$' && i+1 < len(s) && s[i+1] == '{' {
			depth, j := 1, i+2
			for ; j < len(s) && depth > 0; j++ {
				if s[j] == '{' && s[j-1] == '$' {
					depth++
				} else if s[j] == '}' {
					depth--
				}
			}
			if depth > 0 {
				b.WriteString(s[i:])
				break
			}
			b.WriteString(d.lookup(d.expand(s[i+2 : j-1])))
			i = j
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func (d *Dialplan) lookup(expr string) string {
	if strings.ContainsAny(expr, "(") {
		return "" // a function: needs a channel
	}
	name, sub, hasSub := strings.Cut(expr, ":")
	val := ""
	if i, ok := d.globals[name]; ok {
		val = d.Globals[i].Value
	}
	if !hasSub {
		return val
	}
	offS, lenS, hasLen := strings.Cut(sub, ":")
	off, _ := scanInt(offS)
	if off < 0 {
		off += len(val)
		if off < 0 {
			off = 0
		}
	}
	if off > len(val) {
		return ""
	}
	val = val[off:]
	if hasLen {
		n, ok := scanInt(lenS)
		if ok && n >= 0 && n < len(val) {
			val = val[:n]
		} else if ok && n < 0 {
			if len(val)+n > 0 {
				val = val[:len(val)+n]
			} else {
				val = ""
			}
		}
	}
	return val
}
