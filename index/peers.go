package index

import (
	"fmt"
	"slices"
	"strings"

	"github.com/astapi/astapi/internal/slab"
	"github.com/astapi/astapi/parser"
)

// peerSet collects peers in file order. chan_sip and chan_pjsip name
// their peers apart (SIP/bryan and PJSIP/bryan may be two devices):
// chan_sip compares names case-insensitively, sorcery ids exactly.
type peerSet struct {
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

func newPeerSet() *peerSet {
	return &peerSet{sip: map[string]*Peer{}, pjsip: map[string]*Peer{}, users: map[*Peer]*parser.Section{}, registers: map[*Peer]string{}, ipIdentified: map[*Peer]bool{}}
}

// get finds the peer a technology ("SIP" or "PJSIP", upper-case) names.
// A name only the other technology knows is taken too, as before the two
// were told apart: configurations half migrated from chan_sip dial
// PJSIP/ peers that are still in sip.conf (and Asterisk would fail those
// calls, which is not what a reader of the dialplan wants to see).
func (ps *peerSet) get(tech, name string) *Peer {
	own, other := ps.getSIP(name), ps.pjsip[name]
	if tech == "PJSIP" {
		own, other = other, own
	}
	if own != nil {
		return own
	}
	return other
}

func (ps *peerSet) getSIP(name string) *Peer {
	var buf [64]byte
	if key, ok := lowerASCII(buf[:0], name); ok {
		return ps.sip[string(key)]
	}
	return ps.sip[lower(name)]
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
// its result. Problems go to w.
func resolvePeers(sip, users, pjsip *parser.Config, w *diagSink) *peerSet {
	ps := newPeerSet()
	// chan_sip declines to load without a usable sip.conf, and then reads
	// no users.conf either.
	if sip != nil && !sip.Invalid {
		g := readSIPGlobals(sip.Section("general"))
		builds := map[*Peer]*sipBuild{}
		if users != nil {
			addUsersConf(ps, users, &g, builds)
		}
		addSIPConf(ps, sip, &g, builds, w)
		// chan_sip deletes a peer with a bad ACL entry; one without the
		// peer type (type=user) is no device: neither is listed.
		kept := ps.list[:0]
		for _, p := range ps.list {
			sb := builds[p]
			switch {
			case p.Tech != "SIP":
				kept = append(kept, p)
				continue
			case sb.badACL != nil:
				w.warn(sb.badACL.Pos, "sip.conf [%s]: bad ACL entry %s=%s: Asterisk deletes the peer", p.Name, sb.badACL.Name, sb.badACL.Value)
			case sb.typ&sipTypePeer == 0:
			default:
				sb.finish(p)
				kept = append(kept, p)
				continue
			}
			delete(ps.sip, ps.keys.lower(p.Name))
			delete(ps.users, p)
		}
		ps.list = kept
		markRegistered(ps, sip.Section("general"))
	}
	if pjsip != nil {
		addPJSIP(ps, pjsip, w)
	}
	return ps
}

// addUsersConf adds a SIP friend for every users.conf user with hassip
// (its own, else [general]'s), built from [general] followed by the user's
// own lines, as chan_sip does.
func addUsersConf(ps *peerSet, cfg *parser.Config, g *sipGlobals, builds map[*Peer]*sipBuild) {
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
		builds[p] = sb
		ps.add(p)
		ps.users[p] = s
	}
}

// addSIPConf adds sip.conf peers and friends. A later section with the
// same name (or a users.conf user) is layered: chan_sip runs its lines on
// the peer it already built.
func addSIPConf(ps *peerSet, cfg *parser.Config, g *sipGlobals, builds map[*Peer]*sipBuild, w *diagSink) {
	for _, s := range cfg.Sections {
		if s.Template || strings.EqualFold(s.Name, "general") || strings.EqualFold(s.Name, "authentication") {
			continue
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
		if old := ps.getSIP(s.Name); old != nil {
			old.Vars = append(old.Vars, s.Vars...)
			builds[old].apply(s.Name, s.Vars)
			if old.Source != "users.conf" {
				old.Type = sipTypeName(builds[old].typ)
			}
			continue
		}
		sb := newSIPBuild(g)
		sb.apply(s.Name, s.Vars)
		// The section is not kept: its (full) variable list becomes the peer's.
		p := ps.alloc.New()
		*p = Peer{Name: s.Name, Tech: "SIP", Source: "sip.conf", Type: sipTypeName(sb.typ), Pos: s.Pos, Vars: s.Vars[:len(s.Vars):len(s.Vars)]}
		builds[p] = sb
		ps.add(p)
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
// the peer it names and the registrar host.
func parseRegister(value string) (peerName, host string) {
	s := strings.TrimSpace(value)
	if q := strings.IndexByte(s, '?'); q >= 0 && !strings.ContainsAny(s[:q], "@:/") {
		peerName, s = s[:q], s[q+1:]
	}
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
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

// pjsipObjects indexes pjsip.conf sections by type and id. The type is the
// first type= line, matched exactly, as res_sorcery_config does.
type pjsipObjects map[string]map[string]*parser.Section

func pjsipIndex(cfg *parser.Config, w *diagSink) pjsipObjects {
	objs := pjsipObjects{}
	for _, s := range cfg.Sections {
		if s.Template {
			continue
		}
		typ, ok := s.First("type")
		if !ok {
			continue
		}
		if objs[typ] == nil {
			objs[typ] = map[string]*parser.Section{}
		}
		if old, dup := objs[typ][s.Name]; dup {
			w.warn(s.Pos, "pjsip.conf: second %s [%s] (first at %s): Asterisk fails to load this type; the first is used", typ, s.Name, old.Pos)
			continue
		}
		objs[typ][s.Name] = s
	}
	return objs
}

// addPJSIP adds an endpoint peer per type=endpoint section (joined with its
// auth and aors) and per type=wizard section, and notes the endpoints
// that register to a provider.
func addPJSIP(ps *peerSet, cfg *parser.Config, w *diagSink) {
	objs := pjsipIndex(cfg, w)
	var defaultOutbound string
	for _, g := range objs["global"] {
		defaultOutbound = lastValue(g.Vars, "default_outbound_endpoint")
	}
	start := len(ps.list)
	for _, s := range cfg.Sections {
		if s.Template {
			continue
		}
		typ, _ := s.First("type")
		switch typ {
		case "endpoint":
			if objs["endpoint"][s.Name] != s {
				continue
			}
			p := addEndpoint(ps, s, objs, w)
			p.System = systemEndpoint(p, s, defaultOutbound)
			if ob := lastValue(s.Vars, "outbound_auth"); ob != "" {
				ps.registers[p] = "outbound_auth=" + ob
			}
		case "wizard":
			p := addWizard(ps, s)
			if parser.IsTrue(lastValue(s.Vars, "sends_registrations")) {
				ps.registers[p] = "sends_registrations=yes"
			}
		}
	}
	endpoints := ps.list[start:]
	for _, id := range objs["identify"] {
		if p := ps.pjsip[lastValue(id.Vars, "endpoint")]; p != nil && p.SecretKind == "" && lastValue(id.Vars, "match") != "" {
			ps.ipIdentified[p] = true
		}
	}
	for _, r := range cfg.Sections {
		if r.Template || objs["registration"][r.Name] != r {
			continue
		}
		p := registrationEndpoint(r, endpoints, ps)
		if p != nil {
			ps.registers[p] = "registration [" + r.Name + "]"
		}
	}
	for _, p := range endpoints {
		if p.System != "" {
			w.info(p.Pos, "pjsip.conf endpoint [%s] is not a phone: %s", p.Name, p.System)
		}
	}
}

// registrationEndpoint finds the endpoint an outbound registration is for:
// its endpoint= (FreePBX writes it), else the endpoint sharing its
// outbound_auth, else the endpoint whose AOR contact is its server_uri's
// host.
func registrationEndpoint(r *parser.Section, endpoints []*Peer, ps *peerSet) *Peer {
	if name := lastValue(r.Vars, "endpoint"); name != "" {
		if p := ps.pjsip[name]; p != nil {
			return p
		}
	}
	if auth := lastValue(r.Vars, "outbound_auth"); auth != "" {
		for _, p := range endpoints {
			if lastValue(p.Vars, "outbound_auth") == auth {
				return p
			}
		}
	}
	host := hostOnly(contactHost(lastValue(r.Vars, "server_uri")))
	if host == "" {
		return nil
	}
	for _, p := range endpoints {
		if p.Host != "dynamic" && strings.EqualFold(hostOnly(p.Host), host) {
			return p
		}
	}
	return nil
}

// hostOnly drops the port of host:port.
func hostOnly(hp string) string {
	if strings.HasPrefix(hp, "[") {
		if i := strings.IndexByte(hp, ']'); i >= 0 {
			return hp[1:i]
		}
	}
	h, _, _ := strings.Cut(hp, ":")
	return h
}

// systemEndpoint says why an endpoint is not a phone ("" when it may be
// one): the endpoints res_pjsip and GUIs create for themselves. (An
// endpoint without auth, aors or identify is not one of them: res_pjsip
// still matches callers to it by user name.)
func systemEndpoint(p *Peer, s *parser.Section, defaultOutbound string) string {
	switch {
	case p.Name == "anonymous":
		return "res_pjsip's anonymous endpoint takes unauthenticated inbound calls; nobody registers as it"
	case strings.EqualFold(p.Context, "dpma-invalid") || p.Name == "dpma_endpoint":
		return "the Digium phone module's placeholder endpoint (context dpma-invalid)"
	case p.Name == defaultOutbound && lastValue(s.Vars, "auth") == "" && lastValue(s.Vars, "aors") == "" && lastValue(s.Vars, "outbound_auth") == "":
		return "res_pjsip sends requests without an endpoint of their own from it ([global] default_outbound_endpoint); it has no auth and no aors"
	}
	return ""
}

func addEndpoint(ps *peerSet, s *parser.Section, objs pjsipObjects, w *diagSink) *Peer {
	p := &Peer{Name: s.Name, Tech: "PJSIP", Source: "pjsip.conf", Type: "endpoint", Pos: s.Pos, SecretPos: s.Pos,
		Vars: append([]parser.Var(nil), s.Vars...)}
	p.Context = lastValue(s.Vars, "context")
	if p.Context == "" {
		p.Context = "default" // res_pjsip's default
	}
	var username string
	for _, name := range splitList(lastValue(s.Vars, "auth")) {
		auth := objs["auth"][name]
		if auth == nil {
			w.warn(s.Pos, "pjsip.conf endpoint [%s]: auth %q is not defined", s.Name, name)
			continue
		}
		p.Vars = append(p.Vars, auth.Vars...)
		if p.SecretKind == "" {
			p.takeAuthSecret(auth.Vars, "")
			username = lastValue(auth.Vars, "username")
		}
	}
	p.Host = "dynamic"
	var mailboxes string
	for _, name := range splitList(lastValue(s.Vars, "aors")) {
		aor := objs["aor"][name]
		if aor == nil {
			w.warn(s.Pos, "pjsip.conf endpoint [%s]: aor %q is not defined", s.Name, name)
			continue
		}
		p.Vars = append(p.Vars, aor.Vars...)
		if c := lastValue(aor.Vars, "contact"); c != "" {
			p.Host = contactHost(c)
		}
		if mailboxes == "" {
			mailboxes = lastValue(aor.Vars, "mailboxes")
		}
	}
	if v := lastValue(s.Vars, "mailboxes"); v != "" {
		mailboxes = v
	}
	p.Info = pjsipInfo(p, s.Vars, "", username, mailboxes)
	ps.add(p)
	return p
}

// addWizard turns a pjsip_wizard style section into an endpoint peer. Its
// Vars are the wizard's lines, then its endpoint/, inbound_auth/ and aor/
// options without the prefix, as the generated objects hold them: what
// reads an endpoint's options (callerid, set_var, permit...) reads a
// wizard's the same way.
func addWizard(ps *peerSet, s *parser.Section) *Peer {
	vars := append(make([]parser.Var, 0, 2*len(s.Vars)), s.Vars...)
	// The order of an endpoint peer's Vars; the wizard matches the
	// prefixes exactly.
	for _, prefix := range [...]string{"endpoint/", "inbound_auth/", "aor/"} {
		for _, v := range s.Vars {
			if name, ok := strings.CutPrefix(v.Name, prefix); ok && name != "" {
				v.Name = name
				vars = append(vars, v)
			}
		}
	}
	p := &Peer{Name: s.Name, Tech: "PJSIP", Source: "pjsip.conf", Type: "endpoint", Pos: s.Pos, SecretPos: s.Pos, Vars: vars}
	p.Context = lastValue(s.Vars, "endpoint/context")
	if p.Context == "" {
		p.Context = "default"
	}
	p.takeAuthSecret(s.Vars, "inbound_auth/")
	p.Host = "dynamic"
	if h := splitList(lastValue(s.Vars, "remote_hosts")); len(h) > 0 && !parser.IsTrue(lastValue(s.Vars, "accepts_registrations")) {
		p.Host = h[0]
	} else if c := lastValue(s.Vars, "aor/contact"); c != "" {
		p.Host = contactHost(c)
	}
	p.Info = pjsipInfo(p, s.Vars, "endpoint/", lastValue(s.Vars, "inbound_auth/username"), lastValue(s.Vars, "endpoint/mailboxes"))
	ps.add(p)
	return p
}

// pjsipInfo maps an endpoint's options (names after prefix) onto the
// fields chan_sip shows: nat from force_rport (on by default) and
// rtp_symmetric, insecure "invite" for an endpoint without inbound auth
// (its calls are taken unauthenticated, as chan_sip's insecure=invite).
func pjsipInfo(p *Peer, vars []parser.Var, prefix, username, mailboxes string) PeerInfo {
	get := func(name string) string { return lastValue(vars, prefix+name) }
	name, num := splitCallerID(get("callerid"))
	nat := natFlags{forceRport: true, comedia: parser.IsTrue(get("rtp_symmetric"))}
	if v := lastVar(vars, prefix+"force_rport"); v != nil {
		nat.forceRport = parser.IsTrue(v.Value)
	}
	insecure := "no"
	if p.SecretKind == "" {
		insecure = "invite"
	}
	dtmf := get("dtmf_mode")
	if dtmf == "" {
		dtmf = "rfc4733"
	}
	acl := false
	for _, k := range [...]string{"acl", "contact_acl", "contact_permit", "contact_deny", "permit", "deny"} {
		if get(k) != "" {
			acl = true
		}
	}
	return PeerInfo{
		CallerID: mergeCallerID(name, num), Dynamic: p.Host == "dynamic",
		SecretSet: p.SecretKind == SecretPassword, MD5SecretSet: p.SecretKind == SecretMD5Cred, ACL: acl,
		Insecure: insecure, NAT: nat.String(), DTMFMode: dtmf, Mailbox: mailboxes, Username: username,
		FromUser: get("from_user"), FromDomain: get("from_domain"), AccountCode: get("accountcode"),
		Language: get("language"), SubscribeContext: get("subscribe_context"),
		CallGroup: groupString(get("call_group")), PickupGroup: groupString(get("pickup_group")), CallLimit: "0",
	}
}

// takeAuthSecret sets the peer's secret from the password (else
// md5_cred) of an auth's options, their names after prefix.
func (p *Peer) takeAuthSecret(vars []parser.Var, prefix string) {
	if v := lastVar(vars, prefix+"password"); v != nil && v.Value != "" {
		p.Secret, p.SecretKind, p.SecretPos = v.Value, SecretPassword, v.Pos
	} else if v := lastVar(vars, prefix+"md5_cred"); v != nil && v.Value != "" {
		p.Secret, p.SecretKind, p.SecretPos = v.Value, SecretMD5Cred, v.Pos
	}
}

// contactHost turns "sip:user@host:port;params" into "host:port".
func contactHost(c string) string {
	c = strings.TrimSpace(strings.Split(c, ",")[0])
	c = strings.TrimPrefix(strings.TrimPrefix(c, "sips:"), "sip:")
	if i := strings.IndexByte(c, '@'); i >= 0 {
		c = c[i+1:]
	}
	if i := strings.IndexAny(c, ";>"); i >= 0 {
		c = c[:i]
	}
	return c
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
