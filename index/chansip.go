package index

import (
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/astapi/astapi/parser"
)

// This file holds chan_sip's reading of a peer's options, as build_peer
// and reload_config do it in Asterisk 20 (channels/chan_sip.c): the values
// `sip show peer` and AMI SIPshowpeer report, which is what the peer dump
// promises to agree with.

// sipGlobals are the defaults sip.conf [general] gives every peer.
type sipGlobals struct {
	context, language, subscribeContext string
	nat                                 natFlags
	insecure                            string
	dtmf                                string
	callCounter                         bool
}

// readSIPGlobals reads [general] (nil: chan_sip's built-in defaults). The
// options it shares with peers are read as a peer's are.
func readSIPGlobals(general *parser.Section) sipGlobals {
	g := &sipBuild{context: "default", nat: natFlags{autoRport: true}, insecure: "no", dtmf: "rfc2833"}
	callCounter := false
	if general != nil {
		g.apply("", general.Vars)
		callCounter = parser.IsTrue(lastValue(general.Vars, "callcounter"))
	}
	return sipGlobals{context: g.context, language: g.language, subscribeContext: g.subscribeContext,
		nat: g.nat, insecure: g.insecure, dtmf: g.dtmf, callCounter: callCounter}
}

// sipBuild is a SIP peer while chan_sip builds it. A second section of the
// same name (users.conf then sip.conf, or a repeated [name]) is another
// build_peer run on the same peer: it starts from where the first ended.
type sipBuild struct {
	typ                    int // sipTypePeer | sipTypeUser
	context                string
	secret, md5secret      string
	secretPos, md5Pos      parser.Pos
	host                   string // the last host= that is not dynamic
	dynamic                bool
	cidName, cidNum        string
	insecure, dtmf         string
	nat                    natFlags
	acl                    bool
	badACL                 *parser.Var // a permit/deny chan_sip refuses: the peer is deleted
	mailboxes              []string
	username, fromUser     string
	fromDomain, account    string
	language, description  string
	subscribeContext       string
	callGroup, pickupGroup string
	callLimit              int
}

const (
	sipTypePeer = 1 << iota
	sipTypeUser
)

func newSIPBuild(g *sipGlobals) *sipBuild {
	b := &sipBuild{}
	b.reset(g)
	return b
}

// reset starts b again from the [general] defaults g.
func (b *sipBuild) reset(g *sipGlobals) {
	*b = sipBuild{context: g.context, language: g.language, subscribeContext: g.subscribeContext,
		insecure: g.insecure, dtmf: g.dtmf, nat: g.nat}
	if g.callCounter {
		b.callLimit = math.MaxInt32
	}
}

// apply runs one build_peer pass over vars; name is the peer's name
// (hasvoicemail makes a mailbox of it).
func (s *sipBuild) apply(name string, vars []parser.Var) {
	var nat natFlags
	natSet := false
	for i := range vars {
		v := &vars[i]
		switch lower(v.Name) {
		case "type":
			switch lower(v.Value) {
			case "peer":
				s.typ |= sipTypePeer
			case "user":
				s.typ |= sipTypeUser
			case "friend":
				s.typ = sipTypePeer | sipTypeUser
			}
		case "secret":
			s.secret, s.secretPos = v.Value, v.Pos
		case "md5secret":
			s.md5secret, s.md5Pos = v.Value, v.Pos
		case "description":
			s.description = v.Value
		case "callerid":
			s.cidName, s.cidNum = splitCallerID(v.Value)
		case "fullname":
			s.cidName = v.Value
		case "trunkname":
			s.cidName = ""
		case "cid_number":
			s.cidNum = v.Value
		case "context":
			s.context = v.Value
		case "subscribecontext":
			s.subscribeContext = v.Value
		case "fromdomain":
			s.fromDomain, _, _ = strings.Cut(v.Value, ":")
		case "fromuser":
			s.fromUser = v.Value
		case "host":
			if strings.EqualFold(v.Value, "dynamic") {
				s.dynamic = true
			} else {
				s.dynamic, s.host = false, v.Value
			}
		case "permit", "deny":
			if v.Value != "" {
				if !validACL(v.Value) && s.badACL == nil {
					s.badACL = v
				}
				s.acl = true
			}
		case "acl":
			if v.Value != "" {
				s.acl = true
			}
		case "username", "defaultuser":
			s.username = v.Value
		case "language":
			s.language = v.Value
		case "accountcode":
			s.account = v.Value
		case "mailbox":
			s.addMailboxes(v.Value)
		case "hasvoicemail":
			if parser.IsTrue(v.Value) && len(s.mailboxes) == 0 {
				if strings.Contains(name, "@") {
					s.addMailboxes(name)
				} else {
					s.addMailboxes(name + "@default")
				}
			}
		case "callgroup":
			s.callGroup = groupString(v.Value)
		case "pickupgroup":
			s.pickupGroup = groupString(v.Value)
		case "callcounter":
			s.callLimit = 0
			if parser.IsTrue(v.Value) {
				s.callLimit = math.MaxInt32
			}
		case "call-limit":
			s.callLimit = max(atoiC(v.Value), 0)
		case "nat":
			nat.parse(v.Value)
			natSet = true
		case "insecure":
			s.insecure = insecureString(v.Value)
		case "dtmfmode":
			s.dtmf = dtmfMode(v.Value)
		}
	}
	if natSet {
		s.nat = nat
	}
}

