package audit

import (
	"strconv"
	"strings"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/parser"
)

// The secrets that are not SIP secrets (SPEC §8): voicemail PINs and the
// passcodes of DISA() and Authenticate(). Their findings name the box
// (box@context) or the dialplan priority (context,exten,priority) in the
// Peer field, and never the code itself, its length or any part of it.

// minPIN is the shortest PIN or passcode not reported as short.
const minPIN = 6

// mailboxes applies V1–V5 to every voicemail box.
func (r *run) mailboxes() {
	seen := map[string][]*index.Mailbox{}
	for _, m := range r.s.Mailboxes {
		// A leading '-' only forbids the owner to change the PIN.
		pin := strings.TrimPrefix(m.PIN, "-")
		name := m.Key()
		if pin == "" {
			r.addAt("V5", m.TenantID, name, m.PINPos, "")
			continue
		}
		if pin == m.Box {
			r.addAt("V1", m.TenantID, name, m.PINPos, "")
		}
		if len([]rune(pin)) < minPIN {
			r.addAt("V2", m.TenantID, name, m.PINPos, "")
		}
		if trivialCode(pin) {
			r.addAt("V3", m.TenantID, name, m.PINPos, "")
		}
		key := r.hashKey(pin)
		seen[key] = append(seen[key], m)
	}
	for _, boxes := range seen {
		if len(boxes) < 2 {
			continue
		}
		refs := make([]PeerRef, len(boxes))
		pos := make([]parser.Pos, len(boxes))
		for i, m := range boxes {
			refs[i], pos[i] = PeerRef{Name: m.Key(), TenantID: m.TenantID}, m.PINPos
		}
		r.addShared("V4", refs, pos)
	}
}

// addAt adds a finding about a named object of a tenant ("" for none).
func (r *run) addAt(id, tenantID, name string, pos parser.Pos, detail string) {
	rule, _ := RuleByID(id)
	f := Finding{Rule: id, Severity: rule.Severity, Reason: rule.Reason, Peer: name, File: pos.File, Line: pos.Line, Detail: detail}
	if t := r.tenants[tenantID]; t != nil {
		f.TenantID, f.Tenant = t.ID, t.Name
	}
	r.out = append(r.out, f)
}

// passcodes applies D1–D2 to every DISA() and Authenticate() of the
// dialplan (also inside ExecIf), once per tenant owning its context.
func (r *run) passcodes() {
	dp := r.s.Dialplan
	if dp == nil {
		return
	}
	owners := map[string][]string{}
	for _, t := range r.s.Tenants {
		for _, c := range t.Contexts {
			owners[c] = append(owners[c], t.ID)
		}
	}
	for _, c := range dp.Contexts {
		for _, e := range c.Extensions {
			r.extensionPasscodes(dp, c.Name, e, owners[c.Name])
		}
	}
}

// extensionPasscodes checks one extension's priorities in order. A
// DISA(no-password) after an Authenticate()/VMAuthenticate() of the same
// extension is protected by it (FreePBX's disa,N does so when a PIN is
// set): no D1.
func (r *run) extensionPasscodes(dp *parser.Dialplan, ctx string, e *parser.Extension, owners []string) {
	authed := false
	for _, pr := range e.Priorities {
		app, args := unwrapExecIf(pr.App, pr.Args)
		a := parser.SplitArgs(args)
		where := func() string { return ctx + "," + e.Exten + "," + strconv.Itoa(pr.Priority) }
		var code string
		var ok bool
		switch strings.ToLower(app) {
		case "vmauthenticate":
			authed = true
			continue
		case "disa":
			first := strings.TrimSpace(dp.ExpandGlobals(a[0]))
			if strings.EqualFold(first, "no-password") {
				target := "disa" // DISA's default context
				if len(a) > 1 && strings.TrimSpace(a[1]) != "" {
					target = strings.TrimSpace(dp.ExpandGlobals(a[1]))
				}
				if out := r.dialsOutUnauthenticated(target); out != "" && !authed {
					r.forOwners(owners, "D1", where(), pr.Pos, "context "+target+" dials out at "+out)
				}
				continue
			}
			code, ok = literalCode(first)
		case "authenticate":
			authed = true
			// d: a database key, m/r: a file of codes; not literal.
			if len(a) > 1 && strings.ContainsAny(a[1], "dmr") {
				continue
			}
			code, ok = literalCode(dp.ExpandGlobals(strings.TrimSpace(a[0])))
		}
		if ok && (len([]rune(code)) < minPIN || trivialCode(code)) {
			r.forOwners(owners, "D2", where(), pr.Pos, "")
		}
	}
}

func (r *run) forOwners(tenantIDs []string, id, where string, pos parser.Pos, detail string) {
	if len(tenantIDs) == 0 {
		r.addAt(id, "", where, pos, detail)
		return
	}
	for _, t := range tenantIDs {
		r.addAt(id, t, where, pos, detail)
	}
}

// literalCode returns a passcode written in the dialplan: not a file
// (DISA and Authenticate read codes from a path starting with /), not
// an unresolved variable.
func literalCode(s string) (string, bool) {
	if s == "" || strings.HasPrefix(s, "/") || strings.Contains(s, "${") || strings.Contains(s, "$[") {
		return "", false
	}
	return s, true
}

// unwrapExecIf returns the application a priority runs: for
// ExecIf(cond?App(args)[:App2(args)]) the one run when cond holds.
func unwrapExecIf(app, args string) (string, string) {
	if !strings.EqualFold(app, "execif") {
		return app, args
	}
	_, rest, ok := strings.Cut(args, "?")
	if !ok {
		return app, args
	}
	open := strings.IndexByte(rest, '(')
	if open <= 0 {
		return strings.TrimSpace(rest), ""
	}
	depth := 0
	for i := open; i < len(rest); i++ {
		switch rest[i] {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return strings.TrimSpace(rest[:open]), rest[open+1 : i]
			}
		}
	}
	return strings.TrimSpace(rest[:open]), rest[open+1:]
}

// commonPINs are codes tried first by anyone guessing a PIN, beyond the
// repeated digits and sequences trivialCode finds by itself.
var commonPINs = map[string]bool{
	"1212": true, "2580": true, "1004": true, "2000": true, "6969": true, "1122": true,
	"1313": true, "4321": true, "2001": true, "1010": true, "7777": true, "0852": true,
	"5683": true, "0007": true, "1379": true, "147258": true, "159753": true, "112233": true,
	"121212": true, "123123": true, "654321": true, "696969": true, "131313": true,
}

// trivialCode reports a code of one repeated character (0000), an
// ascending or descending run of digits (1234, 98765, 7890), a repeated
// pair or triple (1212, 123123), or a common PIN.
func trivialCode(s string) bool {
	if commonPINs[s] || len(s) < 2 {
		return true
	}
	same, up, down := true, true, true
	for i := 1; i < len(s); i++ {
		a, b := s[i-1], s[i]
		same = same && a == b
		up = up && isDigit(a) && isDigit(b) && (b == a+1 || a == '9' && b == '0')
		down = down && isDigit(a) && isDigit(b) && (a == b+1 || a == '0' && b == '9')
	}
	if same || up || down {
		return true
	}
	for _, n := range []int{2, 3} {
		if len(s) > n && len(s)%n == 0 && strings.Repeat(s[:n], len(s)/n) == s {
			return true
		}
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
