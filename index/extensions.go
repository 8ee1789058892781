package index

import (
	"strings"

	"github.com/astapi/astapi/parser"
)

// extensions groups the tenants' non-trunk peers by (tenant, number) and
// derives the extension fields (SPEC §4). Trunks are returned apart.
func (b *builder) extensions() ([]*Extension, []*Peer) {
	type group struct {
		tenant *Tenant
		number string
		peers  []*Peer
	}
	var order []string
	groups := map[string]*group{}
	var trunks []*Peer
	for _, p := range b.peers.list {
		t := b.owner[p]
		if p.Trunk {
			if t != nil {
				trunks = append(trunks, p)
			}
			continue
		}
		if t == nil {
			continue
		}
		num := b.number(p, t)
		key := t.Key + "\x00" + num
		g := groups[key]
		if g == nil {
			g = &group{tenant: t, number: num}
			groups[key] = g
			order = append(order, key)
		}
		g.peers = append(g.peers, p)
	}
	alloc := newIDAllocator("extension")
	ids := alloc.assign(order)
	out := make([]*Extension, 0, len(order))
	for _, key := range order {
		g := groups[key]
		e := &Extension{ID: ids[key], TenantID: g.tenant.ID, Number: g.number, Peers: g.peers}
		b.fillExtension(e, g.peers[0])
		out = append(out, e)
	}
	return out, trunks
}

// number: the users.conf section name; the first extension of the
// tenant's contexts (dialplan order) whose Dial() rings this peer alone;
// the callerid number; the digits before '-' in the name; the name.
func (b *builder) number(p *Peer, t *Tenant) string {
	if _, ok := b.peers.users[p]; ok {
		return p.Name
	}
	if u := b.dials[p]; u != nil && len(u.alone) > 0 {
		best, bestCtx, bestExt := "", -1, -1
		for _, site := range u.alone {
			ctx, exten, _ := strings.Cut(site, "\x00")
			if !b.ctxSet[t][ctx] {
				continue
			}
			ci := b.ctxOrder[ctx]
			if bestCtx >= 0 && ci > bestCtx {
				continue
			}
			ei := extOrder(b.dp.Context(ctx), exten)
			if bestCtx < 0 || ci < bestCtx || ei < bestExt {
				best, bestCtx, bestExt = exten, ci, ei
			}
		}
		if best != "" {
			return best
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

// extOrder is the position of exten among c's extensions (file order).
func extOrder(c *parser.Context, exten string) int {
	for i, e := range c.Extensions {
		if e.Exten == exten {
			return i
		}
	}
	return len(c.Extensions)
}

// fillExtension derives name, caller ID and call waiting from the first
// peer of the extension.
func (b *builder) fillExtension(e *Extension, p *Peer) {
	cidName, _ := parseCallerID(lastValue(p.Vars, "callerid"))
	vars := setvars(p.Vars)
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
	e.CIDNum = vars["OUTBOUND_CID_NUM"]
	if e.CIDNum == "" && fromUsers {
		e.CIDNum = lastValue(p.Vars, "cid_number")
	}
	e.CIDName = vars["OUTBOUND_CID_NAME"]
	if e.CIDName == "" {
		e.CIDName = e.Name
	}
	cw, ok := vars["CALLWAITING"]
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
