package index

import (
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/astapi/astapi/flow"
	"github.com/astapi/astapi/internal/diff"
	"github.com/astapi/astapi/internal/ids"
	"github.com/astapi/astapi/internal/parallel"
	"github.com/astapi/astapi/internal/slab"
	"github.com/astapi/astapi/parser"
)

// extensions groups the tenants' non-trunk peers by (tenant, number) and
// derives the extension fields (SPEC §4). Trunks are returned apart.
func (b *builder) extensions() ([]*Extension, []*Peer) {
	var last *parsedFiles
	if b.prev != nil {
		last = b.prev.parsed
	}
	if b.numbersKept(last) {
		b.nums, b.extKeys, b.extFirst, b.extIDsFirst = last.nums, last.extKeys, last.extFirst, last.extIDsFirst
		return last.exts, slices.Clone(last.trunks)
	}
	var (
		namedMap   map[string][]string
		inboundMap map[string]bool
		looks      sync.WaitGroup
	)
	looks.Go(func() { namedMap = b.extensionsNamedLikePeers() })
	inboundMap = b.inboundContexts()
	looks.Wait()
	named := func(p *Peer, t *Tenant) bool {
		for _, ctx := range namedMap[p.Name] {
			if b.ctxSet[t][ctx] {
				return true
			}
		}
		return false
	}
	inbound := func(ctx string) bool { return inboundMap[ctx] }
	// A number is found for each phone concurrently (number only reads),
	// and the tenants' trunks gathered, then the phones are grouped.
	nums := make([]string, len(b.peers.list))
	runs := tenantRuns(len(nums))
	trunksOf := make([][]*Peer, runs)
	parallel.Runs(len(nums), runs, func(run, lo, hi int) {
		for i := lo; i < hi; i++ {
			switch p, t := b.peers.list[i], b.owner[i]; {
			case t == nil:
			case p.Trunk:
				trunksOf[run] = append(trunksOf[run], p)
			default:
				nums[i] = b.number(p, t, named, inbound)
			}
		}
	})
	b.nums = nums
	order, keys := b.groupPhones(nums)
	trunks := append(slices.Concat(trunksOf...), b.unowned...)
	ids, first := b.extensionIDs(keys, last)
	b.extIDsFirst = first
	var es slab.Slab[Extension]
	out := make([]*Extension, 0, len(order))
	fresh := make([]*Extension, 0, len(order))
	b.extFirst = make([]int32, len(order))
	// In last.exts, walked beside order: both come in the order of their
	// first peers, which the peers shared with the last load keep.
	j := 0
	for i, g := range order {
		b.extFirst[i] = g.first
		if at := b.lastIndex(g.first); last != nil && at >= 0 {
			for j < len(last.exts) && last.extFirst[j] < at {
				j++
			}
			if j < len(last.exts) && last.extFirst[j] == at {
				if e := last.exts[j]; sameExtension(e, ids[i], g.tenant.ID, g.number, g.peers) {
					out = append(out, e)
					continue
				}
			}
		}
		e := es.New()
		*e = Extension{ID: ids[i], TenantID: g.tenant.ID, Number: g.number, Peers: g.peers}
		out = append(out, e)
		fresh = append(fresh, e)
	}
	parallel.Runs(len(fresh), tenantRuns(len(fresh)), func(_, lo, hi int) {
		for _, e := range fresh[lo:hi] {
			b.fillExtension(e, e.Peers[0])
		}
	})
	b.extKeys = keys
	return out, trunks
}

// extensionIDs gives keys, the natural keys of the extensions in order,
// their IDs, and says whether each is its key's first choice (see
// ids.Allocator). The last load's (nil: none) are taken over when its
// keys were the same; when they were the same but for a few in one run
// of places, and its IDs all first choices, the keys before and after
// the run keep theirs and those in it take their first choices, unless
// another extension than the run's of the last load holds one: what an
// allocator gives, without hashing a hundred thousand keys into a map.
func (b *builder) extensionIDs(keys []string, last *parsedFiles) ([]string, bool) {
	if last != nil && b.prev != nil {
		if out, first, ok := patchIDs(keys, last, b.prev.Extensions); ok {
			return out, first
		}
	}
	return newIDAllocator(extensionKind).assignListFirst(keys)
}

