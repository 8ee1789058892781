package index

import (
	"slices"
	"sort"
	"strings"

	"github.com/astapi/astapi/internal/parallel"
)

// assignTenants creates the tenants (declared, else discovered)
// and gives every peer its tenant (SPEC §3). When the peers, their trunk
// flags and the tenant declarations are the last load's (last), a phone
// keeps the tenant it had.
func (b *builder) assignTenants(last *parsedFiles) {
	b.byKey = map[string]*Tenant{}
	b.owner = make([]*Tenant, len(b.peers.list))
	decls := b.ini.tenants
	if len(decls) == 0 {
		decls = b.discoverTenants()
	}
	declared := len(b.ini.tenants) > 0
	// The same declarations make the same tenants, codes and globs.
	kept := last.setup != nil && last.setup.declared == declared && slices.EqualFunc(decls, last.decls, tenantDecl.equal)
	if kept {
		b.setup = last.setup
	} else {
		b.setup = newTenantSetup(decls, declared)
	}
	for i, d := range decls {
		t := &Tenant{ID: b.setup.ids[i], Key: d.key, Name: d.name, Code: d.code, Declared: declared, at: i}
		b.tenants = append(b.tenants, t)
		b.byKey[t.Key] = t
	}
	b.decls = decls
	b.codes, b.peerGlobs, b.ctxGlobs = b.setup.codes, b.setup.peerGlobs, b.setup.ctxGlobs
	if kept && b.trunksKept && b.ownersAgain(last) {
		return
	}
	// A phone of the last load (the very peer, a phone then too: a
	// trunk's tenant may be adoptTrunks') has its tenant then, under the
	// same declarations: tenantOf reads only its name and context. Not
	// when code discovery gives phones of no tenant those of their
	// context mates, which other peers decide.
	lastOwners := kept && b.discovery != DiscoverCode && last.peers != nil && len(last.ownerAt) == len(last.peers.list)
	var orphans []int
	for i, p := range b.peers.list {
		if p.System != "" {
			continue // not a phone: resolvePeers said why
		}
		var t *Tenant
		if j := b.lastIndex(int32(i)); lastOwners && j >= 0 && !p.Trunk {
			if k := last.ownerAt[j]; k >= 0 {
				t = b.tenants[k]
			}
		} else {
			t = b.tenantOf(p)
		}
		if t == nil {
			if !b.trunk[i] { // trunks: see adoptTrunks
				orphans = append(orphans, i)
			}
			continue
		}
		b.own(i, t)
	}
	var mates map[string]*Tenant
	if b.discovery == DiscoverCode && len(orphans) > 0 {
		mates = b.contextMates()
	}
	for _, i := range orphans {
		p := b.peers.list[i]
		if t := mates[p.Context]; t != nil {
			b.own(i, t)
			continue
		}
		b.warnOrphan(p)
		b.orphans = append(b.orphans, int32(i))
	}
}

// tenantSetup is what a load's tenant declarations make: the tenants'
// IDs (by declaration), the codes and the globs that give peers and
// contexts their tenants (owner: the declaration's index).
type tenantSetup struct {
	declared            bool
	ids                 []string
	codes               map[string]int // lower-cased code -> declaration
	peerGlobs, ctxGlobs *globSet
}

func newTenantSetup(decls []tenantDecl, declared bool) *tenantSetup {
	alloc := newIDAllocator("tenant")
	var keys []string
	for _, d := range decls {
		if d.pin != "" {
			alloc.pin(d.pin)
		} else {
			keys = append(keys, d.key)
		}
	}
	ids := alloc.assign(keys)
	ts := &tenantSetup{declared: declared, ids: make([]string, len(decls)), codes: map[string]int{},
		peerGlobs: newGlobSet(), ctxGlobs: newGlobSet()}
	for i, d := range decls {
		ts.ids[i] = d.pin
		if d.pin == "" {
			ts.ids[i] = ids[d.key]
		}
		if d.code != "" {
			if _, dup := ts.codes[lower(d.code)]; !dup {
				ts.codes[lower(d.code)] = i
			}
		}
		for _, g := range d.peers {
			ts.peerGlobs.add(g, i)
		}
		for _, g := range d.contexts {
			ts.ctxGlobs.add(g, i)
		}
	}
	return ts
}

