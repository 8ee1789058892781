package index

import (
	"fmt"
	"strings"

	"github.com/astapi/astapi/parser"
)

// peerSet collects peers by case-insensitive name, in file order.
type peerSet struct {
	list   []*Peer
	byName map[string]*Peer
	users  map[*Peer]*parser.Section // peers made from users.conf, with their section
}

func newPeerSet() *peerSet {
	return &peerSet{byName: map[string]*Peer{}, users: map[*Peer]*parser.Section{}}
}

func (ps *peerSet) get(name string) *Peer { return ps.byName[lower(name)] }

func (ps *peerSet) add(p *Peer) {
	ps.list = append(ps.list, p)
	ps.byName[lower(p.Name)] = p
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

// setvars returns the NAME=value pairs of setvar= (sip.conf) and set_var=
// (pjsip.conf) lines; later lines win.
func setvars(vars []parser.Var) map[string]string {
	out := map[string]string{}
	for _, v := range vars {
		if strings.EqualFold(v.Name, "setvar") || strings.EqualFold(v.Name, "set_var") {
			if k, val, ok := strings.Cut(v.Value, "="); ok {
				out[strings.ToUpper(strings.TrimSpace(k))] = strings.TrimSpace(val)
			}
		}
	}
	return out
}

// fillSIP derives host, secret and context of a chan_sip style peer from
// its resolved variables.
func fillSIP(p *Peer) {
	p.Host = lastValue(p.Vars, "host")
	p.Context = lastValue(p.Vars, "context")
	p.Secret, p.SecretKind, p.SecretPos = "", "", p.Pos
	if v := lastVar(p.Vars, "secret"); v != nil && v.Value != "" {
		p.Secret, p.SecretKind, p.SecretPos = v.Value, SecretPlain, v.Pos
	} else if v := lastVar(p.Vars, "md5secret"); v != nil && v.Value != "" {
		p.Secret, p.SecretKind, p.SecretPos = v.Value, SecretMD5, v.Pos
	}
}

// addUsersConf adds a SIP friend for every users.conf user with hassip,
// built from [general] followed by the user's own lines, as chan_sip does.
func (b *builder) addUsersConf(ps *peerSet, cfg *parser.Config) {
	general := cfg.Section("general")
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
		fillSIP(p)
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
	for _, s := range cfg.Sections {
		if s.Template || strings.EqualFold(s.Name, "general") || strings.EqualFold(s.Name, "authentication") {
			continue
		}
		types := s.All("type")
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
		if old := ps.get(s.Name); old != nil {
			old.Vars = append(old.Vars, s.Vars...)
			if old.Source != "users.conf" {
				old.Type = typ
			}
			fillSIP(old)
			if old.Host == "" && old.Source == "users.conf" {
				old.Host = "dynamic"
			}
			continue
		}
		p := &Peer{Name: s.Name, Tech: "SIP", Source: "sip.conf", Type: typ, Pos: s.Pos, Vars: append([]parser.Var(nil), s.Vars...)}
		fillSIP(p)
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
			if v := lastVar(auth.Vars, "password"); v != nil && v.Value != "" {
				p.Secret, p.SecretKind, p.SecretPos = v.Value, SecretPassword, v.Pos
			} else if v := lastVar(auth.Vars, "md5_cred"); v != nil && v.Value != "" {
				p.Secret, p.SecretKind, p.SecretPos = v.Value, SecretMD5Cred, v.Pos
			}
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

// addWizard turns a pjsip_wizard style section into an endpoint peer.
func (b *builder) addWizard(ps *peerSet, s *parser.Section) {
	p := &Peer{Name: s.Name, Tech: "PJSIP", Source: "pjsip.conf", Type: "endpoint", Pos: s.Pos, SecretPos: s.Pos,
		Vars: append([]parser.Var(nil), s.Vars...)}
	p.Context = lastValue(s.Vars, "endpoint/context")
	if v := lastVar(s.Vars, "inbound_auth/password"); v != nil && v.Value != "" {
		p.Secret, p.SecretKind, p.SecretPos = v.Value, SecretPassword, v.Pos
	} else if v := lastVar(s.Vars, "inbound_auth/md5_cred"); v != nil && v.Value != "" {
		p.Secret, p.SecretKind, p.SecretPos = v.Value, SecretMD5Cred, v.Pos
	}
	p.Host = "dynamic"
	if h := splitList(lastValue(s.Vars, "remote_hosts")); len(h) > 0 && !parser.IsTrue(lastValue(s.Vars, "accepts_registrations")) {
		p.Host = h[0]
	} else if c := lastValue(s.Vars, "aor/contact"); c != "" {
		p.Host = contactHost(c)
	}
	ps.add(p)
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
	b.diags = append(b.diags, parser.Diagnostic{Pos: pos, Severity: parser.Warning, Message: fmt.Sprintf(format, args...)})
}