// extensionKind is the extensions' kind of ID.
const extensionKind = "extension"

// maxNewIDs bounds the keys patchIDs takes out and puts in.
const maxNewIDs = 64

// patchIDs is extensionIDs from last, whose extensions byID are, sorted
// by ID; ok is false when it cannot be told that way.
func patchIDs(keys []string, last *parsedFiles, byID []*Extension) (out []string, first, ok bool) {
	lo, hiOld, hiNew := diff.Run(last.extKeys, keys)
	if lo < hiNew && !last.extIDsFirst || hiOld-lo > maxNewIDs || hiNew-lo > maxNewIDs {
		return nil, false, false
	}
	out = make([]string, len(keys))
	for i := range lo {
		out[i] = last.exts[i].ID
	}
	for i := hiNew; i < len(keys); i++ {
		out[i] = last.exts[i-hiNew+hiOld].ID
	}
	dropped := last.exts[lo:hiOld]
	for i := lo; i < hiNew; i++ {
		id := strconv.FormatUint(ids.Hash(extensionKind, keys[i]), 10)
		if e, held := ids.FindByID(byID, func(e *Extension) string { return e.ID }, id); held && !slices.Contains(dropped, e) ||
			slices.Contains(out[lo:i], id) {
			return nil, false, false
		}
		out[i] = id
	}
	return out, last.extIDsFirst, true
}

// phoneGroup is the phones of one extension: a tenant's non-trunk peers
// of one number, first the peer at index first of peers.list.
type phoneGroup struct {
	tenant *Tenant
	number string
	peers  []*Peer
	first  int32
}

// groupPhones groups the tenants' non-trunk peers by (tenant, number),
// in the order of their first peers, with the groups' natural keys. The
// tenants are grouped in two halves at once (a group never spans two
// tenants), whose lists are then merged.
func (b *builder) groupPhones(nums []string) ([]*phoneGroup, []string) {
	const halves = 2
	var parts [halves]struct {
		order []*phoneGroup
		keys  []string
	}
	parallel.Runs(halves, halves, func(half, _, _ int) {
		type groupKey struct {
			tenant *Tenant
			number string
		}
		var (
			groups   = make(map[groupKey]*phoneGroup, len(b.peers.list)/halves)
			gs       slab.Slab[phoneGroup]
			ps       slab.Slab[*Peer]
			keyBytes strArena // kept for the next load (parsedFiles.extKeys)
			part     = &parts[half]
		)
		for i, t := range b.owner {
			if t == nil || t.at%halves != half {
				continue
			}
			p := b.peers.list[i]
			if p.Trunk {
				continue
			}
			num := nums[i]
			g := groups[groupKey{t, num}]
			if g == nil {
				g = gs.New()
				*g = phoneGroup{tenant: t, number: num, peers: ps.One(p), first: int32(i)}
				groups[groupKey{t, num}] = g
				part.order = append(part.order, g)
				part.keys = append(part.keys, keyBytes.concat(t.Key, "\x00", num))
				continue
			}
			g.peers = append(g.peers, p)
		}
	})
	a, c := parts[0], parts[1]
	order := make([]*phoneGroup, 0, len(a.order)+len(c.order))
	keys := make([]string, 0, len(order))
	i, j := 0, 0
	for i < len(a.order) || j < len(c.order) {
		if j == len(c.order) || i < len(a.order) && a.order[i].first < c.order[j].first {
			order, keys = append(order, a.order[i]), append(keys, a.keys[i])
			i++
		} else {
			order, keys = append(order, c.order[j]), append(keys, c.keys[j])
			j++
		}
	}
	return order, keys
}