// ownersAgain gives each phone the tenant the last load (last) gave it,
// and each trunk the one tenantOf gives (adoptTrunks settles the
// others): for the same peers, trunk flags and tenants; the phones of no
// tenant are reported again. False, and nothing given, when last does
// not have them.
func (b *builder) ownersAgain(last *parsedFiles) bool {
	if len(last.ownerAt) != len(b.peers.list) {
		return false
	}
	for i, k := range last.ownerAt {
		switch p := b.peers.list[i]; {
		case b.trunk[i]:
			if p.System == "" {
				b.owner[i] = b.tenantOf(p)
			}
		case k >= 0:
			b.owner[i] = b.tenants[k]
		}
	}
	b.orphans = last.orphans
	for _, i := range b.orphans {
		b.warnOrphan(b.peers.list[i])
	}
	return true
}

func (b *builder) warnOrphan(p *Peer) {
	b.warn(p.Pos, "peer %s belongs to no tenant (no -<code> suffix, peers glob or contexts glob matches): not listed", p.Name)
}

// discoverTenants declares the tenants of an astapi.ini without [tenant]
// sections (SPEC §3): one tenant named [server] name holding everything;
// one per -<code> when the phones' names carry two or more codes; or,
// when asked, one per phone context.
func (b *builder) discoverTenants() []tenantDecl {
	var phones []*Peer
	for i, p := range b.peers.list {
		if !b.trunk[i] && p.System == "" {
			phones = append(phones, p)
		}
	}
	var codes []string // in order of first appearance
	seen := map[string]bool{}
	for _, p := range phones {
		if c := nameCode(p.Name); c != "" && !seen[lower(c)] {
			seen[lower(c)] = true
			codes = append(codes, c)
		}
	}
	mode := b.ini.server.Discover
	if mode == "" {
		mode = DiscoverSingle
		if len(codes) >= 2 {
			mode = DiscoverCode
		}
	}
	b.discovery = mode
	var decls []tenantDecl
	switch mode {
	case DiscoverCode:
		for _, c := range codes {
			decls = append(decls, tenantDecl{key: c, name: c, code: c})
		}
	case DiscoverContexts:
		seen := map[string]bool{}
		for _, p := range phones {
			if !seen[p.Context] {
				seen[p.Context] = true
				decls = append(decls, tenantDecl{key: p.Context, name: p.Context, contexts: []string{globQuote(p.Context)}})
			}
		}
	default:
		name := b.ini.server.Name
		if name == "" {
			name = "default"
		}
		decls = append(decls, tenantDecl{key: name, name: name, contexts: []string{"*"}})
	}
	return decls
}

// nameCode is the -<code> of a MiRTA-style phone name (201-Acme → Acme),
// "" when the name is not <digits>-<code>.
func nameCode(name string) string {
	head, code, ok := strings.Cut(name, "-")
	if !ok || code == "" || !isNumber(head) {
		return ""
	}
	return code
}

// contextMates maps each phone context to the one tenant whose phones use
// it (nil when several do): where a phone without a -<code> goes in code
// discovery.
func (b *builder) contextMates() map[string]*Tenant {
	out := map[string]*Tenant{}
	for i, q := range b.peers.list {
		t := b.owner[i]
		if t == nil || b.trunk[i] {
			continue
		}
		if old, seen := out[q.Context]; !seen {
			out[q.Context] = t
		} else if old != t {
			out[q.Context] = nil
		}
	}
	return out
}

// own gives the peer b.peers.list[i] to t.
func (b *builder) own(i int, t *Tenant) {
	b.owner[i] = t
}

// tenantReach is what tenantContexts gave a tenant, kept for the next
// load.
type tenantReach struct {
	id       string
	contexts []string
	set      map[string]bool
}

