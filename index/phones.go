package index

import (
	"strings"

	"github.com/astapi/astapi/parser"
)

// Phone is a desk phone res_phoneprov provisions: a users.conf user with a
// macaddress= (and autoprov not turned off).
type Phone struct {
	ID       string
	TenantID string
	User     string // the users.conf section (the extension number)
	Name     string // fullname, else the section name
	MAC      string // lower-case hex digits, separators removed
	// Profile is the res_phoneprov profile: users.conf profile=, else
	// phoneprov.conf [general] default_profile.
	Profile string
	// Filename is the per-phone file res_phoneprov serves: the profile's
	// first dynamic_file whose name holds ${MAC}, with the MAC put in; ""
	// when phoneprov.conf does not say.
	Filename string
	Pos      parser.Pos
}

// phones reads the provisioned phones of users.conf (nil when absent),
// with the profiles of phoneprov.conf (nil when absent).
func (b *builder) phones(users, prov *parser.Config, exts []*Extension) []*Phone {
	if users == nil {
		return nil
	}
	defProfile := ""
	if prov != nil {
		if g := prov.Section("general"); g != nil {
			defProfile = lastValue(g.Vars, "default_profile")
		}
	}
	tenantOfUser := map[string]string{}
	for _, e := range exts {
		for _, p := range e.Peers {
			if p.Source == "users.conf" {
				tenantOfUser[p.Name] = e.TenantID
			}
		}
	}
	general := users.Section("general")
	var out []*Phone
	var keys []string
	for _, s := range users.Sections {
		if s.Template || strings.EqualFold(s.Name, "general") || strings.EqualFold(s.Name, "authentication") {
			continue
		}
		vars := withGeneral(general, s)
		// macaddress is per phone: only the user's own line counts.
		mv := s.Lookup("macaddress")
		if mv == nil || strings.TrimSpace(mv.Value) == "" {
			continue
		}
		if v := lastVar(vars, "autoprov"); v != nil && parser.IsFalse(v.Value) {
			continue
		}
		ph := &Phone{User: s.Name, Name: lastValue(vars, "fullname"), MAC: normalizeMAC(mv.Value), Pos: mv.Pos}
		if ph.Name == "" {
			ph.Name = s.Name
		}
		ph.Profile = lastValue(s.Vars, "profile")
		if ph.Profile == "" {
			ph.Profile = defProfile
		}
		ph.Filename = dynamicFile(prov, ph.Profile, ph.MAC)
		ph.TenantID = tenantOfUser[s.Name]
		if ph.TenantID == "" {
			ph.TenantID = b.tenantOfContext(lastValue(vars, "context"))
		}
		if ph.TenantID == "" {
			b.warn(s.Pos, "phone %s (users.conf) belongs to no tenant: not listed", s.Name)
		}
		out = append(out, ph)
		keys = append(keys, ph.MAC+"\x00"+ph.User)
	}
	ids := newIDAllocator("phone").assignList(keys)
	for i, ph := range out {
		ph.ID = ids[i]
	}
	return out
}

// tenantOfContext is the first tenant whose contexts globs match ctx, else
// the only tenant when there is one, else "".
func (b *builder) tenantOfContext(ctx string) string {
	if ctx != "" {
		if d := b.ctxGlobs.first(ctx); d >= 0 {
			return b.byKey[b.decls[d].key].ID
		}
	}
	if len(b.tenants) == 1 {
		return b.tenants[0].ID
	}
	return ""
}

// normalizeMAC keeps the hex digits of a MAC address, lower-cased, as
// res_phoneprov's ${MAC}.
func normalizeMAC(s string) string {
	var sb strings.Builder
	for _, c := range strings.ToLower(strings.TrimSpace(s)) {
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'f' {
			sb.WriteRune(c)
		}
	}
	return sb.String()
}

// dynamicFile is the first `dynamic_file => name,template` of a
// phoneprov.conf profile whose name holds ${MAC}, with the MAC put in.
func dynamicFile(prov *parser.Config, profile, mac string) string {
	if prov == nil || profile == "" {
		return ""
	}
	s := prov.Section(profile)
	if s == nil {
		return ""
	}
	for _, v := range s.Vars {
		if !strings.EqualFold(v.Name, "dynamic_file") {
			continue
		}
		name, _, _ := strings.Cut(v.Value, ",")
		if strings.Contains(name, "${MAC}") {
			return strings.ReplaceAll(strings.TrimSpace(name), "${MAC}", mac)
		}
	}
	return ""
}