// sameExtension reports whether e, an extension of the last load, has
// this ID, tenant, number and these very peers. What fillExtension
// derives comes from the first peer alone (its lines, and whether
// users.conf made it), which a peer shared with the last load (see
// settlePeers) keeps: then e is the extension, shared whole.
func sameExtension(e *Extension, id, tenantID, number string, peers []*Peer) bool {
	return e.ID == id && e.TenantID == tenantID && e.Number == number && slices.Equal(e.Peers, peers)
}

// extensionLists are exts sorted by ID and grouped by tenant, as
// Snapshot.indexExtensions makes them. When few of exts are new (the
// others shared with the served snapshot, see sameExtension), the served
// snapshot's lists are taken over: the extensions left out are dropped,
// the new ones merged in, and only their tenants grouped again.
func (b *builder) extensionLists(exts []*Extension) ([]*Extension, map[string][]*Extension) {
	full := func() ([]*Extension, map[string][]*Extension) {
		s := &Snapshot{Extensions: slices.Clone(exts)}
		s.indexExtensions()
		return s.Extensions, s.extByTenant
	}
	prev := b.prev
	if prev == nil || prev.parsed == nil || prev.extByTenant == nil {
		return full()
	}
	// Both lists come in the order of their first peers (extFirst), and
	// the peers shared with the last load keep theirs (lastIndex): walked
	// side by side, an extension in one only is added or dropped.
	last, lastFirst := prev.parsed.exts, prev.parsed.extFirst
	var added []*Extension
	dropped := map[*Extension]bool{}
	k := 0
	for i, e := range exts {
		at := b.lastIndex(b.extFirst[i])
		for ; k < len(last) && (lastFirst[k] < at || lastFirst[k] == at && last[k] != e); k++ {
			dropped[last[k]] = true
		}
		if k < len(last) && last[k] == e {
			k++
			continue
		}
		added = append(added, e)
	}
	for _, e := range last[k:] {
		dropped[e] = true
	}
	if len(added)+len(dropped) > len(exts)/8 {
		return full()
	}
	id := func(e *Extension) string { return e.ID }
	sortByID(added, id)
	list := make([]*Extension, 0, len(exts))
	j := 0
	for _, e := range prev.Extensions {
		if dropped[e] {
			continue
		}
		for ; j < len(added) && idLess(added[j].ID, e.ID); j++ {
			list = append(list, added[j])
		}
		list = append(list, e)
	}
	list = append(list, added[j:]...)
	if len(list) != len(exts) {
		return full() // prev's lists are not those of its exts: cannot tell
	}
	groups, _ := regroup(prev.extByTenant, added, dropped, func(e *Extension) string { return e.TenantID }, id)
	return list, groups
}

// number is the extension number of a phone (SPEC §4 ex_number), the
// first that exists: the users.conf section name; an extension of the
// tenant's contexts equal to the peer name (FreePBX ext-local,1101 for
// peer 1101, even when a wrapper extension also dials it); the first
// extension of the tenant's contexts (dialplan order) whose Dial() rings
// this peer alone, inbound contexts left out (a DID that rings a phone is
// not its number); the callerid number; the digits before '-' in the
// name; the name.
//
// named reports whether a context of t holds an extension named like p
// (or a pattern dialling ${EXTEN} as a peer that matches it), inbound
// whether a context is an inbound one (inboundContexts).
func (b *builder) number(p *Peer, t *Tenant, named func(*Peer, *Tenant) bool, inbound func(string) bool) string {
	if _, ok := b.peers.users[p]; ok {
		return p.Name
	}
	if named(p, t) {
		return p.Name
	}
	if u := b.dials[p]; u != nil {
		// Dial sites come in dialplan order (indexDials: the contexts, then
		// each one's extensions): the first in the tenant's is the number.
		for _, site := range u.alone {
			if b.ctxSet[t][site.ctx.Name] && !inbound(site.ctx.Name) {
				return site.exten
			}
		}
	}
	if _, num := parseCallerID(lastValue(p.Vars, "callerid")); num != "" {
		return num
	}
	if d := leadingDigits(p.Name); d != "" {
		return d
	}
	return p.Name
}