// adoptTrunks settles the trunks assignTenants left without a tenant.
// With declared tenants that is a warning: the trunk is neither listed nor
// audited. In discovery a trunk is never dropped (SPEC §4 Trunk): it
// belongs to the tenant its context reaches (by include, Goto, Gosub, or
// a Dial of its phones), else to the only tenant, else it is listed under
// no tenant, with a warning.
func (b *builder) adoptTrunks(edges map[string][]string) {
	discovered := len(b.ini.tenants) == 0
	reached := map[string][]*Tenant{} // by trunk context
	// The peers' indexes in peers.list, made when first needed.
	var at map[*Peer]int
	for i, p := range b.peers.list {
		if !b.trunk[i] || b.owner[i] != nil {
			continue
		}
		if !discovered {
			b.warn(p.Pos, "trunk %s belongs to no tenant (no -<code> suffix, peers glob or contexts glob matches): not listed nor audited", p.Name)
			continue
		}
		var ts []*Tenant
		if p.Context != "" {
			var ok bool
			if ts, ok = reached[p.Context]; !ok {
				if at == nil {
					at = make(map[*Peer]int, len(b.peers.list))
					for j, q := range b.peers.list {
						at[q] = j
					}
				}
				ts = b.tenantsReached(p.Context, edges, at)
				reached[p.Context] = ts
			}
		}
		switch {
		case len(ts) == 1:
			b.own(i, ts[0])
			continue
		case len(b.tenants) == 1:
			b.own(i, b.tenants[0])
			continue
		case len(ts) == 0:
			b.warn(p.Pos, "trunk %s belongs to no tenant (its context %s reaches no tenant's contexts or phones, and there are %d tenants): listed under no tenant", p.Name, p.Context, len(b.tenants))
		default:
			keys := make([]string, len(ts))
			for j, t := range ts {
				keys[j] = t.Key
			}
			b.warn(p.Pos, "trunk %s belongs to no tenant (its context %s reaches several: %s): listed under no tenant", p.Name, p.Context, strings.Join(keys, ", "))
		}
		b.unowned = append(b.unowned, p)
	}
}

// tenantsReached lists, in tenant order, the tenants whose contexts a
// walk from ctx reaches, or whose phones the contexts on the way dial. The
// walk stops at a claimed context: what a tenant's context leads to is
// that tenant's.
func (b *builder) tenantsReached(ctx string, edges map[string][]string, at map[*Peer]int) []*Tenant {
	hit := map[*Tenant]bool{}
	seen := map[string]bool{ctx: true}
	var buf []dialTarget
	for queue := []string{ctx}; len(queue) > 0; queue = queue[1:] {
		name := queue[0]
		claimed := false
		b.ctxGlobs.match(name, func(d int) {
			hit[b.byKey[b.decls[d].key]], claimed = true, true
		})
		if claimed {
			continue
		}
		if c := b.dp.Context(name); c != nil {
			scan := b.scans.of[c]
			for k := range scan.dials {
				// indexDials reported the unknown peers already.
				buf = b.peers.dialTargets(buf[:0], &scan.dials[k], nil)
				for _, d := range buf {
					if i, ok := at[d.peer]; ok && !b.trunk[i] && b.owner[i] != nil {
						hit[b.owner[i]] = true
					}
				}
			}
		}
		for _, next := range edges[name] {
			if !seen[next] {
				seen[next] = true
				queue = append(queue, next)
			}
		}
	}
	var out []*Tenant
	for _, t := range b.tenants {
		if hit[t] {
			out = append(out, t)
		}
	}
	return out
}

