package index

import (
	"cmp"
	"slices"
	"sort"
	"sync"

	"github.com/astapi/astapi/parser"
)

// SectionOwner is a section of a configuration file and the tenants its
// lines belong to (none: the PBX's own, or unknown).
type SectionOwner struct {
	Line    int // the [section] header
	Tenants []string
}

// sectionOwners maps every section of the parsed files to its tenants:
// a dialplan context to the tenants whose contexts it is, a peer's
// section to the peer's tenant. Everything else (general sections,
// templates, PJSIP auths and AORs, a context several tenants share) has
// none or several, and only what belongs wholly to a user's tenants is
// shown to them (see DiagTenants).
func sectionOwners(snap *Snapshot, sip, pjsip, users, ext *parser.Config) map[string][]SectionOwner {
	n := 0
	for _, t := range snap.Tenants {
		n += len(t.Contexts)
	}
	byContext := make(map[string][]string, n)
	for _, t := range snap.Tenants {
		for _, c := range t.Contexts {
			byContext[c] = append(byContext[c], t.ID)
		}
	}
	// The lines of the peers' sections, by file, in line order (a map
	// keyed by position hashes a file name per peer).
	byFile := map[string][]peerAt{}
	var lastFile string
	var last []peerAt
	addPeer := func(p *Peer) {
		if p.TenantID == "" {
			return
		}
		if p.Pos.File != lastFile || last == nil {
			if last != nil {
				byFile[lastFile] = last
			}
			lastFile, last = p.Pos.File, byFile[p.Pos.File]
		}
		last = append(last, peerAt{p.Pos.Line, p.TenantID})
	}
	for _, e := range snap.Extensions {
		for _, p := range e.Peers {
			addPeer(p)
		}
	}
	for _, p := range snap.Trunks {
		addPeer(p)
	}
	if last != nil {
		byFile[lastFile] = last
	}
	for _, list := range byFile {
		if !slices.IsSortedFunc(list, peerAt.compare) {
			slices.SortFunc(list, peerAt.compare)
		}
	}
	out := map[string][]SectionOwner{}
	add := func(cfg *parser.Config, owners func(*parser.Section) []string) {
		if cfg == nil {
			return
		}
		for _, s := range cfg.Sections {
			var ts []string
			if !s.Template {
				ts = owners(s)
			}
			marks := out[s.Pos.File]
			// A run of sections of the same tenants is one mark: a file
			// of a million sections of no tenant costs one.
			if n := len(marks); n > 0 && marks[n-1].Line < s.Pos.Line && slices.Equal(marks[n-1].Tenants, ts) {
				continue
			}
			out[s.Pos.File] = append(marks, SectionOwner{Line: s.Pos.Line, Tenants: ts})
		}
	}
	one := map[string][]string{}        // a list per tenant, shared by its sections
	walkFile, walk := "", []peerAt(nil) // the last file's, looked up once per run of its sections
	peerOwner := func(s *parser.Section) []string {
		if s.Pos.File != walkFile {
			walkFile, walk = s.Pos.File, byFile[s.Pos.File]
		}
		// A section builds one peer at most.
		i, found := slices.BinarySearchFunc(walk, peerAt{line: s.Pos.Line}, peerAt.compare)
		if !found {
			return nil
		}
		t := walk[i].tenant
		if one[t] == nil {
			one[t] = []string{t}
		}
		return one[t]
	}
	add(sip, peerOwner)
	add(pjsip, peerOwner)
	add(users, peerOwner)
	add(ext, func(s *parser.Section) []string { return byContext[s.Name] })
	byLine := func(a, b SectionOwner) int { return cmp.Compare(a.Line, b.Line) }
	for _, marks := range out {
		if !slices.IsSortedFunc(marks, byLine) {
			slices.SortStableFunc(marks, byLine)
		}
	}
	return out
}

// lazyOwners works a load's section owners out once, when first asked:
// only a tenant user's view of the diagnostics reads them, and at 10k
// tenants they took a tenth of a second of every reload.
type lazyOwners struct {
	once  sync.Once
	build func() map[string][]SectionOwner // dropped once run
	m     map[string][]SectionOwner
}

// Owners returns SectionOwners, working them out at the first call for
// a load's snapshot.
func (s *Snapshot) Owners() map[string][]SectionOwner {
	if o := s.owners; o != nil {
		o.once.Do(func() { o.m, o.build = o.build(), nil })
		return o.m
	}
	return s.SectionOwners
}

// peerAt is the line of a peer's section, and the peer's tenant.
type peerAt struct {
	line   int
	tenant string
}

func (a peerAt) compare(b peerAt) int { return cmp.Compare(a.line, b.line) }

// DiagTenants returns the tenants a position belongs to: those of the
// section it lies in (nil when it lies in none, or in one of no tenant).
// A line of an included file before its first section header continues
// the including file's section, which this does not follow: it belongs
// to none.
func (s *Snapshot) DiagTenants(pos parser.Pos) []string {
	marks := s.Owners()[pos.File]
	i := sort.Search(len(marks), func(i int) bool { return marks[i].Line > pos.Line })
	if i == 0 || pos.Line == 0 {
		return nil
	}
	return marks[i-1].Tenants
}

// OnlyTenantsOf reports whether pos belongs to at least one tenant and to
// no tenant u may not see.
func (s *Snapshot) OnlyTenantsOf(u *User, pos parser.Pos) bool {
	ts := s.DiagTenants(pos)
	if len(ts) == 0 {
		return false
	}
	for _, t := range ts {
		if !u.CanSeeTenant(t) {
			return false
		}
	}
	return true
}
