package index

import (
	"strings"

	"github.com/astapi/astapi/parser"
)

// Mailbox is a voicemail box as app_voicemail builds it: a `box => pin,
// fullname,email,pager,options` line of a voicemail.conf context, or a
// users.conf user with hasvoicemail (in voicemail.conf's userscontext).
type Mailbox struct {
	ID       string
	TenantID string // "" when no tenant claims the box (then nobody lists it)
	Context  string // voicemail context
	Box      string
	FullName string
	Email    string
	Pager    string
	// PIN is the box's password as app_voicemail compares it. It is a
	// secret: never served, logged or quoted; only the audit reads it.
	PIN    string `json:"-"`
	PINPos parser.Pos
	Source string // "voicemail.conf" or "users.conf"
	Pos    parser.Pos
}

// Key is the box as the dialplan and mailbox= name it: box@context.
func (m *Mailbox) Key() string { return m.Box + "@" + m.Context }

// boxKey is the key under which app_voicemail finds a box: box and
// context compare case-insensitively.
func boxKey(box, context string) string { return strings.ToLower(box + "@" + context) }

// voicemailDefaultContext is app_voicemail's context for a box named
// without one (VoiceMail(201), mailbox=201).
const voicemailDefaultContext = "default"

// mailboxes reads the boxes of voicemail.conf (vm, nil when absent) and
// of users.conf (users, nil when absent), in app_voicemail's order:
// voicemail.conf first, then users.conf users with hasvoicemail; a box
// defined twice keeps its first definition (app_voicemail refuses the
// second) and the second gets a warning.
func (b *builder) mailboxes(vm, users *parser.Config) []*Mailbox {
	var out []*Mailbox
	seen := map[string]*Mailbox{}
	add := func(m *Mailbox) {
		k := boxKey(m.Box, m.Context)
		if first := seen[k]; first != nil {
			b.warn(m.Pos, "mailbox %s is already defined at %s: this one is ignored, as app_voicemail does", m.Key(), first.Pos)
			return
		}
		seen[k] = m
		out = append(out, m)
	}
	usersContext := voicemailDefaultContext
	skip := map[string]bool{"general": true, "zonemessages": true}
	if vm != nil {
		if g := vm.Section("general"); g != nil {
			if v := lastValue(g.Vars, "userscontext"); v != "" {
				usersContext = v
			}
			// The aliases context maps box@context => box@context: no boxes.
			if v := lastValue(g.Vars, "aliasescontext"); v != "" {
				skip[strings.ToLower(v)] = true
			}
		}
		for _, s := range vm.Sections {
			if s.Template || skip[strings.ToLower(s.Name)] {
				continue
			}
			for _, v := range s.Vars {
				if v.Inherited {
					continue
				}
				// app_voicemail takes every line of a context as a box,
				// `=` or `=>`; directoryintro= is app_directory's.
				if strings.EqualFold(v.Name, "directoryintro") {
					continue
				}
				add(parseBoxLine(s.Name, v))
			}
		}
	}
	if users != nil {
		general := users.Section("general")
		for _, s := range users.Sections {
			if s.Template || strings.EqualFold(s.Name, "general") {
				continue
			}
			vars := withGeneral(general, s)
			if !parser.IsTrue(lastValue(vars, "hasvoicemail")) {
				continue
			}
			m := &Mailbox{Context: usersContext, Box: s.Name, Source: "users.conf", Pos: s.Pos,
				FullName: lastValue(vars, "fullname"), Email: lastValue(vars, "email"), Pager: lastValue(vars, "pager")}
			// vmsecret is the PIN; without it app_voicemail takes the SIP
			// secret (secret= or password=).
			for _, name := range []string{"vmsecret", "secret", "password"} {
				if v := lastVar(vars, name); v != nil && v.Value != "" {
					m.PIN, m.PINPos = v.Value, v.Pos
					break
				}
			}
			if m.PINPos == (parser.Pos{}) {
				m.PINPos = m.Pos
			}
			add(m)
		}
	}
	return out
}

// withGeneral is a users.conf user's lines after the [general] defaults,
// as Asterisk reads them.
func withGeneral(general, s *parser.Section) []parser.Var {
	if general == nil {
		return s.Vars
	}
	vars := make([]parser.Var, 0, len(general.Vars)+len(s.Vars))
	for _, v := range general.Vars {
		v.Inherited = true
		vars = append(vars, v)
	}
	return append(vars, s.Vars...)
}

// parseBoxLine reads `box => pin,fullname,email,pager,options`.
func parseBoxLine(context string, v parser.Var) *Mailbox {
	fields := strings.SplitN(v.Value, ",", 5)
	field := func(i int) string {
		if i < len(fields) {
			return strings.TrimSpace(fields[i])
		}
		return ""
	}
	return &Mailbox{
		Context: context, Box: strings.TrimSpace(v.Name), Source: "voicemail.conf", Pos: v.Pos,
		PIN: field(0), PINPos: v.Pos, FullName: field(1), Email: field(2), Pager: field(3),
	}
}

