package index

import (
	"maps"
	"strings"

	"github.com/astapi/astapi/flow"
)

// dialTarget is one technology/resource of a Dial() argument.
type dialTarget struct {
	raw    string
	peer   *Peer // nil when not a known SIP/PJSIP peer
	number bool  // a number or URI is dialed through the peer
}

// isNumber reports whether an extension is a plain dialable number (digits,
// '*', '#', '+'): ast_isphonenumber.
func isNumber(s string) bool { return flow.IsNumber(s) }

// markTrunks classifies the peers (SPEC §4 Trunk). A peer is a trunk when
//   - the dialplan dials it with a number after it (SIP/name/123,
//     PJSIP/123@name);
//   - it registers to a provider: a register => line, a PJSIP registration
//     or outbound_auth (resolvePeers noted those);
//   - or it sits at a fixed address that no extension dials alone (a
//     host=, an AOR contact, or a PJSIP identify match= without inbound
//     auth) and its context leads to inbound routes (from-trunk,
//     from-pstn, DIDs…), or it is a chan_sip type=peer or a PJSIP
//     endpoint, or it sets fromdomain=/fromuser= or insecure= (what one
//     sets for a provider, not for a phone).
//
// System endpoints are neither phones nor trunks.
//
// graphKept says edges are the last load's; lastPeers are its peers (nil
// on a first load).
func (b *builder) markTrunks(edges map[string][]string, graphKept bool, lastPeers *peerSet) {
	inbound := map[string]bool{} // by context, computed once
	b.trunk = make([]bool, len(b.peers.list))
	// A peer of the last load (the very peer) keeps its flag when what
	// decides it is the same: the graph of contexts, how the Dial()s use
	// it (see dialIndex.touched), whether it registers, and its own
	// context's extensions.
	var changed map[string]bool
	quick := graphKept && b.dialIdx.again >= 0 && b.delta.patch &&
		(b.peersShared || lastPeers != nil && maps.Equal(b.peers.registers, lastPeers.registers))
	if quick {
		changed = make(map[string]bool, len(b.delta.changed))
		for _, i := range b.delta.changed {
			changed[b.dp.Contexts[i].Name] = true
		}
	}
	// Only a flag decided again can differ from the peer's own.
	b.trunksKept = b.peersShared
	for i, p := range b.peers.list {
		switch {
		case quick && p.System == "" && (b.peersShared || b.lastIndex(int32(i)) >= 0) && !b.dialIdx.touched[p] && !changed[p.Context]:
			b.trunk[i] = p.Trunk
			continue
		case p.System == "":
			b.trunk[i] = b.isTrunk(p, edges, inbound)
		}
		b.trunksKept = b.trunksKept && b.trunk[i] == p.Trunk
	}
}

// isTrunk is markTrunks' rule for one peer that is no system endpoint;
// inbound memoizes leadsInbound.
func (b *builder) isTrunk(p *Peer, edges map[string][]string, inbound map[string]bool) bool {
	u := b.dials[p]
	fixed := (p.Host != "" && !strings.EqualFold(p.Host, "dynamic") || b.peers.ipIdentified[p]) && (u == nil || len(u.alone) == 0)
	switch {
	case u != nil && u.numbered > 0:
		return true
	case b.peers.registers[p] != "":
		return true
	case !fixed:
		return false
	case p.Type == "peer" || p.Tech == "PJSIP" || p.Info.FromDomain != "" || p.Info.FromUser != "" ||
		p.Tech == "SIP" && p.Info.Insecure != "no":
		return true
	}
	return b.leadsInbound(p.Context, edges, inbound)
}

// inboundWords mark the names of contexts where calls from providers
// arrive (FreePBX from-trunk / from-pstn / ext-did-NNNN, and the usual
// hand-made names).
var inboundWords = [...]string{"from-trunk", "from-pstn", "from-did", "ext-did", "inbound", "incoming"}

// leadsInbound reports whether ctx, or a context it includes or jumps to,
// is named like an inbound context, or whether ctx itself answers a
// literal DID-length number (seven digits or more). memo keeps answers.
func (b *builder) leadsInbound(ctx string, edges map[string][]string, memo map[string]bool) bool {
	if v, ok := memo[ctx]; ok {
		return v
	}
	found := false
	if c := b.dp.Context(ctx); c != nil {
		for _, e := range c.Extensions {
			if len(e.Exten) >= 7 && isDigits(e.Exten) {
				found = true
				break
			}
		}
	}
	seen := map[string]bool{ctx: true}
	for queue := []string{ctx}; len(queue) > 0 && !found && len(seen) <= 256; queue = queue[1:] {
		found = inboundName(queue[0])
		for _, next := range edges[queue[0]] {
			if !seen[next] {
				seen[next] = true
				queue = append(queue, next)
			}
		}
	}
	memo[ctx] = found
	return found
}

// inboundName reports whether a context is named like an inbound one.
func inboundName(ctx string) bool {
	name := lower(ctx)
	for _, w := range inboundWords {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
