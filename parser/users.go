package parser

import (
	"strconv"
	"strings"
)

// The extensions users.conf adds to the dialplan (pbx_load_users).

// AddUsers adds what pbx_config's pbx_load_users makes of users.conf: for
// each user with SIP, IAX2 or DAHDI, a hint and priority 1 in the users
// context (unless hasexten is false), and a Goto for each alternateexts
// entry. Positions point at the users.conf section.
func (d *Dialplan) AddUsers(users *Config) {
	general := users.Section("general")
	option := func(s *Section, name string) (string, bool) {
		if v, ok := s.First(name); ok {
			return v, true
		}
		if general != nil {
			return general.First(name)
		}
		return "", false
	}
	for _, s := range users.Sections {
		if s.Template || strings.EqualFold(s.Name, "general") {
			continue
		}
		var iface []string
		for _, t := range []struct{ key, tech string }{{"hassip", "SIP"}, {"hasiax", "IAX2"}, {"hash323", "H323"}} {
			if v, _ := option(s, t.key); IsTrue(v) {
				iface = append(iface, t.tech+"/"+s.Name)
			}
		}
		if v, ok := option(s, "hasexten"); ok && !IsTrue(v) {
			continue
		}
		dahdi, ok := s.First("dahdichan")
		if !ok && general != nil {
			dahdi, _ = general.First("dahdichan")
		}
		for _, ch := range dahdiChannels(dahdi) {
			iface = append(iface, "DAHDI/"+strconv.Itoa(ch))
		}
		if len(iface) == 0 {
			continue
		}
		con := d.context(d.UsersContext, s.Pos)
		e := con.extension(removeBlanks(s.Name), "")
		if e.HintPos.Line == 0 && e.Hint == "" {
			e.Hint, e.HintPos = strings.Join(iface, "&"), s.Pos
		}
		p := Priority{Priority: 1, App: "Dial", Args: "${HINT}", Pos: s.Pos}
		if v, _ := option(s, "hasvoicemail"); IsTrue(v) {
			p.App, p.Args = "Gosub", s.Name+",stdexten(${HINT})"
		}
		if e.Priority(1) == nil {
			e.insert(p)
		}
		alt, _ := s.First("alternateexts")
		for _, a := range strings.Split(alt, ",") {
			if a = removeBlanks(a); a != "" {
				ae := con.extension(a, "")
				if ae.Priority(1) == nil {
					ae.insert(Priority{Priority: 1, App: "Goto", Args: s.Name + ",1", Pos: s.Pos})
				}
			}
		}
	}
}

// removeBlanks drops every blank byte, as ext_strncpy does for spaces in
// the names pbx_load_users turns into extensions.
func removeBlanks(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 33 {
			return -1
		}
		return r
	}, s)
}

// dahdiChannels reads users.conf dahdichan: numbers and N-M ranges (a
// reversed range is swapped), as pbx_load_users does with sscanf.
func dahdiChannels(list string) []int {
	var out []int
	for _, part := range strings.Split(list, ",") {
		part = trimBlanks(part)
		lo, ok := scanInt(part)
		if !ok {
			continue
		}
		hi := lo
		if i := strings.IndexByte(part[1:], '-'); i >= 0 {
			if n, ok := scanInt(part[i+2:]); ok {
				hi = n
			}
		}
		if hi < lo {
			lo, hi = hi, lo
		}
		for ch := lo; ch <= hi && ch-lo < 1024; ch++ {
			out = append(out, ch)
		}
	}
	return out
}