// assignMailboxes gives every box its tenant and ID (SPEC §6.1): the
// tenant whose phones' mailbox= or whose dialplan's VoiceMail(box@context)
// (VoiceMailMain, VMAuthenticate, FreePBX Macro(vm,box,…)) point at it;
// else the first tenant whose contexts globs match its voicemail context;
// else, when there is only one tenant, that one.
func (b *builder) assignMailboxes(boxes []*Mailbox, exts []*Extension) {
	if len(boxes) == 0 {
		return // most installs without voicemail: no walk of the dialplan
	}
	byKey := make(map[string]*Mailbox, len(boxes))
	for _, m := range boxes {
		byKey[boxKey(m.Box, m.Context)] = m
	}
	claim := func(ref string, t *Tenant) {
		for r := range strings.SplitSeq(ref, "&") {
			for r := range strings.SplitSeq(r, ",") {
				r = strings.TrimSpace(r)
				if r == "" || strings.Contains(r, "${") {
					continue
				}
				box, ctx, ok := strings.Cut(r, "@")
				if !ok || ctx == "" {
					ctx = voicemailDefaultContext
				}
				if m := byKey[boxKey(box, ctx)]; m != nil && m.TenantID == "" {
					m.TenantID = t.ID
				}
			}
		}
	}
	byID := make(map[string]*Tenant, len(b.tenants))
	for _, t := range b.tenants {
		byID[t.ID] = t
	}
	for _, e := range exts {
		for _, p := range e.Peers {
			// chan_sip mailbox=, PJSIP mailboxes= (endpoint or AOR).
			if v := lastVar(p.Vars, "mailbox"); v != nil {
				claim(v.Value, byID[e.TenantID])
			} else if v := lastVar(p.Vars, "mailboxes"); v != nil {
				claim(v.Value, byID[e.TenantID])
			} else if p.Source == "users.conf" && parser.IsTrue(lastValue(p.Vars, "hasvoicemail")) {
				// A users.conf user's own box, which chan_sip names as its
				// mailbox.
				claim(p.Name+"@"+voicemailDefaultContextOf(boxes, p.Name), byID[e.TenantID])
			}
		}
	}
	if b.dp != nil {
		for _, t := range b.tenants {
			for ctx := range b.ctxSet[t] {
				c := b.dp.Context(ctx)
				if c == nil {
					continue
				}
				for _, e := range c.Extensions {
					for i := range e.Priorities {
						if ref, ok := voicemailRef(&e.Priorities[i]); ok {
							if strings.Contains(ref, "${") {
								ref = b.dp.ExpandGlobals(ref)
							}
							claim(ref, t)
						}
					}
				}
			}
		}
	}
	for _, m := range boxes {
		if m.TenantID != "" {
			continue
		}
		if d := b.ctxGlobs.first(m.Context); d >= 0 {
			m.TenantID = b.byKey[b.decls[d].key].ID
		} else if len(b.tenants) == 1 {
			m.TenantID = b.tenants[0].ID
		} else {
			b.warn(m.Pos, "mailbox %s belongs to no tenant (no phone's mailbox=, no VoiceMail() of a tenant's dialplan and no contexts glob names it): not listed", m.Key())
		}
	}
	keys := make([]string, len(boxes))
	for i, m := range boxes {
		keys[i] = m.Context + "\x00" + m.Box
	}
	ids := newIDAllocator("mailbox").assignList(keys)
	for i, m := range boxes {
		m.ID = ids[i]
	}
}

// voicemailDefaultContextOf is the voicemail context of a users.conf box
// named box (app_voicemail's userscontext).
func voicemailDefaultContextOf(boxes []*Mailbox, box string) string {
	for _, m := range boxes {
		if m.Source == "users.conf" && m.Box == box {
			return m.Context
		}
	}
	return voicemailDefaultContext
}

// voicemailRef returns the box list a priority leaves messages in or
// authenticates against: VoiceMail(boxes,…), VoiceMailMain(box@ctx,…),
// VMAuthenticate(box@ctx,…), FreePBX Macro(vm,box,…) and
// Gosub(macro-vm,s,1(box,…)).
func voicemailRef(pr *parser.Priority) (string, bool) {
	app := pr.App
	// Most priorities are none of these: a look at the first letter saves
	// lower-casing a million application names.
	if app == "" || !strings.ContainsRune("vVmMgG", rune(app[0])) {
		return "", false
	}
	switch {
	case strings.EqualFold(app, "voicemail"), strings.EqualFold(app, "voicemailmain"), strings.EqualFold(app, "vmauthenticate"):
		ref := parser.FirstArg(pr.Args)
		return ref, ref != ""
	case strings.EqualFold(app, "macro"):
		args := parser.SplitArgs(pr.Args)
		if len(args) >= 2 && strings.EqualFold(strings.TrimSpace(args[0]), "vm") {
			return args[1], args[1] != ""
		}
	case strings.EqualFold(app, "gosub"):
		// FreePBX 17 calls its former macros as subroutines:
		// Gosub(macro-vm,s,1(box,…)).
		args := parser.SplitArgs(pr.Args)
		if len(args) == 3 && strings.EqualFold(strings.TrimSpace(args[0]), "macro-vm") {
			if _, inner, ok := strings.Cut(args[2], "("); ok {
				box := parser.FirstArg(strings.TrimSuffix(inner, ")"))
				return box, box != ""
			}
		}
	}
	return "", false
}
