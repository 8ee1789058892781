package index

import (
	"fmt"
	"github.com/astapi/astapi/internal/slab"
	"strings"

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
	keys  strArena                  // the lower-cased names of sip
	alloc slab.Slab[Peer]
}

func newPeerSet() *peerSet {
	return &peerSet{sip: map[string]*Peer{}, pjsip: map[string]*Peer{}, users: map[*Peer]*parser.Section{}}
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

// fillSIP derives host, secret and context of a chan_sip style peer from
// its resolved variables; defContext is the context of one without
// context= (chan_sip's default from sip.conf [general]).
func fillSIP(p *Peer, defContext string) {
	// The last host, context, secret and md5secret, in one pass.
	var host, context, secret, md5 *parser.Var
	for i := len(p.Vars) - 1; i >= 0 && (host == nil || context == nil || secret == nil || md5 == nil); i-- {
		v := &p.Vars[i]
		switch {
		case host == nil && strings.EqualFold(v.Name, "host"):
			host = v
		case context == nil && strings.EqualFold(v.Name, "context"):
			context = v
		case secret == nil && strings.EqualFold(v.Name, "secret"):
			secret = v
		case md5 == nil && strings.EqualFold(v.Name, "md5secret"):
			md5 = v
		}
	}
	p.Host, p.Context = "", defContext
	if host != nil {
		p.Host = host.Value
	}
	if context != nil {
		p.Context = context.Value
	}
	p.Secret, p.SecretKind, p.SecretPos = "", "", p.Pos
	if secret != nil && secret.Value != "" {
		p.Secret, p.SecretKind, p.SecretPos = secret.Value, SecretPlain, secret.Pos
	} else if md5 != nil && md5.Value != "" {
		p.Secret, p.SecretKind, p.SecretPos = md5.Value, SecretMD5, md5.Pos
	}
}

// sipDefaultContext is sip.conf [general] context=, which chan_sip gives
// every peer (users.conf ones too) before reading its own lines. Asterisk
// falls back to "default" when it is unset; that is left out, so a peer
// without any context= stays without one (no tenant "default").
func (b *builder) sipDefaultContext() string {
	if b.sipGen == nil {
		return ""
	}
	return lastValue(b.sipGen.Vars, "context")
}

// addUsersConf adds a SIP friend for every users.conf user with hassip,
// built from [general] followed by the user's own lines, as chan_sip does.
func (b *builder) addUsersConf(ps *peerSet, cfg *parser.Config) {
	general := cfg.Section("general")
	defContext := b.sipDefaultContext()
	for _, s := range cfg.Sections {
		if s.Template || strings.EqualFold(s.Name, "general") {
			continue
		}
		var vars []parser.Var
		if general != nil {
			for _, v := range general.Vars {
				v.Inherited = true
				vars = append(vars, v)
			}
		}
		vars = append(vars, s.Vars...)
		if !parser.IsTrue(lastValue(vars, "hassip")) {
			continue
		}
		p := &Peer{Name: s.Name, Tech: "SIP", Source: "users.conf", Type: "friend", Pos: s.Pos, Vars: vars}
		fillSIP(p, defContext)
		if p.Host == "" {
			p.Host = "dynamic"
		}
		ps.add(p)
		ps.users[p] = s
	}
}

// addSIPConf adds sip.conf peers and friends. A later section with the
// same name (or a users.conf user) is layered: its lines follow.
func (b *builder) addSIPConf(ps *peerSet, cfg *parser.Config) {
	defContext := b.sipDefaultContext()
	for _, s := range cfg.Sections {
		if s.Template || strings.EqualFold(s.Name, "general") || strings.EqualFold(s.Name, "authentication") {
			continue
		}
		var typesBuf [2]parser.Var
		types := typesBuf[:0]
		for _, v := range s.Vars {
			if strings.EqualFold(v.Name, "type") {
				types = append(types, v)
			}
		}
		if len(types) == 0 {
			b.warn(s.Pos, "sip.conf [%s] has no type=: Asterisk skips it", s.Name)
			continue
		}
		isPeer := false
		typ := ""
		for _, t := range types {
			switch lower(t.Value) {
			case "peer", "friend":
				isPeer = true
				if typ != "friend" {
					typ = lower(t.Value)
				}
			case "user":
			default:
				b.warn(t.Pos, "sip.conf [%s]: unknown type=%s", s.Name, t.Value)
			}
		}
		if !isPeer {
			continue // type=user only authenticates inbound calls: no device to list
		}
		if old := ps.getSIP(s.Name); old != nil {
			old.Vars = append(old.Vars, s.Vars...)
			if old.Source != "users.conf" {
				old.Type = typ
			}
			fillSIP(old, defContext)
			if old.Host == "" && old.Source == "users.conf" {
				old.Host = "dynamic"
			}
			continue
		}
		// The section is not kept: its (full) variable list becomes the peer's.
		p := ps.alloc.New()
		*p = Peer{Name: s.Name, Tech: "SIP", Source: "sip.conf", Type: typ, Pos: s.Pos, Vars: s.Vars[:len(s.Vars):len(s.Vars)]}
		fillSIP(p, defContext)
		ps.add(p)
	}
}

// pjsipObjects indexes pjsip.conf sections by type and id. The type is the
// first type= line, matched exactly, as res_sorcery_config does.
type pjsipObjects map[string]map[string]*parser.Section

func (b *builder) pjsipIndex(cfg *parser.Config) pjsipObjects {
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
			b.warn(s.Pos, "pjsip.conf: second %s [%s] (first at %s): Asterisk fails to load this type; the first is used", typ, s.Name, old.Pos)
			continue
		}
		objs[typ][s.Name] = s
	}
	return objs
}

