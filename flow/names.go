package flow

import (
	"strings"
)

// didNode is the DID object of the inbound route at p, with what the
// route does before its first object (recording, fax, caller-ID
// prefixes).
func (r *reader) didNode(p pos) *node {
	k := nodeKey{p: p, typ: TypeDID}
	if n := r.node(k); n != nil {
		return n
	}
	n := &node{anchor: p, obj: Object{Type: TypeDID, Context: p.c.Name, Exten: extName(p.e),
		Entry: p.String(), Pos: p.prio().Pos, Number: extName(p.e), DID: &DID{}}}
	d := n.obj.DID
	for q := p; q.valid(); q = q.next() {
		pr := q.prio()
		app, args := lowerApp(pr.App), pr.Args
		if app == "execif" {
			if _, rest, ok := CutCondition(args); ok {
				t, _ := CutBranches(rest)
				app, args = cutApp(t)
				app = lowerApp(app)
			}
		}
		u := strings.ToUpper(args)
		switch app {
		case "mixmonitor", "monitor":
			d.Recording = true
		case "gosub", "macro":
			switch {
			case strings.Contains(u, "SUB-RECORD-CHECK") && (strings.Contains(u, ",YES)") || strings.Contains(u, "FORCE") || strings.Contains(u, "ALWAYS")):
				d.Recording = true
			case strings.HasPrefix(u, "PREPEND-CID,") || strings.Contains(u, "SUB-PREPEND-CID"):
				a := splitArgs(args)
				if app == "macro" && len(a) > 1 {
					d.CIDNamePrefix = strings.TrimSpace(a[1])
				} else if _, inner, ok := strings.Cut(args, "("); ok {
					d.CIDNamePrefix = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(inner, ")"), ")"))
				}
			}
		case "set":
			k, v, _ := strings.Cut(args, "=")
			ku := strings.ToUpper(strings.TrimSpace(k))
			switch {
			case ku == "__REC_POLICY_MODE" && strings.EqualFold(strings.TrimSpace(v), "always"):
				d.Recording = true
			case strings.Contains(ku, "FAX_DEST") || ku == "FAXEXTEN":
				d.Fax = true
			case ku == "_RGPREFIX" || ku == "__RGPREFIX":
				d.CIDNamePrefix = strings.TrimSpace(v)
			case ku == "CALLERID(NAME)" || ku == "CALLERID(NUM)" || ku == "CALLERID(NUMBER)":
				if i := strings.Index(v, "${CALLERID("); i > 0 {
					if ku == "CALLERID(NAME)" {
						d.CIDNamePrefix = v[:i]
					} else {
						d.CIDNumPrefix = v[:i]
					}
				}
			}
		case "receivefax", "rxfax", "nvfaxdetect", "faxdetect":
			d.Fax = true
		}
	}
	r.setNode(k, n)
	return n
}

// name is an object's name: what FreePBX writes on its lines
// (Noop(Playing announcement X)…), the comment on its context's header
// (or a comment line under it) for an object that is its context (on s,
// an IVR, a context of one extension), else "context,exten".
func (r *reader) name(n *node) string {
	for q := n.anchor.first(); q.valid() && q.i <= n.anchor.i; q = q.next() {
		if s := freepbxName(q.prio().App, q.prio().Args); s != "" {
			return s
		}
	}
	if r.in.Line != nil && (n.anchor.e.Exten == "s" || n.obj.Type == TypeIVR || len(n.anchor.c.Extensions) == 1) {
		// The context is the object: its header's comment, else a comment
		// line right under the header. (A comment at the end of a
		// priority's line says what that line does, not what the object
		// is called.)
		file, line := n.anchor.c.Pos.File, n.anchor.c.Pos.Line
		if s := comment(r.in.Line(file, line)); s != "" {
			return s
		}
		if next := strings.TrimSpace(r.in.Line(file, line+1)); strings.HasPrefix(next, ";") {
			if s := comment(next); s != "" {
				return s
			}
		}
	}
	return n.anchor.c.Name + "," + n.anchor.exten()
}

// comment returns the text of a line's ';' comment ("" for none, and for
// block comments and separators made of punctuation only).
func comment(line string) string {
	for i := 0; i < len(line); i++ {
		if line[i] != ';' || (i > 0 && line[i-1] == '\\') {
			continue
		}
		c := line[i+1:]
		if strings.HasPrefix(c, "--") {
			return ""
		}
		c = strings.TrimSpace(c)
		if strings.Trim(c, "-=*#;~_ ") == "" {
			return ""
		}
		return c
	}
	return ""
}
