package index

import (
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/astapi/astapi/parser"
)

// assignTenants creates the tenants (declared, else one per peer context)
// and gives every peer its tenant (SPEC §3).
func (b *builder) assignTenants() {
	b.byKey = map[string]*Tenant{}
	b.owner = map[*Peer]*Tenant{}
	alloc := newIDAllocator("tenant")
	decls := b.ini.tenants
	if len(decls) == 0 {
		seen := map[string]bool{}
		for _, p := range b.peers.list {
			if p.Trunk || p.Context == "" || seen[p.Context] {
				continue
			}
			seen[p.Context] = true
			decls = append(decls, tenantDecl{key: p.Context, name: p.Context, contexts: []string{globQuote(p.Context)}})
		}
	}
	var keys []string
	for _, d := range decls {
		if d.pin != "" {
			alloc.pin(d.pin)
		} else {
			keys = append(keys, d.key)
		}
	}
	ids := alloc.assign(keys)
	for _, d := range decls {
		t := &Tenant{ID: d.pin, Key: d.key, Name: d.name, Code: d.code, Declared: len(b.ini.tenants) > 0}
		if t.ID == "" {
			t.ID = ids[d.key]
		}
		b.tenants = append(b.tenants, t)
		b.byKey[t.Key] = t
	}
	b.decls = decls
	b.codes = map[string]int{}
	b.peerGlobs, b.ctxGlobs = newGlobSet(), newGlobSet()
	for i, d := range decls {
		if d.code != "" {
			if _, dup := b.codes[lower(d.code)]; !dup {
				b.codes[lower(d.code)] = i
			}
		}
		for _, g := range d.peers {
			b.peerGlobs.add(g, i)
		}
		for _, g := range d.contexts {
			b.ctxGlobs.add(g, i)
		}
	}
	for _, p := range b.peers.list {
		t := b.tenantOf(p)
		if t == nil {
			if !p.Trunk {
				b.warn(p.Pos, "peer %s belongs to no tenant (no -<code> suffix, peers glob or contexts glob matches): not listed", p.Name)
			}
			continue
		}
		b.owner[p] = t
		p.TenantID = t.ID
	}
}

// globQuote escapes glob characters so a discovered context matches itself.
func globQuote(s string) string {
	if !strings.ContainsAny(s, `*?[\`) {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`)
	return r.Replace(s)
}

// tenantOf applies the ownership rules: the longest -<code> suffix, else
// the first peers glob, else the first contexts glob on the peer's context.
func (b *builder) tenantOf(p *Peer) *Tenant {
	for i := 1; i < len(p.Name)-1; i++ { // the earliest '-' gives the longest code
		if p.Name[i] != '-' {
			continue
		}
		if d, ok := b.codes[lower(p.Name[i+1:])]; ok {
			return b.byKey[b.decls[d].key]
		}
	}
	if d := b.peerGlobs.first(p.Name); d >= 0 {
		return b.byKey[b.decls[d].key]
	}
	if p.Context != "" {
		if d := b.ctxGlobs.first(p.Context); d >= 0 {
			return b.byKey[b.decls[d].key]
		}
	}
	return nil
}

func globAny(globs []string, s string) bool {
	for _, g := range globs {
		if ok, _ := filepath.Match(g, s); ok {
			return true
		}
	}
	return false
}

// tenantContexts gives each tenant the contexts its globs match and its
// peers use, then those reachable from them by include, Goto and Gosub.
// A context claimed directly by one tenant is never pulled into another
// one by reachability, so a shared inbound context cannot leak a
// neighbour's call flow.
func (b *builder) tenantContexts() {
	claimed := map[string]map[*Tenant]bool{}
	perTenant := map[*Tenant][]string{}
	claim := func(ctx string, t *Tenant) {
		if claimed[ctx] == nil {
			claimed[ctx] = map[*Tenant]bool{}
		}
		if !claimed[ctx][t] {
			claimed[ctx][t] = true
			perTenant[t] = append(perTenant[t], ctx)
		}
	}
	for _, c := range b.dp.Contexts {
		b.ctxGlobs.match(c.Name, func(d int) { claim(c.Name, b.byKey[b.decls[d].key]) })
	}
	for _, p := range b.peers.list {
		if t := b.owner[p]; t != nil && p.Context != "" {
			claim(p.Context, t)
		}
	}
	edges := b.contextEdges()
	b.ctxOrder = make(map[string]int, len(b.dp.Contexts))
	for i, c := range b.dp.Contexts {
		b.ctxOrder[c.Name] = i
	}
	for _, t := range b.tenants {
		queue := append([]string(nil), perTenant[t]...)
		mine := make(map[string]bool, len(queue))
		for _, c := range queue {
			mine[c] = true
		}
		for len(queue) > 0 {
			c := queue[0]
			queue = queue[1:]
			for _, next := range edges[c] {
				if mine[next] || (claimed[next] != nil && !claimed[next][t]) {
					continue
				}
				mine[next] = true
				queue = append(queue, next)
			}
		}
		for c := range mine {
			t.Contexts = append(t.Contexts, c)
		}
		sort.Strings(t.Contexts)
		b.ctxSet[t] = mine
	}
}