func (s *sipBuild) addMailboxes(value string) {
	for mb := range strings.SplitSeq(value, ",") {
		if mb = strings.TrimSpace(mb); mb != "" && !slices.Contains(s.mailboxes, mb) {
			s.mailboxes = append(s.mailboxes, mb)
		}
	}
}

// finish fills the peer from the build.
func (s *sipBuild) finish(p *Peer) {
	p.Context = s.context
	p.Host = s.host
	if s.dynamic {
		p.Host = "dynamic"
	}
	p.Secret, p.SecretKind, p.SecretPos = "", "", p.Pos
	if s.secret != "" {
		p.Secret, p.SecretKind, p.SecretPos = s.secret, SecretPlain, s.secretPos
	} else if s.md5secret != "" {
		p.Secret, p.SecretKind, p.SecretPos = s.md5secret, SecretMD5, s.md5Pos
	}
	p.Info = PeerInfo{
		CallerID: mergeCallerID(s.cidName, s.cidNum), Dynamic: s.dynamic,
		SecretSet: s.secret != "", MD5SecretSet: s.md5secret != "", ACL: s.acl,
		Insecure: s.insecure, NAT: s.nat.String(), DTMFMode: s.dtmf,
		Mailbox: strings.Join(s.mailboxes, ","), Username: s.username, FromUser: s.fromUser,
		FromDomain: s.fromDomain, AccountCode: s.account, Language: s.language,
		Description: s.description, SubscribeContext: s.subscribeContext,
		CallGroup: s.callGroup, PickupGroup: s.pickupGroup, CallLimit: strconv.Itoa(s.callLimit),
	}
}

// natFlags are chan_sip's four NAT flags.
type natFlags struct{ forceRport, comedia, autoRport, autoComedia bool }

// parse is sip_parse_nat_option: the words of one nat= line set flags on
// top of those the earlier nat= lines of the same section set.
func (f *natFlags) parse(value string) {
	for w := range strings.SplitSeq(value, ",") {
		switch {
		case parser.IsFalse(w):
			*f = natFlags{}
			return
		case strings.EqualFold(w, "yes"):
			*f = natFlags{forceRport: true, comedia: true}
			return
		case strings.EqualFold(w, "force_rport") && !f.autoRport:
			f.forceRport = true
		case strings.EqualFold(w, "comedia") && !f.autoComedia:
			f.comedia = true
		case strings.EqualFold(w, "auto_force_rport"):
			f.autoRport, f.forceRport = true, false
		case strings.EqualFold(w, "auto_comedia"):
			f.autoComedia, f.comedia = true, false
		}
	}
}

// String writes the flags as a nat= value that sets them
// (SIP-Forcerport / SIP-Comedia of SIPshowpeer): "no" when none is set.
func (f natFlags) String() string {
	var parts []string
	switch {
	case f.autoRport:
		parts = append(parts, "auto_force_rport")
	case f.forceRport:
		parts = append(parts, "force_rport")
	}
	switch {
	case f.autoComedia:
		parts = append(parts, "auto_comedia")
	case f.comedia:
		parts = append(parts, "comedia")
	}
	if len(parts) == 0 {
		return "no"
	}
	return strings.Join(parts, ",")
}

