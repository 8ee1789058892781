package parser

import (
	"maps"
	"slices"
	"strings"
)

// Splice is the dialplan of cfg, a config Refresh spliced from the one d was
// built from (by reps), made by loading only the new sections into
// contexts of their own; nil when that could differ from BuildDialplan
// (and AddUsers, when d had users' extensions): when a replaced section
// is [general] or [globals], or names a context that another file's
// sections or users.conf add to. d is not changed.
func (d *Dialplan) Splice(cfg *Config, reps []Replaced) *Dialplan {
	if len(reps) == 0 {
		return nil
	}
	ours := map[string]bool{} // the replaced files' context names, before and now
	replaced := map[*Section]bool{}
	for _, r := range reps {
		for _, list := range [][]*Section{r.Old, r.New} {
			for _, s := range list {
				if strings.EqualFold(s.Name, "general") || strings.EqualFold(s.Name, "globals") || s.Name == d.UsersContext {
					return nil
				}
				if !s.Template {
					ours[s.Name] = true
				}
			}
		}
		for _, s := range r.New {
			replaced[s] = true
		}
	}
	for _, s := range cfg.Sections {
		if !s.Template && !replaced[s] && ours[s.Name] {
			return nil // merges with a context of another file
		}
	}
	out := &Dialplan{Contexts: d.Contexts, Globals: d.Globals, UsersContext: d.UsersContext, Diags: d.Diags,
		byName: maps.Clone(d.byName), globals: d.globals}
	for _, r := range reps {
		if !out.replace(r) {
			return nil
		}
	}
	return out
}

// replace puts the contexts of r.New where those of r.Old are.
func (d *Dialplan) replace(r Replaced) bool {
	var old []string
	for _, s := range r.Old {
		if !s.Template && !slices.Contains(old, s.Name) {
			old = append(old, s.Name)
		}
	}
	if len(old) == 0 {
		return false // nowhere to put them
	}
	k := slices.Index(d.Contexts, d.byName[old[0]])
	if k < 0 || k+len(old) > len(d.Contexts) {
		return false
	}
	for i, name := range old {
		if d.Contexts[k+i].Name != name {
			return false
		}
		delete(d.byName, name)
	}
	// The new sections are loaded as BuildDialplan loads them, into a
	// dialplan of their own that shares d's globals.
	nd := &Dialplan{UsersContext: d.UsersContext, Globals: d.Globals, globals: d.globals, byName: map[string]*Context{}}
	l := &sectionLoader{d: nd}
	for i, s := range r.New {
		if s.Template {
			continue
		}
		l.sec = i
		l.loadSection(s, nd.context(s.Name, s.Pos))
	}
	nd.finish()
	d.Contexts = slices.Concat(d.Contexts[:k], nd.Contexts, d.Contexts[k+len(old):])
	for _, c := range nd.Contexts {
		d.byName[c.Name] = c
	}
	d.Diags = slices.DeleteFunc(slices.Clone(d.Diags), func(x Diagnostic) bool { return x.Pos.File == r.File })
	for _, sd := range l.diags {
		d.Diags = append(d.Diags, sd.diag)
	}
	return true
}
