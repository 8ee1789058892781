package console

import (
	"github.com/astapi/astapi/api"
	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/parser"
)

// statusView is the status page: the /status report, all of it for an
// admin. A tenant user sees the generation, when it was built and how the
// last reload went (not its error text, which may be about another
// tenant's file), and the diagnostics on lines that belong to its tenants;
// not the list of files.
type statusView struct {
	Admin       bool
	Generation  uint64
	BuiltAt     string
	BuildMS     float64
	Last        any // the report's last reload, nil before the first
	Diagnostics any // the report's diagnostics
	Files       []string
}

func statusOf(r api.StatusReport, snap *index.Snapshot, u *index.User) statusView {
	v := statusView{Admin: u.IsAdmin(), Generation: r.Generation, BuiltAt: r.BuiltAt}
	if u.IsAdmin() {
		v.BuildMS, v.Files, v.Diagnostics = r.BuildDurationMS, r.Files, r.Diagnostics
		if r.LastReload != nil {
			v.Last = r.LastReload
		}
		return v
	}
	if r.LastReload != nil {
		last := *r.LastReload
		last.Error = ""
		v.Last = &last
	}
	own := ownLines(snap, u)
	kept := r.Diagnostics[:0:0]
	for _, d := range r.Diagnostics {
		if own[parser.Pos{File: d.File, Line: d.Line}] {
			kept = append(kept, d)
		}
	}
	v.Diagnostics = kept
	return v
}

// ownLines is the set of lines that belong to u's tenants: their peers'
// and trunks' sections (with the template lines they inherit), their
// dialplan contexts, and their call-flow objects and edges.
func ownLines(snap *index.Snapshot, u *index.User) map[parser.Pos]bool {
	own := map[parser.Pos]bool{}
	peer := func(p *index.Peer) {
		own[p.Pos] = true
		own[p.SecretPos] = true
		for _, v := range p.Vars {
			own[v.Pos] = true
		}
	}
	for _, t := range snap.TenantsOf(u) {
		for _, e := range snap.ExtensionsByTenant(t.ID) {
			for _, p := range e.Peers {
				peer(p)
			}
		}
		for _, p := range snap.TrunksByTenant(t.ID) {
			peer(p)
		}
		if snap.Dialplan != nil {
			for _, name := range t.Contexts {
				c := snap.Dialplan.Context(name)
				if c == nil {
					continue
				}
				own[c.Pos] = true
				for _, x := range c.Extensions {
					own[x.HintPos] = true
					for _, p := range x.Priorities {
						own[p.Pos] = true
					}
				}
			}
		}
		for _, o := range snap.ObjectsByTenant(t.ID, "") {
			own[o.Pos] = true
		}
		for _, e := range snap.EdgesByTenant(t.ID) {
			own[e.Pos] = true
		}
	}
	delete(own, parser.Pos{})
	return own
}
