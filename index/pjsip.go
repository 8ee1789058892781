package index

import (
	"strings"

	"github.com/astapi/astapi/parser"
)

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
