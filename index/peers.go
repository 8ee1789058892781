package index

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/astapi/astapi/internal/slab"
	"github.com/astapi/astapi/parser"
)

// peerSet collects peers in file order. chan_sip and chan_pjsip name
// their peers apart (SIP/bryan and PJSIP/bryan may be two devices):
// chan_sip compares names case-insensitively, sorcery ids exactly.
type peerSet struct {
	*peerCore
	reuse *sipReuse // for the next load (nil without chan_sip)
	// was gives, per peer of list, its index in the last load's list
	// when it is that load's very peer (a sip.conf section it shares, see
	// sipReuse), else -1; nil when no peer is. Passes that keep
	// something per peer by index follow it (builder.lastIndex).
	was []int32
	// from are the parses of sip.conf, users.conf and pjsip.conf the
	// peers were resolved from, diags what resolving them said.
	from  [3]*parser.Config
	diags parser.Diagnostics
}

// peerCore is the peers and their look-ups: two sets with one core hold
// the very same peers (see peerSet.sameAs).
type peerCore struct {
	list  []*Peer
	sip   map[string]*Peer          // by lower-cased name
	pjsip map[string]*Peer          // by id
	users map[*Peer]*parser.Section // peers made from users.conf, with their section
	// registers says why a peer registers to a provider (register =>,
	// a PJSIP registration or outbound_auth): a trunk.
	registers map[*Peer]string
	// ipIdentified holds the PJSIP endpoints without inbound auth that an
	// identify match= recognises by address: peers at a fixed address.
	ipIdentified map[*Peer]bool
	keys         strArena // the lower-cased names of sip
	alloc        slab.Slab[Peer]
}

// newPeerSet sizes its maps for about n SIP and m PJSIP peers: maps
// grown one insert at a time rehash a 100k-peer PBX's several times per
// load.
func newPeerSet(n, m int) *peerSet {
	return &peerSet{peerCore: &peerCore{sip: make(map[string]*Peer, n), pjsip: make(map[string]*Peer, m), users: map[*Peer]*parser.Section{}, registers: map[*Peer]string{}, ipIdentified: map[*Peer]bool{}}}
}

// sameAs is last with what ps was resolved from, when ps resolved to
// last's very peers, in the same order (a sip.conf parsed again, all of
// whose sections came out the same, see parser.Adopt): then the peers
// are shared as by again. Else nil. The look-ups follow from the list:
// the peers are shared only under the same [general] (the registers),
// and users.conf's and pjsip.conf's peers are made anew at every load,
// so a list of the last load's peers holds none.
func (ps *peerSet) sameAs(last *peerSet) *peerSet {
	if last == nil || !slices.Equal(ps.list, last.list) {
		return nil
	}
	return &peerSet{peerCore: last.peerCore, reuse: ps.reuse, from: ps.from, diags: ps.diags}
}

// again is what resolvePeers resolves from the parses ps was resolved
// from (a reload where none of the three files changed): ps itself,
// shared with the snapshot that holds it. Its peers keep the tenant and
// trunk flag that load gave them; the passes that settle those keep them
// beside the list, and settlePeers copies a peer whose own differ (see
// withCopies). Its diagnostics go to w again.
func (ps *peerSet) again(w *diagSink) *peerSet {
	if w != nil {
		*w = append(*w, ps.diags...)
	}
	return ps
}

// withCopies is ps with the peers of moved (old → copy) replaced by their
// copies, in its list and every look-up; ps is not modified.
func (ps *peerSet) withCopies(moved map[*Peer]*Peer) *peerSet {
	out := &peerSet{from: ps.from, diags: ps.diags, was: ps.was, peerCore: &peerCore{list: slices.Clone(ps.list),
		sip: maps.Clone(ps.sip), pjsip: maps.Clone(ps.pjsip),
		users: rekeyed(ps.users, moved), registers: rekeyed(ps.registers, moved), ipIdentified: rekeyed(ps.ipIdentified, moved)}}
	for i, p := range out.list {
		if q := moved[p]; q != nil {
			out.list[i] = q
		}
	}
	for _, m := range []map[string]*Peer{out.sip, out.pjsip} {
		for k, p := range m {
			if q := moved[p]; q != nil {
				m[k] = q
			}
		}
	}
	if ps.reuse != nil {
		r := *ps.reuse
		r.peers = out.list
		out.reuse = &r
	}
	return out
}

