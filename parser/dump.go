package parser

// The types below are the stable JSON shapes of `astapi dump conf` and
// `astapi dump dialplan`; other tools read them.

// ConfDump is the JSON form of a Config.
type ConfDump struct {
	Files       []string      `json:"files"`
	Sections    []SectionDump `json:"sections"`
	Diagnostics Diagnostics   `json:"diagnostics"`
}

// SectionDump is the JSON form of a Section.
type SectionDump struct {
	Name     string    `json:"name"`
	Template bool      `json:"template"`
	Inherits []string  `json:"inherits"`
	File     string    `json:"file"`
	Line     int       `json:"line"`
	Vars     []VarDump `json:"vars"`
}

// VarDump is the JSON form of a Var.
type VarDump struct {
	Name      string `json:"name"`
	Value     string `json:"value"`
	File      string `json:"file"`
	Line      int    `json:"line"`
	Inherited bool   `json:"inherited"`
}

// Dump returns the JSON form of c.
func (c *Config) Dump() ConfDump {
	out := ConfDump{Files: nonNil(c.Files), Sections: []SectionDump{}, Diagnostics: nonNil(c.Diags)}
	for _, s := range c.Sections {
		sd := SectionDump{Name: s.Name, Template: s.Template, Inherits: nonNil(s.Inherits),
			File: s.Pos.File, Line: s.Pos.Line, Vars: make([]VarDump, 0, len(s.Vars))}
		for _, v := range s.Vars {
			sd.Vars = append(sd.Vars, VarDump{v.Name, v.Value, v.Pos.File, v.Pos.Line, v.Inherited})
		}
		out.Sections = append(out.Sections, sd)
	}
	return out
}

// DialplanDump is the JSON form of a Dialplan.
type DialplanDump struct {
	Contexts    []ContextDump `json:"contexts"`
	Globals     []GlobalDump  `json:"globals"`
	Diagnostics Diagnostics   `json:"diagnostics"`
}

// ContextDump is the JSON form of a Context.
type ContextDump struct {
	Name       string          `json:"name"`
	File       string          `json:"file"`
	Line       int             `json:"line"`
	Includes   []string        `json:"includes"`
	Switches   []string        `json:"switches"`
	IgnorePats []string        `json:"ignorepats"`
	Extensions []ExtensionDump `json:"extensions"`
}

// ExtensionDump is the JSON form of an Extension.
type ExtensionDump struct {
	Exten      string         `json:"exten"`
	CID        string         `json:"cid"`
	Hint       string         `json:"hint"`
	Priorities []PriorityDump `json:"priorities"`
}

// PriorityDump is the JSON form of a Priority.
type PriorityDump struct {
	Priority int    `json:"priority"`
	Label    string `json:"label"`
	App      string `json:"app"`
	Args     string `json:"args"`
	File     string `json:"file"`
	Line     int    `json:"line"`
}

// GlobalDump is the JSON form of a Global.
type GlobalDump struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Dump returns the JSON form of d; extra diagnostics (those of the parsed
// files) come first.
func (d *Dialplan) Dump(extra Diagnostics) DialplanDump {
	diags := append(append(Diagnostics{}, extra...), d.Diags...)
	diags.Sort()
	out := DialplanDump{Contexts: []ContextDump{}, Globals: []GlobalDump{}, Diagnostics: diags}
	for _, c := range d.Contexts {
		cd := ContextDump{Name: c.Name, File: c.Pos.File, Line: c.Pos.Line, Includes: []string{},
			Switches: nonNil(c.Switches), IgnorePats: nonNil(c.IgnorePats), Extensions: []ExtensionDump{}}
		for _, inc := range c.Includes {
			cd.Includes = append(cd.Includes, inc.String())
		}
		for _, e := range c.Extensions {
			ed := ExtensionDump{Exten: e.Exten, CID: e.CID, Hint: e.Hint, Priorities: []PriorityDump{}}
			for _, p := range e.Priorities {
				ed.Priorities = append(ed.Priorities, PriorityDump{p.Priority, p.Label, p.App, p.Args, p.Pos.File, p.Pos.Line})
			}
			cd.Extensions = append(cd.Extensions, ed)
		}
		out.Contexts = append(out.Contexts, cd)
	}
	for _, g := range d.Globals {
		out.Globals = append(out.Globals, GlobalDump{g.Name, g.Value})
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