// numbersKept reports whether every phone's number is the last load's
// (last), working out again only those of the phones this load's changes
// can touch; then the extensions and trunks are the last load's too. It
// needs the same peers with the same tenants and trunk flags, the same
// tenants' contexts and the same trunks of no tenant, and a dialplan
// patched (see dialplanDelta): a number then changes only through the
// Dial() uses indexDials patched (dialIndex.touched), or an extension of
// a changed context named like the phone.
func (b *builder) numbersKept(last *parsedFiles) bool {
	d := b.delta
	if last == nil || len(last.nums) != len(b.peers.list) || !b.peersKept || !b.reachKept || !b.dialIdx.patched || !d.patch ||
		!slices.Equal(b.unowned, last.unowned) {
		return false
	}
	names := map[string]bool{} // the extensions of the changed contexts, before and after
	for _, i := range d.changed {
		for _, c := range [2]*parser.Context{d.last.Contexts[i], b.dp.Contexts[i]} {
			for _, e := range c.Extensions {
				if e.IsPattern() && dialsExtenAsPeer(e) {
					return false // rings phones by pattern: not worth following
				}
				names[e.Exten] = true
			}
		}
	}
	var trunkCtx map[string]bool
	inbound := func(ctx string) bool {
		if trunkCtx == nil {
			trunkCtx = b.trunkContexts()
		}
		return trunkCtx[ctx] || inboundName(ctx)
	}
	named := func(p *Peer, t *Tenant) bool {
		if !isNumber(p.Name) {
			return false
		}
		for ctx := range b.ctxSet[t] {
			c := b.dp.Context(ctx)
			if c == nil {
				continue
			}
			for _, e := range c.Extensions {
				if e.Exten == p.Name || e.IsPattern() && dialsExtenAsPeer(e) && flow.MatchPattern(e.Exten[1:], p.Name) {
					return true
				}
			}
		}
		return false
	}
	for i, p := range b.peers.list {
		t := b.owner[i]
		if p.Trunk || t == nil || !b.dialIdx.touched[p] && !names[p.Name] {
			continue
		}
		if b.number(p, t, named, inbound) != last.nums[i] {
			return false
		}
	}
	return true
}

// inboundContexts are the contexts calls from providers arrive in: the
// trunks' contexts and those named like inbound contexts.
func (b *builder) inboundContexts() map[string]bool {
	out := b.trunkContexts()
	for _, c := range b.dp.Contexts {
		if b.scans.of[c].inbound {
			out[c.Name] = true
		}
	}
	return out
}

// trunkContexts are the contexts of the trunks.
func (b *builder) trunkContexts() map[string]bool {
	out := map[string]bool{}
	for _, p := range b.peers.list {
		if p.Trunk {
			out[p.Context] = true
		}
	}
	return out
}

// extensionsNamedLikePeers lists, for every phone whose name is a number,
// the contexts holding an extension of that number.
func (b *builder) extensionsNamedLikePeers() map[string][]string {
	names := map[string]bool{}
	for _, p := range b.peers.list {
		if !p.Trunk && p.System == "" && isNumber(p.Name) {
			names[p.Name] = true
		}
	}
	out := map[string][]string{}
	if len(names) == 0 {
		return out
	}
	add := func(name, ctx string) {
		if !slices.Contains(out[name], ctx) {
			out[name] = append(out[name], ctx)
		}
	}
	for _, c := range b.dp.Contexts {
		for _, e := range c.Extensions {
			if names[e.Exten] {
				add(e.Exten, c.Name)
			} else if e.IsPattern() && dialsExtenAsPeer(e) {
				// exten => _10XX,1,Dial(PJSIP/${EXTEN}): 1000 is reached
				// by its own number, which beats an IVR key dialling it.
				for n := range names {
					if flow.MatchPattern(e.Exten[1:], n) {
						add(n, c.Name)
					}
				}
			}
		}
	}
	return out
}