// rekeyed is a copy of m with the keys of moved replaced by their copies.
func rekeyed[V any](m map[*Peer]V, moved map[*Peer]*Peer) map[*Peer]V {
	out := maps.Clone(m)
	for old, q := range moved {
		if v, ok := out[old]; ok {
			delete(out, old)
			out[q] = v
		}
	}
	return out
}

// get finds the peer a technology ("SIP" or "PJSIP", upper-case) names.
// A name only the other technology knows is taken too, as before the two
// were told apart: configurations half migrated from chan_sip dial
// PJSIP/ peers that are still in sip.conf (and Asterisk would fail those
// calls, which is not what a reader of the dialplan wants to see).
func (ps *peerSet) get(tech, name string) *Peer {
	if tech == "PJSIP" {
		if p := ps.pjsip[name]; p != nil {
			return p
		}
		return ps.getSIP(name)
	}
	if p := ps.getSIP(name); p != nil {
		return p
	}
	return ps.pjsip[name]
}

func (ps *peerSet) getSIP(name string) *Peer {
	p, _ := lookupLower(ps.sip, name)
	return p
}

// lookupLower looks name up, lower-cased, in m: an ASCII name in a
// buffer on the stack (names are looked up by the hundred thousand).
func lookupLower[V any](m map[string]V, name string) (V, bool) {
	var buf [64]byte
	if key, ok := lowerASCII(buf[:0], name); ok {
		v, ok := m[string(key)]
		return v, ok
	}
	v, ok := m[lower(name)]
	return v, ok
}

func (ps *peerSet) add(p *Peer) {
	ps.list = append(ps.list, p)
	if p.Tech == "PJSIP" {
		ps.pjsip[p.Name] = p
		return
	}
	ps.sip[ps.keys.lower(p.Name)] = p
}

// lastVar returns the last variable called name in vars (the value chan_sip
// ends up with), or nil.
func lastVar(vars []parser.Var, name string) *parser.Var {
	for i := len(vars) - 1; i >= 0; i-- {
		if strings.EqualFold(vars[i].Name, name) {
			return &vars[i]
		}
	}
	return nil
}

func lastValue(vars []parser.Var, name string) string {
	if v := lastVar(vars, name); v != nil {
		return v.Value
	}
	return ""
}

// The channel variables lookupSetvars finds.
const (
	svCIDNum = iota
	svCIDName
	svCallWaiting
	svCount
)

var setvarNames = [svCount]string{"OUTBOUND_CID_NUM", "OUTBOUND_CID_NAME", "CALLWAITING"}

type setvarValues struct {
	val [svCount]string
	ok  [svCount]bool
}

// lookupSetvars returns the values setvar= (sip.conf) and set_var=
// (pjsip.conf) lines give each of setvarNames: the last line wins, and
// names compare upper-cased.
func lookupSetvars(vars []parser.Var) setvarValues {
	var out setvarValues
	left := svCount
	for i := len(vars) - 1; i >= 0 && left > 0; i-- {
		v := &vars[i]
		// "setvar" and "set_var" fold only with names at least as long.
		if len(v.Name) < len("setvar") || !(strings.EqualFold(v.Name, "setvar") || strings.EqualFold(v.Name, "set_var")) {
			continue
		}
		k, val, ok := strings.Cut(v.Value, "=")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		for j, name := range setvarNames {
			if !out.ok[j] && upperIs(k, name) {
				out.val[j], out.ok[j] = strings.TrimSpace(val), true
				left--
				break
			}
		}
	}
	return out
}