// code looks a tenant code up (case-insensitive).
func (b *builder) code(s string) (int, bool) {
	return lookupLower(b.codes, s)
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
		if d, ok := b.code(p.Name[i+1:]); ok {
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

// tenantContexts gives each tenant the contexts its globs match and its
// peers use, then those reachable from them by include, Goto and Gosub.
// A context claimed directly by one tenant is never pulled into another
// one by reachability, so a shared inbound context cannot leak a
// neighbour's call flow.
//
// When nothing it reads changed since the last load (last: the graph
// kept whole, the same tenant declarations, the same peers with the same
// tenants, or other peers claiming the same contexts for the same
// tenants: claimsAgain), the last load's answer is taken over.
func (b *builder) tenantContexts(g *contextGraph, last *parsedFiles) {
	defer func() {
		b.reach = make([]tenantReach, len(b.tenants))
		for i, t := range b.tenants {
			b.reach[i] = tenantReach{id: t.ID, contexts: t.Contexts, set: b.ctxSet[t]}
		}
	}()
	if last != nil && g.kept && len(last.reach) == len(b.tenants) && slices.EqualFunc(b.decls, last.decls, tenantDecl.equal) && (b.ownersKept || b.claimsAgain(last)) {
		ok := true
		for i, t := range b.tenants {
			ok = ok && last.reach[i].id == t.ID
		}
		if ok {
			for i, t := range b.tenants {
				t.Contexts, b.ctxSet[t] = last.reach[i].contexts, last.reach[i].set
			}
			b.reachKept = true
			return
		}
	}
	edges := g.edges
	// claimed: the tenants that claim each context (usually one).
	claimed := make(map[string][]*Tenant, len(b.dp.Contexts))
	perTenant := make(map[*Tenant][]string, len(b.tenants))
	claim := func(ctx string, t *Tenant) {
		if !slices.Contains(claimed[ctx], t) {
			claimed[ctx] = append(claimed[ctx], t)
			perTenant[t] = append(perTenant[t], ctx)
		}
	}
	for _, c := range b.dp.Contexts {
		b.ctxGlobs.match(c.Name, func(d int) { claim(c.Name, b.byKey[b.decls[d].key]) })
	}
	for i, p := range b.peers.list {
		if t := b.owner[i]; t != nil && p.Context != "" {
			claim(p.Context, t)
		}
	}
	// Each tenant's walk is independent: workers take runs of tenants.
	sets := make([]map[string]bool, len(b.tenants))
	parallel.Runs(len(b.tenants), tenantRuns(len(b.tenants)), func(_, lo, hi int) {
		var queue []string
		for i, t := range b.tenants[lo:hi] {
			queue = append(queue[:0], perTenant[t]...)
			mine := make(map[string]bool, len(queue))
			for _, c := range queue {
				mine[c] = true
			}
			for len(queue) > 0 {
				c := queue[0]
				queue = queue[1:]
				for _, next := range edges[c] {
					if mine[next] || (len(claimed[next]) > 0 && !slices.Contains(claimed[next], t)) {
						continue
					}
					mine[next] = true
					queue = append(queue, next)
				}
			}
			t.Contexts = make([]string, 0, len(mine))
			for c := range mine {
				t.Contexts = append(t.Contexts, c)
			}
			sort.Strings(t.Contexts)
			sets[lo+i] = mine
		}
	})
	for i, t := range b.tenants {
		b.ctxSet[t] = sets[i]
	}
}

// maxTouchedClaims bounds the (context, tenant) pairs claimsAgain checks
// one by one: past it (peers made anew at every load, pjsip.conf's and
// users.conf's, or a big edit), tenantContexts works them all out.
const maxTouchedClaims = 64

// claimsAgain reports whether the peers claim for their tenants (their
// context=, see tenantContexts) the very (context, tenant) pairs the
// last load's peers claimed, when they differ from those only in a few:
// the peers not shared with the last load (peers.was), those it had that
// are gone, and those whose tenant changed. Each pair those touch is
// looked for in both lists.
func (b *builder) claimsAgain(last *parsedFiles) bool {
	lp := last.peers
	if b.peers.was == nil || lp == nil || len(last.ownerAt) != len(lp.list) || len(b.ownerAt) != len(b.peers.list) {
		return false
	}
	touched := map[peerClaim]bool{}
	touch := func(ctx string, t int32) bool {
		if t >= 0 && ctx != "" {
			touched[peerClaim{ctx, t}] = true
		}
		return len(touched) <= maxTouchedClaims
	}
	shared := make([]bool, len(lp.list))
	for i, p := range b.peers.list {
		w := b.lastIndex(int32(i))
		if w < 0 {
			if !touch(p.Context, b.ownerAt[i]) {
				return false
			}
			continue
		}
		shared[w] = true
		if o := last.ownerAt[w]; o != b.ownerAt[i] && !(touch(p.Context, o) && touch(p.Context, b.ownerAt[i])) {
			return false
		}
	}
	for w, p := range lp.list {
		if !shared[w] && !touch(p.Context, last.ownerAt[w]) {
			return false
		}
	}
	for c := range touched {
		if c.claimedIn(b.peers.list, b.ownerAt) != c.claimedIn(lp.list, last.ownerAt) {
			return false
		}
	}
	return true
}

// peerClaim is a context a peer claims for its tenant (an index in the
// tenants).
type peerClaim struct {
	ctx string
	t   int32
}

// claimedIn reports whether a peer of list (whose tenants are ownerAt)
// claims c.
func (c peerClaim) claimedIn(list []*Peer, ownerAt []int32) bool {
	for i, p := range list {
		if ownerAt[i] == c.t && p.Context == c.ctx {
			return true
		}
	}
	return false
}