// addPJSIP adds an endpoint peer per type=endpoint section (joined with its
// auth and aors) and per type=wizard section.
func (b *builder) addPJSIP(ps *peerSet, cfg *parser.Config) {
	objs := b.pjsipIndex(cfg)
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
			b.addEndpoint(ps, s, objs)
		case "wizard":
			b.addWizard(ps, s)
		}
	}
}

func (b *builder) addEndpoint(ps *peerSet, s *parser.Section, objs pjsipObjects) {
	p := &Peer{Name: s.Name, Tech: "PJSIP", Source: "pjsip.conf", Type: "endpoint", Pos: s.Pos, SecretPos: s.Pos,
		Vars: append([]parser.Var(nil), s.Vars...)}
	p.Context = lastValue(s.Vars, "context")
	for _, name := range splitList(lastValue(s.Vars, "auth")) {
		auth := objs["auth"][name]
		if auth == nil {
			b.warn(s.Pos, "pjsip.conf endpoint [%s]: auth %q is not defined", s.Name, name)
			continue
		}
		p.Vars = append(p.Vars, auth.Vars...)
		if p.SecretKind == "" {
			p.takeAuthSecret(auth.Vars, "")
		}
	}
	p.Host = "dynamic"
	for _, name := range splitList(lastValue(s.Vars, "aors")) {
		aor := objs["aor"][name]
		if aor == nil {
			b.warn(s.Pos, "pjsip.conf endpoint [%s]: aor %q is not defined", s.Name, name)
			continue
		}
		p.Vars = append(p.Vars, aor.Vars...)
		if c := lastValue(aor.Vars, "contact"); c != "" {
			p.Host = contactHost(c)
		}
	}
	ps.add(p)
}

// addWizard turns a pjsip_wizard style section into an endpoint peer. Its
// Vars are the wizard's lines, then its endpoint/, inbound_auth/ and aor/
// options without the prefix, as the generated objects hold them: what
// reads an endpoint's options (callerid, set_var, permit...) reads a
// wizard's the same way.
func (b *builder) addWizard(ps *peerSet, s *parser.Section) {
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
	p.takeAuthSecret(s.Vars, "inbound_auth/")
	p.Host = "dynamic"
	if h := splitList(lastValue(s.Vars, "remote_hosts")); len(h) > 0 && !parser.IsTrue(lastValue(s.Vars, "accepts_registrations")) {
		p.Host = h[0]
	} else if c := lastValue(s.Vars, "aor/contact"); c != "" {
		p.Host = contactHost(c)
	}
	ps.add(p)
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
	if d == nil {
		return
	}
	*d = append(*d, parser.Diagnostic{Pos: pos, Severity: parser.Warning, Message: fmt.Sprintf(format, args...)})
}

// lowerCache lower-cases the few distinct application names of a dialplan
// once each instead of once per priority, and says whether they are
// pass-through applications. It is a small open-addressing table (names
// are few and short; a map costs more per look-up), with a map behind it
// once the table is full.
type lowerCache struct {
	slots [lowerSlots]lowerSlot
	used  int
	more  map[string]appInfo
}

const lowerSlots = 64

type lowerSlot struct {
	key  string
	info appInfo
	set  bool
}

type appInfo struct {
	lower       string
	passThrough bool
}

func newLowerCache() *lowerCache { return &lowerCache{} }

func (c *lowerCache) info(s string) appInfo {
	h := len(s)
	if len(s) > 0 {
		h = h*31 + int(s[0])*7 + int(s[len(s)-1])
	}
	for i := 0; i < lowerSlots; i++ {
		slot := &c.slots[(h+i)%lowerSlots]
		if !slot.set {
			info := appInfoOf(s)
			if c.used < lowerSlots/2 { // keep probes short
				*slot = lowerSlot{s, info, true}
				c.used++
				return info
			}
			break
		}
		if slot.key == s {
			return slot.info
		}
	}
	if info, ok := c.more[s]; ok {
		return info
	}
	info := appInfoOf(s)
	if c.more == nil {
		c.more = map[string]appInfo{}
	}
	if len(c.more) < 4096 {
		c.more[s] = info
	}
	return info
}

func appInfoOf(s string) appInfo {
	l := lower(s)
	return appInfo{l, passThrough[l]}
}

func (c *lowerCache) lower(s string) string { return c.info(s).lower }