// upperIs reports whether strings.ToUpper(s) == upper, without allocating
// for ASCII s.
func upperIs(s, upper string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return strings.ToUpper(s) == upper
		}
	}
	if len(s) != len(upper) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != upper[i] {
			return false
		}
	}
	return true
}

// lowerASCII appends strings.ToLower(s) to buf when s is ASCII (ok false
// otherwise): a map key that costs no allocation.
func lowerASCII(buf []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return buf, false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return buf, true
}

// PeerInfo is what Asterisk shows of a peer (chan_sip's SIPshowpeer, or
// the matching options of a PJSIP endpoint): the fields of the peer dump.
type PeerInfo struct {
	CallerID         string // `"Name" <num>`, both parts always written
	Dynamic          bool
	SecretSet        bool
	MD5SecretSet     bool
	ACL              bool
	Insecure         string // no, port, invite, port,invite
	NAT              string // force_rport / auto_force_rport, comedia / auto_comedia, or no
	DTMFMode         string
	Mailbox          string
	Username         string
	FromUser         string
	FromDomain       string
	AccountCode      string
	Language         string
	Description      string
	SubscribeContext string
	CallGroup        string
	PickupGroup      string
	CallLimit        string
}

// resolvePeers builds every peer Asterisk would: the SIP peers chan_sip
// creates from sip.conf and users.conf, then the PJSIP endpoints. This is
// the one place the rules live; the index and `astapi dump peers` read
// its result. Problems go to w. prev (nil on a first load) is what the
// last load's resolution left for this one (peerSet.reuse).
func resolvePeers(sip, users, pjsip *parser.Config, prev *sipReuse, w *diagSink) *peerSet {
	n := 0
	for _, cfg := range []*parser.Config{sip, users} {
		if cfg != nil {
			n += len(cfg.Sections)
		}
	}
	ps := newPeerSet(n, 0)
	ps.from = [3]*parser.Config{sip, users, pjsip}
	if w != nil {
		said := len(*w)
		defer func() { ps.diags = slices.Clone(parser.Diagnostics((*w)[said:])) }()
	}
	// chan_sip declines to load without a usable sip.conf, and then reads
	// no users.conf either.
	if sip != nil && !sip.Invalid {
		g := readSIPGlobals(sip.Section("general"))
		builds := &peerBuilds{list: make([]peerBuild, 0, n)}
		if users != nil {
			addUsersConf(ps, users, &g, builds)
		}
		if prev != nil && prev.general != g {
			prev = nil
		}
		addSIPConf(ps, sip, &g, prev, builds, w)
		ps.reuse = &sipReuse{general: g, bySection: make(map[*parser.Section]int, len(ps.list))}
		if prev != nil {
			ps.was = make([]int32, 0, len(ps.list))
		}
		// chan_sip deletes a peer with a bad ACL entry; one without the
		// peer type (type=user) is no device: neither is listed.
		kept := ps.list[:0]
		for i, p := range ps.list {
			pb := builds.list[i]
			sb := pb.sb
			switch {
			case p.Tech != "SIP":
				ps.keep(&kept, p, pb)
				continue
			case sb == nil: // finished: the last load's, or by addSIPConf
			case sb.badACL != nil:
				w.warn(sb.badACL.Pos, "sip.conf [%s]: bad ACL entry %s=%s: Asterisk deletes the peer", p.Name, sb.badACL.Name, sb.badACL.Value)
				sb = nil
			case sb.typ&sipTypePeer == 0:
				sb = nil
			default:
				sb.finish(p)
			}
			if sb != nil || pb.sb == nil {
				if pb.sec != nil {
					ps.reuse.bySection[pb.sec] = len(kept)
				}
				ps.keep(&kept, p, pb)
				continue
			}
			delete(ps.sip, ps.keys.lower(p.Name))
			delete(ps.users, p)
		}
		ps.list = kept
		ps.reuse.peers = kept
		markRegistered(ps, sip.Section("general"))
	}
	if pjsip != nil {
		addPJSIP(ps, pjsip, w)
	}
	for ps.was != nil && len(ps.was) < len(ps.list) {
		ps.was = append(ps.was, -1) // PJSIP endpoints: never taken over
	}
	return ps
}