// dialsExtenAsPeer: the extension's Dial() rings the peer named like the
// dialled number (SIP/${EXTEN}, PJSIP/${EXTEN}, IAX2/${EXTEN}), not a
// number through a trunk.
func dialsExtenAsPeer(e *parser.Extension) bool {
	for i := range e.Priorities {
		if !strings.EqualFold(e.Priorities[i].App, "dial") {
			continue
		}
		for dev := range strings.SplitSeq(parser.FirstArg(e.Priorities[i].Args), "&") {
			tech, res, ok := strings.Cut(strings.TrimSpace(dev), "/")
			if ok && res == "${EXTEN}" && slices.Contains([]string{"SIP", "PJSIP", "IAX2"}, strings.ToUpper(tech)) {
				return true
			}
		}
	}
	return false
}

// fillExtension derives name, caller ID and call waiting from the first
// peer of the extension.
func (b *builder) fillExtension(e *Extension, p *Peer) {
	rawCID := lastValue(p.Vars, "callerid")
	cidName, _ := parseCallerID(rawCID)
	if _, num := splitCallerID(rawCID); num != "" && !strings.Contains(rawCID, "<") {
		cidName = "" // callerid=5145550100: chan_sip reads a number, no name
	}
	_, fromUsers := b.peers.users[p]
	switch {
	case fromUsers && lastValue(p.Vars, "fullname") != "":
		e.Name = lastValue(p.Vars, "fullname")
	case cidName != "":
		e.Name = cidName
	case lastValue(p.Vars, "description") != "":
		e.Name = lastValue(p.Vars, "description")
	default:
		e.Name = p.Name
	}
	sv := lookupSetvars(p.Vars)
	e.CIDNum = sv.val[svCIDNum]
	if e.CIDNum == "" && fromUsers {
		e.CIDNum = lastValue(p.Vars, "cid_number")
	}
	e.CIDName = sv.val[svCIDName]
	if e.CIDName == "" {
		e.CIDName = e.Name
	}
	cw, ok := sv.val[svCallWaiting], sv.ok[svCallWaiting]
	if fromUsers {
		if v := lastVar(p.Vars, "callwaiting"); v != nil {
			cw, ok = v.Value, true
		}
	}
	if ok && strings.TrimSpace(cw) != "" {
		if parser.IsTrue(cw) {
			e.CallWaiting = "yes"
		} else {
			e.CallWaiting = "no"
		}
	}
}

// parseCallerID splits `"Name" <221>` into its name and number. It is the
// regular expression ^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$ (group 1 the name,
// group 2 the number, both trimmed), matched by hand: it runs for every
// peer.
func parseCallerID(s string) (name, num string) {
	if name, num, ok := matchCallerID(s); ok {
		return strings.TrimSpace(name), strings.TrimSpace(num)
	}
	return strings.Trim(strings.TrimSpace(s), `"`), ""
}

// matchCallerID matches ^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$ (\s being
// [\t\n\f\r ]) with the leftmost-first preferences of package regexp.
func matchCallerID(s string) (name, num string, ok bool) {
	i := 0
	for i < len(s) && isRESpace(s[i]) {
		i++
	}
	// '<' is the first one: nothing before it may be one.
	lt := strings.IndexByte(s, '<')
	if lt < 0 {
		return "", "", false
	}
	gt := strings.IndexByte(s[lt+1:], '>')
	if gt < 0 {
		return "", "", false
	}
	gt += lt + 1
	for j := gt + 1; j < len(s); j++ {
		if !isRESpace(s[j]) {
			return "", "", false
		}
	}
	// Between: an optional quote (taken when there), the shortest name,
	// an optional quote (taken when there) and blanks.
	m := s[i:lt]
	if strings.HasPrefix(m, `"`) {
		m = m[1:]
	}
	end := len(m)
	for end > 0 && isRESpace(m[end-1]) {
		end--
	}
	if end > 0 && m[end-1] == '"' {
		end--
	}
	if strings.IndexByte(m[:end], '"') >= 0 {
		return "", "", false
	}
	return m[:end], s[lt+1 : gt], true
}

// isRESpace is \s of package regexp.
func isRESpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// leadingDigits returns the digits of name before the first '-'.
func leadingDigits(name string) string {
	head, _, _ := strings.Cut(name, "-")
	if isNumber(head) {
		return head
	}
	return ""
}
