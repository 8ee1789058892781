package flow

import (
	"strconv"
	"strings"

	"github.com/astapi/astapi/parser"
)

// jump resolves a Goto-style "[[context,]exten,]priority" at p; when it
// cannot, q is nil and raw is the target as written ("" for an empty one).
func (r *reader) jump(p pos, spec string) (q *pos, raw string) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, ""
	}
	var parts [3]string
	n := splitArgsInto(parts[:], spec)
	for i := range min(n, 3) {
		parts[i] = strings.TrimSpace(parts[i])
	}
	c, exten, prio := p.c, p.exten(), ""
	switch n {
	case 1:
		prio = parts[0]
	case 2:
		exten, prio = parts[0], parts[1]
	case 3:
		if strings.Contains(parts[0], "$") {
			return nil, spec
		}
		c = r.dp.Context(parts[0])
		if c == nil {
			r.warn(p.prio().Pos, "%s to context %q: no such context", p.prio().App, parts[0])
			return nil, spec
		}
		exten, prio = parts[1], parts[2]
	default:
		return nil, spec
	}
	prio, _, _ = strings.Cut(prio, "(")
	if strings.Contains(exten+prio, "$") {
		return nil, spec
	}
	var e *parser.Extension
	if n == 1 {
		e = p.e
	} else if exten == p.exten() && c == p.c {
		e = p.e
	} else {
		c, e = findExten(r.dp, c, exten)
	}
	if e == nil {
		r.warn(p.prio().Pos, "%s to %s: no such extension", p.prio().App, spec)
		return nil, spec
	}
	i, ok := priorityIndex(e, prio)
	if !ok {
		// pbx_find_extension goes on into the includes when the matching
		// extension lacks the priority: Gosub(${EXTEN},stdexten(…)) in
		// the sample [demo] lands on [stdexten] _X. via include.
		c, e, i, ok = findPriority(r.dp, c, exten, prio)
	}
	if !ok {
		r.warn(p.prio().Pos, "%s to %s: no such priority or label", p.prio().App, spec)
		return nil, spec
	}
	q = &pos{c: c, e: e, i: i}
	if e == p.e { // (an extension is one context's)
		q.num = p.num
	} else if e.IsPattern() && IsNumber(exten) {
		q.num = exten
	}
	return q, ""
}

// call resolves a Gosub target "[[context,]exten,]priority(args)".
func (r *reader) call(p pos, spec string) (q *pos, args []string, raw string) {
	spec = strings.TrimSpace(spec)
	if target, a, ok := cutCall(spec); ok {
		spec, args = target, a
	}
	q, raw = r.jump(p, spec)
	if args == nil {
		args = []string{}
	}
	return q, args, raw
}

// gosubContext returns the context a three-part Gosub target names, and
// its arguments.
func gosubContext(spec string) (ctx string, args []string, ok bool) {
	target, args, _ := cutCall(spec)
	parts := splitArgs(target)
	if len(parts) != 3 {
		return "", nil, false
	}
	return strings.TrimSpace(parts[0]), args, true
}

// cutCall cuts a Gosub target "target(args)" at its first '(': the
// target, the arguments (up to the last ')'), and whether there are any.
func cutCall(spec string) (target string, args []string, ok bool) {
	target, inner, ok := strings.Cut(spec, "(")
	if j := strings.LastIndexByte(inner, ')'); j >= 0 {
		inner = inner[:j]
	}
	return target, splitArgs(inner), ok
}

// subst replaces what is known where p runs: ${EXTEN}, ${CONTEXT} (for a
// number that is not a pattern), ${ARGn} of the innermost call,
// ${MACRO_EXTEN}/${MACRO_CONTEXT}, and [globals].
func (r *reader) subst(s string, p pos, st *state) string {
	if !strings.Contains(s, "${") {
		return s
	}
	if ex := p.exten(); !strings.HasPrefix(ex, "_") {
		s = substExten(s, ex)
	}
	s = strings.ReplaceAll(s, "${CONTEXT}", p.c.Name)
	if st.status != "" {
		s = strings.ReplaceAll(s, "${DIALSTATUS}", st.status)
	}
	if len(st.stack) > 0 {
		f := st.stack[len(st.stack)-1]
		for i := len(f.args); i >= 1; i-- {
			s = strings.ReplaceAll(s, "${ARG"+strconv.Itoa(i)+"}", strings.TrimSpace(f.args[i-1]))
		}
		if f.caller.valid() && !strings.HasPrefix(f.caller.exten(), "_") {
			s = strings.ReplaceAll(s, "${MACRO_EXTEN}", f.caller.exten())
			s = strings.ReplaceAll(s, "${MACRO_CONTEXT}", f.caller.c.Name)
		}
	}
	return r.dp.ExpandGlobals(s)
}

// substExten replaces ${EXTEN} and ${EXTEN:offset[:length]} by what they
// are for the dialled number exten.
func substExten(s, exten string) string {
	for {
		i := strings.Index(s, "${EXTEN")
		if i < 0 {
			return s
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return s
		}
		expr := s[i+2 : i+j] // EXTEN or EXTEN:o[:l]
		val, ok := exten, true
		if rest, cut := strings.CutPrefix(expr, "EXTEN:"); cut {
			val, ok = substring(exten, rest)
		} else if expr != "EXTEN" {
			ok = false
		}
		if !ok {
			// Leave what cannot be worked out; look after it.
			return s[:i+j+1] + substExten(s[i+j+1:], exten)
		}
		s = s[:i] + val + s[i+j+1:]
	}
}

// substring is Asterisk's ${VAR:offset[:length]} of v.
func substring(v, spec string) (string, bool) {
	offs, lens, hasLen := strings.Cut(spec, ":")
	off, err := strconv.Atoi(strings.TrimSpace(offs))
	if err != nil {
		return "", false
	}
	if off < 0 {
		off = max(len(v)+off, 0)
	}
	off = min(off, len(v))
	v = v[off:]
	if hasLen {
		n, err := strconv.Atoi(strings.TrimSpace(lens))
		if err != nil {
			return "", false
		}
		if n < 0 {
			n = max(len(v)+n, 0)
		}
		v = v[:min(n, len(v))]
	}
	return v, true
}