var gotoLike = map[string]bool{"goto": true, "gosub": true, "gotoif": true, "gotoiftime": true, "gosubif": true, "execiftime": true}

// contextEdges lists, per context, the contexts it includes or jumps to
// with a literal name.
func (b *builder) contextEdges() map[string][]string {
	edges := map[string][]string{}
	for _, c := range b.dp.Contexts {
		for _, inc := range c.Includes {
			if b.dp.Context(inc.Context) == nil {
				b.warn(inc.Pos, "include => %s: no such context", inc.Context)
				continue
			}
			edges[c.Name] = append(edges[c.Name], inc.Context)
		}
		for _, e := range c.Extensions {
			for _, p := range e.Priorities {
				if !gotoLike[lower(p.App)] {
					continue
				}
				for _, spec := range jumpSpecs(p.App, p.Args) {
					parts := parser.SplitArgs(spec)
					if len(parts) == 3 && !strings.Contains(parts[0], "${") {
						name := strings.TrimSpace(parts[0])
						if b.dp.Context(name) != nil {
							edges[c.Name] = append(edges[c.Name], name)
						}
					}
				}
			}
		}
	}
	return edges
}

// jumpSpecs returns the [[context,]exten,]priority targets of a Goto-like
// application: one for Goto/Gosub, up to two for GotoIf/GotoIfTime/GosubIf.
func jumpSpecs(app, args string) []string {
	switch lower(app) {
	case "goto", "gosub":
		return []string{args}
	case "gotoif", "gotoiftime", "gosubif":
		_, branches, ok := cutCondition(args)
		if !ok {
			return nil
		}
		t, f := cutBranches(branches)
		var out []string
		for _, s := range []string{t, f} {
			if strings.TrimSpace(s) != "" {
				out = append(out, s)
			}
		}
		return out
	case "execiftime":
		_, app, ok := cutCondition(args)
		if !ok {
			return nil
		}
		name, inner, _ := strings.Cut(app, "(")
		if g := lower(strings.TrimSpace(name)); g == "goto" || g == "gosub" {
			return []string{strings.TrimSuffix(inner, ")")}
		}
	}
	return nil
}

// cutCondition splits "condition?rest" at the first '?' outside brackets,
// braces and parentheses.
func cutCondition(s string) (cond, rest string, ok bool) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[', '{', '(':
			depth++
		case ']', '}', ')':
			depth--
		case '?':
			if depth <= 0 {
				return s[:i], s[i+1:], true
			}
		}
	}
	return s, "", false
}

// cutBranches splits "iftrue:iffalse" at the first ':' outside brackets,
// braces and parentheses.
func cutBranches(s string) (t, f string) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[', '{', '(':
			depth++
		case ']', '}', ')':
			depth--
		case ':':
			if depth <= 0 {
				return s[:i], s[i+1:]
			}
		}
	}
	return s, ""
}

var calleridRe = regexp.MustCompile(`^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$`)

// parseCallerID splits `"Name" <221>` into its name and number.
func parseCallerID(s string) (name, num string) {
	if m := calleridRe.FindStringSubmatch(s); m != nil {
		return strings.TrimSpace(m[1]), strings.TrimSpace(m[2])
	}
	return strings.Trim(strings.TrimSpace(s), `"`), ""
}

// leadingDigits returns the digits of name before the first '-'.
func leadingDigits(name string) string {
	head, _, _ := strings.Cut(name, "-")
	if isNumber(head) {
		return head
	}
	return ""
}