// insecureString is set_insecure_flags then insecure2str.
func insecureString(value string) string {
	port, invite := false, false
	if !parser.IsFalse(value) {
		for w := range strings.SplitSeq(value, ",") {
			switch {
			case strings.EqualFold(w, "port"):
				port = true
			case strings.EqualFold(w, "invite"):
				invite = true
			}
		}
	}
	switch {
	case port && invite:
		return "port,invite"
	case port:
		return "port"
	case invite:
		return "invite"
	}
	return "no"
}

// dtmfMode is chan_sip's dtmfmode= (an unknown mode is rfc2833).
func dtmfMode(value string) string {
	switch l := lower(value); l {
	case "inband", "rfc2833", "info", "shortinfo", "auto":
		return l
	}
	return "rfc2833"
}

// atoiC is C's atoi: leading blanks, a sign, digits; 0 when none.
func atoiC(s string) int {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	end := 0
	if end < len(s) && (s[end] == '-' || s[end] == '+') {
		end++
	}
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, err := strconv.ParseInt(s[:end], 10, 32)
	if err != nil {
		return 0
	}
	return int(n)
}

// groupString is ast_get_group then ast_print_group: "1,3-5" → "1,3,4,5".
func groupString(value string) string {
	var bits uint64
	for part := range strings.SplitSeq(value, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		s, err1 := strconv.Atoi(strings.TrimSpace(lo))
		e := s
		var err2 error
		if isRange {
			e, err2 = strconv.Atoi(strings.TrimSpace(hi))
		}
		if err1 != nil || err2 != nil {
			continue
		}
		for x := max(s, 0); x <= e && x < 64; x++ {
			bits |= 1 << x
		}
	}
	var out []string
	for x := range 64 {
		if bits&(1<<x) != 0 {
			out = append(out, strconv.Itoa(x))
		}
	}
	return strings.Join(out, ",")
}

// validACL reports whether ast_append_ha accepts every entry of a
// permit=/deny= value: [!]address[/mask], the mask a prefix length or an
// address of the same family. chan_sip deletes a peer with a bad entry.
func validACL(value string) bool {
	for entry := range strings.SplitSeq(value, ",") {
		entry = strings.TrimPrefix(strings.TrimSpace(entry), "!")
		addrS, maskS, hasMask := strings.Cut(entry, "/")
		addr, err := netip.ParseAddr(strings.Trim(strings.TrimSpace(addrS), "[]"))
		if err != nil {
			return false
		}
		if !hasMask {
			continue
		}
		maskS = strings.TrimSpace(maskS)
		if strings.ContainsAny(maskS, ".:") {
			m, err := netip.ParseAddr(maskS)
			if err != nil || m.Is4() != addr.Is4() {
				return false
			}
			continue
		}
		n, err := strconv.Atoi(maskS)
		if err != nil || n < 0 || n > addr.BitLen() {
			return false
		}
	}
	return true
}

// splitCallerID is ast_callerid_split: the name and number of a caller ID
// as Asterisk reads it ("Name" <num>, Name <num>, a bare number or a bare
// name).
func splitCallerID(value string) (name, num string) {
	in := strings.TrimSpace(value)
	stripped := stripQuoted(in)
	quoted := stripped != in
	in = stripped
	if ls := strings.LastIndexByte(in, '<'); ls >= 0 {
		loc := in[ls+1:]
		if le := strings.LastIndexByte(loc, '>'); le >= 0 {
			loc = loc[:le]
		}
		return unescapeQuoted(stripQuoted(in[:ls])), parser.ShrinkPhoneNumber(loc)
	}
	if tmp := parser.ShrinkPhoneNumber(in); !quoted && isNumber(tmp) {
		return "", tmp
	}
	return unescapeQuoted(stripQuoted(in)), ""
}

// stripQuoted is ast_strip_quoted with '"': blanks trimmed, then one pair
// of surrounding quotes removed.
func stripQuoted(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// unescapeQuoted is ast_unescape_quoted: a backslash keeps the next
// character.
func unescapeQuoted(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// mergeCallerID is ast_callerid_merge as chan_sip calls it (both parts
// always set): "Name" <num>, quotes and backslashes in the name escaped.
func mergeCallerID(name, num string) string {
	var b strings.Builder
	b.Grow(len(name) + len(num) + 5)
	b.WriteByte('"')
	for i := 0; i < len(name); i++ {
		if c := name[i]; c == '\\' || c == '"' {
			b.WriteByte('\\')
		}
		b.WriteByte(name[i])
	}
	b.WriteString(`" <`)
	b.WriteString(num)
	b.WriteByte('>')
	return b.String()
}