// keep appends p to kept, and where it was in the last load to ps.was.
func (ps *peerSet) keep(kept *[]*Peer, p *Peer, pb peerBuild) {
	*kept = append(*kept, p)
	if ps.was != nil {
		at := int32(-1)
		if pb.shared {
			at = pb.was
		}
		ps.was = append(ps.was, at)
	}
}

// peerBuild is a SIP peer while resolvePeers runs: its build (nil for a
// peer finished already: taken over from the last load, see sipReuse, or
// finished by addSIPConf), and the
// sip.conf section that built it alone (nil when users.conf or a second
// section of its name added to it). A peer taken over is shared: the
// last load's very peer, at index was there.
type peerBuild struct {
	sb     *sipBuild
	sec    *parser.Section
	shared bool
	was    int32
}

// peerBuilds are the builds of ps.list's peers, index for index, while
// resolvePeers runs: a slice rather than a map by peer, which cost a
// reload that shares 100,000 peers two map operations each. Where a peer
// sits is looked up only when a later section of its name layers onto
// it, through an index made at the first such section.
type peerBuilds struct {
	list []peerBuild
	pos  map[*Peer]int32 // nil until at is first asked
}

// add appends p to ps and its build to b.
func (b *peerBuilds) add(ps *peerSet, p *Peer, pb peerBuild) {
	ps.add(p)
	b.list = append(b.list, pb)
	if b.pos != nil {
		b.pos[p] = int32(len(b.list) - 1)
	}
}

// at is where p is in ps.list.
func (b *peerBuilds) at(ps *peerSet, p *Peer) int32 {
	if b.pos == nil {
		b.pos = make(map[*Peer]int32, len(ps.list))
		for i, q := range ps.list {
			b.pos[q] = int32(i)
		}
	}
	return b.pos[p]
}

// moved records that q replaced old at index at.
func (b *peerBuilds) moved(old, q *Peer, at int32) {
	if b.pos != nil {
		delete(b.pos, old)
		b.pos[q] = at
	}
}

// sipReuse is what a load's chan_sip peers leave for the next: the peers
// one sip.conf section built alone, by section, and the [general]
// defaults they were built with. A reload that shares such a section (its
// file unchanged, see parser.Refresh) under the same defaults would build
// the same peer, so it takes the peer over: the very one, which the
// served snapshot holds and nothing may write (settlePeers copies it
// when its tenant or trunk flag changes; a later section of its name
// builds on a copy).
type sipReuse struct {
	general   sipGlobals
	bySection map[*parser.Section]int // index in peers
	peers     []*Peer                 // the load's peers
}

// addUsersConf adds a SIP friend for every users.conf user with hassip
// (its own, else [general]'s), built from [general] followed by the user's
// own lines, as chan_sip does.
func addUsersConf(ps *peerSet, cfg *parser.Config, g *sipGlobals, builds *peerBuilds) {
	general := cfg.Section("general")
	genHasSIP := false
	if general != nil {
		genHasSIP = parser.IsTrue(lastValue(general.Vars, "hassip"))
	}
	for _, s := range cfg.Sections {
		if s.Template || strings.EqualFold(s.Name, "general") {
			continue
		}
		if v := lastVar(s.Vars, "hassip"); !(v != nil && parser.IsTrue(v.Value) || v == nil && genHasSIP) {
			continue
		}
		// Clipped: a sip.conf section of the same name appends to it.
		vars := slices.Clip(withGeneral(general, s))
		p := &Peer{Name: s.Name, Tech: "SIP", Source: "users.conf", Type: "friend", Pos: s.Pos, Vars: vars}
		sb := newSIPBuild(g)
		sb.apply(s.Name, vars)
		sb.typ = sipTypePeer | sipTypeUser // users.conf entries are always friends
		builds.add(ps, p, peerBuild{sb: sb})
		ps.users[p] = s
	}
}

// addSIPConf adds sip.conf peers and friends. A later section with the
// same name (or a users.conf user) is layered: chan_sip runs its lines on
// the peer it already built. A section prev holds gives a copy of its
// peer.
func addSIPConf(ps *peerSet, cfg *parser.Config, g *sipGlobals, prev *sipReuse, builds *peerBuilds, w *diagSink) {
	scratch := new(sipBuild)
	for _, s := range cfg.Sections {
		if s.Template || strings.EqualFold(s.Name, "general") || strings.EqualFold(s.Name, "authentication") {
			continue
		}
		old := ps.getSIP(s.Name)
		if old == nil && prev != nil {
			if i, ok := prev.bySection[s]; ok {
				builds.add(ps, prev.peers[i], peerBuild{sec: s, shared: true, was: int32(i)})
				continue
			}
		}
		utype := lastVar(s.Vars, "type")
		if utype == nil {
			w.warn(s.Pos, "sip.conf [%s] has no type=: Asterisk skips it", s.Name)
			continue
		}
		switch lower(utype.Value) {
		case "peer", "friend", "user":
		default:
			w.warn(utype.Pos, "sip.conf [%s]: unknown type=%s: Asterisk skips it", s.Name, utype.Value)
			continue
		}
		if old != nil {
			at := builds.at(ps, old)
			pb := builds.list[at]
			if pb.shared {
				q := ps.alloc.New()
				*q = *old
				ps.list[at] = q
				ps.sip[lower(s.Name)] = q
				builds.moved(old, q, at)
				old = q
			}
			if pb.sb == nil {
				// Copied whole: build it again to run these lines on it.
				pb.sb = newSIPBuild(g)
				pb.sb.apply(old.Name, old.Vars)
			}
			old.Vars = append(old.Vars, s.Vars...)
			pb.sb.apply(s.Name, s.Vars)
			if old.Source != "users.conf" {
				old.Type = sipTypeName(pb.sb.typ)
			}
			builds.list[at] = peerBuild{sb: pb.sb}
			continue
		}
		scratch.reset(g)
		scratch.apply(s.Name, s.Vars)
		// The section is not kept: its (full) variable list becomes the peer's.
		p := ps.alloc.New()
		*p = Peer{Name: s.Name, Tech: "SIP", Source: "sip.conf", Type: sipTypeName(scratch.typ), Pos: s.Pos, Vars: s.Vars[:len(s.Vars):len(s.Vars)]}
		if scratch.badACL == nil && scratch.typ&sipTypePeer != 0 {
			// A peer resolvePeers keeps is finished now: a later section
			// of its name builds it again from its lines (as one copied
			// from the last load). A build per peer held to the end was
			// 40 MB at 100k peers.
			scratch.finish(p)
			builds.add(ps, p, peerBuild{sec: s})
		} else {
			sb := new(sipBuild)
			*sb = *scratch
			builds.add(ps, p, peerBuild{sb: sb, sec: s})
		}
	}
}

func sipTypeName(typ int) string {
	switch typ {
	case sipTypePeer | sipTypeUser:
		return "friend"
	case sipTypeUser:
		return "user"
	}
	return "peer"
}

// markRegistered notes the peers named by the register => lines of
// [general]: the peer before '?', else the peer named like the
// registrar, else those whose fixed host is the registrar.
func markRegistered(ps *peerSet, general *parser.Section) {
	if general == nil {
		return
	}
	for _, v := range general.Vars {
		if !strings.EqualFold(v.Name, "register") {
			continue
		}
		peerName, host := parseRegister(v.Value)
		if peerName != "" {
			if p := ps.getSIP(peerName); p != nil {
				ps.registers[p] = "register => " + peerName + "?…"
			}
			continue
		}
		if host == "" {
			continue
		}
		if p := ps.getSIP(host); p != nil {
			ps.registers[p] = "register => …@" + host
			continue
		}
		for _, p := range ps.list {
			if p.Tech == "SIP" && strings.EqualFold(p.Host, host) {
				ps.registers[p] = "register => …@" + host
			}
		}
	}
}

// parseRegister reads a register => value,
// [peer?][transport://]user[:secret[:authuser]]@host[:port][~expiry][/contact]:
// the peer it names and the registrar host (after the last '@', so the
// transport and the user part need no parsing).
func parseRegister(value string) (peerName, host string) {
	s := strings.TrimSpace(value)
	if name, _, ok := strings.Cut(s, "?"); ok && !strings.ContainsAny(name, "@:/") {
		peerName = name
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return peerName, ""
	}
	host = s[at+1:]
	if i := strings.IndexAny(host, "/~"); i >= 0 {
		host = host[:i]
	}
	if h, _, ok := strings.Cut(host, ":"); ok && !strings.HasPrefix(host, "[") {
		host = h
	}
	return peerName, strings.TrimSpace(host)
}

func (b *builder) warn(pos parser.Pos, format string, args ...any) {
	(*diagSink)(&b.diags).warn(pos, format, args...)
}

// diagSink collects the warnings of work done concurrently with the
// builder's; they are added to its diagnostics afterwards.
type diagSink parser.Diagnostics

// A nil sink discards: for passes that read again what another pass
// already reported.
func (d *diagSink) warn(pos parser.Pos, format string, args ...any) {
	d.add(parser.Warning, pos, format, args...)
}

// info records a remark that is no problem: why something is left out.
func (d *diagSink) info(pos parser.Pos, format string, args ...any) {
	d.add(parser.Info, pos, format, args...)
}

func (d *diagSink) add(sev parser.Severity, pos parser.Pos, format string, args ...any) {
	if d == nil {
		return
	}
	*d = append(*d, parser.Diagnostic{Pos: pos, Severity: sev, Message: fmt.Sprintf(format, args...)})
}

// lastIndex is where the peer at index i of b.peers.list was in the last
// load's list, or -1 when it is not that load's peer.
func (b *builder) lastIndex(i int32) int32 {
	if b.peersAgain {
		return i
	}
	if int(i) < len(b.peers.was) {
		return b.peers.was[i]
	}
	return -1
}

// settlePeers writes into each peer its tenant and trunk flag, which the
// passes before kept beside the list (owner, trunk). Peers the served
// snapshot shares (all with peersShared, else those peers.was names)
// are not written: those whose tenant and
// flag are already these are kept, the others replaced by copies, in a
// set of their own (peerSet.withCopies). A reload that changed neither
// the peer files nor any peer's tenant or flag thus shares every peer,
// and what the next load keys by them.
func (b *builder) settlePeers() {
	var moved map[*Peer]*Peer
	b.ownersKept = b.peersShared
	b.ownerAt = make([]int32, len(b.peers.list))
	for i, p := range b.peers.list {
		id := ""
		shared := b.lastIndex(int32(i)) >= 0 // the served snapshot's peer
		b.ownerAt[i] = -1
		if t := b.owner[i]; t != nil {
			id, b.ownerAt[i] = t.ID, int32(t.at)
		}
		if p.TenantID == id && p.Trunk == b.trunk[i] {
			continue
		}
		if p.TenantID != id {
			b.ownersKept = false
		}
		if !shared {
			p.TenantID, p.Trunk = id, b.trunk[i]
			continue
		}
		if moved == nil {
			moved = map[*Peer]*Peer{}
		}
		q := new(Peer)
		*q = *p
		q.TenantID, q.Trunk = id, b.trunk[i]
		moved[p] = q
	}
	b.peersKept = b.peersShared && moved == nil
	if moved == nil {
		return
	}
	b.peers, b.peersShared = b.peers.withCopies(moved), false
	b.dialIdx.peers = b.peers // its uses are rekeyed below
	for old, q := range moved {
		if u, ok := b.dials[old]; ok {
			delete(b.dials, old)
			b.dials[q] = u
		}
	}
	for i, p := range b.unowned {
		if q := moved[p]; q != nil {
			b.unowned[i] = q
		}
	}
}
