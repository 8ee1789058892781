package parser

import (
	"fmt"
	"github.com/astapi/astapi/internal/slab"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
)

// PriorityHint is the priority number Asterisk gives a hint.
const PriorityHint = -1

// Priority is one step of an extension.
type Priority struct {
	Priority int
	Label    string
	App      string
	Args     string // the raw argument string; see SplitArgs
	Pos      Pos
}

// Extension is an extension (pattern or number) of a context, with an
// optional caller-ID match.
type Extension struct {
	Exten      string // spaces removed, as Asterisk stores it
	CID        string // caller-ID match, "" for none
	Hint       string
	HintPos    Pos
	Priorities []Priority // ascending by number

	unsorted bool        // priorities appended out of order while building
	byPrio   map[int]int // priority -> index, kept while unsorted
	key      extKeyT     // what Context.Extension compares
}

// Priority returns priority n, or nil.
func (e *Extension) Priority(n int) *Priority {
	if e.byPrio != nil {
		if i, ok := e.byPrio[n]; ok {
			return &e.Priorities[i]
		}
		return nil
	}
	i := sort.Search(len(e.Priorities), func(i int) bool { return e.Priorities[i].Priority >= n })
	if i < len(e.Priorities) && e.Priorities[i].Priority == n {
		return &e.Priorities[i]
	}
	return nil
}

// Label returns the lowest priority carrying label, or nil.
func (e *Extension) Label(label string) *Priority {
	var best *Priority
	for i := range e.Priorities {
		if p := &e.Priorities[i]; p.Label == label && (best == nil || p.Priority < best.Priority) {
			best = p
			if !e.unsorted {
				break
			}
		}
	}
	return best
}

// IsPattern reports whether the extension is a pattern (starts with '_').
func (e *Extension) IsPattern() bool { return strings.HasPrefix(e.Exten, "_") }

// ContextInclude is one `include => context[,timing]` line.
type ContextInclude struct {
	Context string
	Timing  string // "" or the time restriction after the first comma
	Pos     Pos
}

// String gives the include as written: "context" or "context,timing".
func (i ContextInclude) String() string {
	if i.Timing == "" {
		return i.Context
	}
	return i.Context + "," + i.Timing
}

// Context is a dialplan context. Sections with the same name merge into one.
type Context struct {
	Name       string // case-sensitive, as in Asterisk
	Pos        Pos    // the first section that opened it
	Includes   []ContextInclude
	Switches   []string // "Type/data"
	IgnorePats []string
	Extensions []*Extension // in order of first definition

	// byKey indexes Extensions once there are more than smallContext of
	// them; a smaller context is searched in turn.
	byKey map[extKeyT]*Extension
}

const smallContext = 8

// Extension returns the extension exten with caller-ID match cid, or nil.
// Dashes outside brackets do not count, as in Asterisk's comparison.
func (c *Context) Extension(exten, cid string) *Extension {
	return c.find(extKey(exten, cid))
}

func (c *Context) find(key extKeyT) *Extension {
	if c.byKey != nil {
		return c.byKey[key]
	}
	for _, e := range c.Extensions {
		if e.key == key {
			return e
		}
	}
	return nil
}

// Global is a [globals] variable after ${} expansion.
type Global struct {
	Name  string
	Value string
	Pos   Pos
}

// Dialplan is extensions.conf as pbx_config loads it.
type Dialplan struct {
	Contexts     []*Context
	Globals      []Global
	UsersContext string // [general] userscontext, default "default"
	Diags        Diagnostics

	byName  map[string]*Context
	globals map[string]int // name -> index in Globals

	// What a View calls when it finds no context by a name.
	missed func(name string)
}

// Context returns the context called name (case-sensitive), or nil.
func (d *Dialplan) Context(name string) *Context {
	c := d.byName[name]
	if c == nil && d.missed != nil {
		d.missed(name)
	}
	return c
}

// View is a dialplan of some of d's contexts (in the order given), with
// d's globals: looking up a context it does not hold finds nothing and
// calls missed(name). Package flow reads the independent parts of a big
// dialplan each in a view of its own: missed tells it when a part was
// not independent after all (d has the context), and which names a part
// depends on being absent.
func (d *Dialplan) View(contexts []*Context, missed func(name string)) *Dialplan {
	v := &Dialplan{Contexts: contexts, Globals: d.Globals, UsersContext: d.UsersContext, globals: d.globals,
		byName: make(map[string]*Context, len(contexts)), missed: missed}
	for _, c := range contexts {
		v.byName[c.Name] = c
	}
	return v
}

// BuildDialplan interprets a parsed extensions.conf.
func BuildDialplan(cfg *Config) *Dialplan {
	d := &Dialplan{UsersContext: "default", byName: map[string]*Context{}, globals: map[string]int{}}
	if g := cfg.Section("general"); g != nil {
		if v, ok := g.First("userscontext"); ok && v != "" {
			d.UsersContext = v
		}
	}
	for _, s := range cfg.Sections {
		if !s.Template && strings.EqualFold(s.Name, "globals") {
			for _, v := range s.Vars {
				d.setGlobal(v.Name, d.expand(v.Value), v.Pos)
			}
		}
	}
	// The contexts are made first, in order; then the sections are loaded
	// by workers that each own some of the contexts (a section only
	// changes its own context), and the warnings are put back in section
	// order.
	var secs []*Section
	var cons []*Context
	var ctxSlab slab.Slab[Context]
	for _, s := range cfg.Sections {
		if s.Template || strings.EqualFold(s.Name, "general") || strings.EqualFold(s.Name, "globals") {
			continue
		}
		secs = append(secs, s)
		cons = append(cons, d.contextIn(s.Name, s.Pos, &ctxSlab))
	}
	workers := 1
	if len(secs) >= 256 {
		workers = min(runtime.GOMAXPROCS(0), 4)
	}
	loaders := make([]sectionLoader, workers)
	var wg sync.WaitGroup
	for w := range loaders {
		l := &loaders[w]
		l.d = d
		wg.Go(func() {
			for i, s := range secs {
				if workers > 1 && int(nameHash(cons[i].Name)%uint32(workers)) != w {
					continue
				}
				l.sec = i
				l.loadSection(s, cons[i])
			}
		})
	}
	wg.Wait()
	var diags []sectionDiag
	for _, l := range loaders {
		diags = append(diags, l.diags...)
	}
	slices.SortStableFunc(diags, func(a, b sectionDiag) int { return a.sec - b.sec })
	for _, sd := range diags {
		d.Diags = append(d.Diags, sd.diag)
	}
	d.finish()
	return d
}

// sectionLoader loads sections into their contexts, keeping its warnings
// apart with the index of the section they come from.
type sectionLoader struct {
	d     *Dialplan
	sec   int
	diags []sectionDiag
	// the extension of the last line, which the next one usually has too
	lastCon          *Context
	lastExt, lastCID string
	last             *Extension
	exts             slab.Slab[Extension]
}

// extension is con.extension(exten, cid), remembering the last one.
func (l *sectionLoader) extension(con *Context, exten, cid string) *Extension {
	if l.last != nil && l.lastCon == con && l.lastExt == exten && l.lastCID == cid {
		return l.last
	}
	e := con.extensionIn(exten, cid, &l.exts)
	l.lastCon, l.lastExt, l.lastCID, l.last = con, exten, cid, e
	return e
}

type sectionDiag struct {
	sec  int
	diag Diagnostic
}

func (l *sectionLoader) warn(pos Pos, format string, args ...any) {
	l.diags = append(l.diags, sectionDiag{l.sec, Diagnostic{Pos: pos, Severity: Warning, Message: fmt.Sprintf(format, args...)}})
}

// nameHash is FNV-1a 32 of s.
func nameHash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

func (d *Dialplan) finish() {
	for _, c := range d.Contexts {
		for _, e := range c.Extensions {
			e.finish()
			if cap(e.Priorities) > len(e.Priorities) {
				// The dialplan is kept for the life of a snapshot: no spare room.
				e.Priorities = slices.Clone(e.Priorities)
			}
		}
	}
}

func (d *Dialplan) setGlobal(name, value string, pos Pos) {
	if i, ok := d.globals[name]; ok {
		d.Globals[i].Value, d.Globals[i].Pos = value, pos
		return
	}
	d.globals[name] = len(d.Globals)
	d.Globals = append(d.Globals, Global{Name: name, Value: value, Pos: pos})
}

func (d *Dialplan) context(name string, pos Pos) *Context {
	return d.contextIn(name, pos, nil)
}

// contextIn is context taking a new context from s (nil: allocated alone).
func (d *Dialplan) contextIn(name string, pos Pos, s *slab.Slab[Context]) *Context {
	if c := d.byName[name]; c != nil {
		return c
	}
	var c *Context
	if s != nil {
		c = s.New()
	} else {
		c = new(Context)
	}
	*c = Context{Name: name, Pos: pos}
	d.byName[name] = c
	d.Contexts = append(d.Contexts, c)
	return c
}

// loadSection follows pbx_config.c: pbx_load_config for one section.
func (l *sectionLoader) loadSection(s *Section, con *Context) {
	d := l.d
	lastExt := ""
	lastRaw := "" // the extension of the last exten => line, as written
	lastPri := -2
	for vi, v := range s.Vars {
		// sizeHint guesses how many priorities the extension of this line
		// will get: this line and the same => lines (or exten => lines of
		// the same extension) right after it.
		sizeHint := func() int {
			n := 1
			for _, w := range s.Vars[vi+1:] {
				if len(w.Name) >= 4 && strings.EqualFold(w.Name[:4], "same") ||
					strings.EqualFold(w.Name, "exten") && lastRaw != "" && strings.HasPrefix(w.Value, lastRaw) {
					n++
					continue
				}
				break
			}
			return n
		}
		name := strings.ToLower(v.Name)
		var realExt, rest string
		switch {
		case strings.HasPrefix(name, "same"):
			if lastExt == "" {
				l.warn(v.Pos, "%s => without an earlier exten => in context %q: ignored", v.Name, s.Name)
				continue
			}
			realExt, rest = lastExt, v.Value
		case name == "exten":
			ext, r := cutExten(v.Value)
			realExt, rest = d.expand(ext), r
			lastExt = realExt
			lastRaw = v.Value[:len(ext)+min(1, len(v.Value)-len(ext))]
		case name == "include":
			val := d.expand(v.Value)
			ctx, timing, _ := strings.Cut(val, ",")
			inc := ContextInclude{Context: trimBlanks(ctx), Timing: timing, Pos: v.Pos}
			if dup := findFold(con.Includes, inc.String(), ContextInclude.String); dup >= 0 {
				l.warn(v.Pos, "context %q already includes %q (at %s): ignored", con.Name, inc.String(), con.Includes[dup].Pos)
				continue
			}
			con.Includes = append(con.Includes, inc)
			continue
		case name == "ignorepat":
			val := d.expand(v.Value)
			if findFold(con.IgnorePats, val, identity) >= 0 {
				l.warn(v.Pos, "context %q already has ignorepat %q: ignored", con.Name, val)
				continue
			}
			con.IgnorePats = append(con.IgnorePats, val)
			continue
		case name == "switch" || name == "lswitch" || name == "eswitch":
			val := v.Value
			if name == "switch" {
				val = d.expand(val)
			}
			if findFold(con.Switches, val, identity) >= 0 {
				l.warn(v.Pos, "context %q already has this switch: ignored", con.Name)
				continue
			}
			con.Switches = append(con.Switches, val)
			continue
		case strings.HasPrefix(name, "autohints"):
			continue
		default:
			l.warn(v.Pos, "unknown dialplan keyword %q: ignored", v.Name)
			continue
		}
		if p, ok := l.addLine(con, v.Pos, realExt, rest, lastPri, sizeHint); ok {
			lastPri = p
		}
	}
}

// addLine adds one exten/same line: ext (already expanded, with an
// optional /cid) and the rest "prio[(label)][+N],App(args)". It returns the
// priority given (for n/s on the next line) and whether one was.
func (l *sectionLoader) addLine(con *Context, pos Pos, ext, rest string, lastPri int, sizeHint func() int) (int, bool) {
	cid := ""
	hasCID := false
	if i := strings.IndexByte(ext, '/'); i >= 0 {
		ext, cid, hasCID = ext[:i], ShrinkPhoneNumber(ext[i+1:]), true
	}
	priStr, appl, _ := strings.Cut(rest, ",")
	priStr = trimBlanks(priStr)
	label := ""
	if i := strings.IndexByte(priStr, '('); i >= 0 {
		lab := priStr[i+1:]
		j := strings.IndexByte(lab, ')')
		if j < 0 {
			l.warn(pos, "label without closing ')': line ignored")
			return 0, false
		}
		priStr, label = priStr[:i], lab[:j]
	}
	plus := ""
	if i := strings.IndexByte(priStr, '+'); i >= 0 {
		priStr, plus = priStr[:i], priStr[i+1:]
	}
	ext = removeSpaces(ext)
	var prio int
	switch priStr {
	case "hint":
		prio = PriorityHint
	case "n", "next":
		if lastPri <= -2 {
			l.warn(pos, "priority %q on the first line of a context: line ignored", priStr)
			return 0, false
		}
		prio = lastPri + 1
	case "s", "same":
		if lastPri <= -2 {
			l.warn(pos, "priority %q on the first line of a context: line ignored", priStr)
			return 0, false
		}
		prio = lastPri
	default:
		n, ok := scanInt(priStr)
		if !ok {
			var p *Priority
			if e := con.Extension(ext, cidKey(cid, hasCID)); e != nil {
				p = e.Label(priStr)
			}
			if p == nil || p.Priority < 1 {
				l.warn(pos, "invalid priority or unknown label: line ignored")
				return 0, false
			}
			n = p.Priority
		} else if n < 1 {
			l.warn(pos, "invalid priority: line ignored")
			return 0, false
		}
		prio = n
	}
	app, args := splitApp(appl, func() { l.warn(pos, "no closing parenthesis after the application's arguments") })
	if prio == 0 {
		// After a hint, "n" gives 0: Asterisk drops the line without a word.
		return 0, false
	}
	if plus != "" {
		n, _ := scanInt(plus)
		prio += n
	}
	if ext == "_." || ext == "_!" {
		l.warn(pos, "extension %q matches everything, including h and i; _X%c is safer", ext, ext[1])
	}
	e := l.extension(con, ext, cidKey(cid, hasCID))
	if prio == PriorityHint {
		if e.Hint != "" || e.HintPos.Line != 0 {
			l.warn(pos, "extension %s already has a hint (at %s): ignored", ext, e.HintPos)
		} else {
			e.Hint, e.HintPos = app, pos
		}
		return prio, true
	}
	if old := e.Priority(prio); old != nil {
		l.warn(pos, "extension %s priority %d is already defined at %s: ignored", ext, prio, old.Pos)
		return prio, true
	}
	if e.Priorities == nil {
		e.Priorities = make([]Priority, 0, sizeHint())
	}
	e.insert(Priority{Priority: prio, Label: label, App: app, Args: args, Pos: pos})
	return prio, true
}

func identity(s string) string { return s }

// findFold returns the index of the first element whose key equals key
// ignoring case (Asterisk compares includes, switches and ignore patterns
// with strcasecmp), or -1.
func findFold[T any](list []T, key string, keyOf func(T) string) int {
	for i, x := range list {
		if strings.EqualFold(keyOf(x), key) {
			return i
		}
	}
	return -1
}

// cidKey keeps "an empty caller-ID match" distinct from "no match": an
// empty match only matches calls without caller ID.
func cidKey(cid string, has bool) string {
	if has && cid == "" {
		return "/"
	}
	return cid
}

func (c *Context) extension(exten, cid string) *Extension {
	return c.extensionIn(exten, cid, nil)
}

// extensionIn is extension taking a new extension from s (nil: allocated
// alone).
func (c *Context) extensionIn(exten, cid string, s *slab.Slab[Extension]) *Extension {
	key := extKey(exten, cid)
	if e := c.find(key); e != nil {
		return e
	}
	display := cid
	if cid == "/" {
		display = ""
	}
	var e *Extension
	if s != nil {
		e = s.New()
	} else {
		e = new(Extension)
	}
	*e = Extension{Exten: exten, CID: display, key: key}
	c.Extensions = append(c.Extensions, e)
	switch {
	case c.byKey != nil:
		c.byKey[key] = e
	case len(c.Extensions) > smallContext:
		c.byKey = make(map[extKeyT]*Extension, 2*len(c.Extensions))
		for _, x := range c.Extensions {
			c.byKey[x.key] = x
		}
	}
	return e
}

// insert adds p. Priorities mostly come in ascending order; those that do
// not are appended and the extension is marked for one sort at the end of
// BuildDialplan (see finish), so descending input is not quadratic.
func (e *Extension) insert(p Priority) {
	if n := len(e.Priorities); n > 0 && e.Priorities[n-1].Priority > p.Priority {
		e.unsorted = true
		if e.byPrio == nil {
			e.byPrio = make(map[int]int, n+1)
			for i, q := range e.Priorities {
				e.byPrio[q.Priority] = i
			}
		}
	}
	if e.byPrio != nil {
		e.byPrio[p.Priority] = len(e.Priorities)
	}
	e.Priorities = append(e.Priorities, p)
}

// finish sorts an extension whose priorities came out of order.
func (e *Extension) finish() {
	if e.unsorted {
		sort.SliceStable(e.Priorities, func(i, j int) bool { return e.Priorities[i].Priority < e.Priorities[j].Priority })
		e.unsorted = false
	}
	e.byPrio = nil
}

// extKeyT is the key of an extension in its context.
type extKeyT struct{ exten, cid string }

// extKey drops dashes outside brackets: Asterisk ignores them when it
// compares extensions.
func extKey(exten, cid string) extKeyT {
	if strings.IndexByte(exten, '-') >= 0 {
		var b strings.Builder
		in := false
		for i := 0; i < len(exten); i++ {
			switch c := exten[i]; {
			case c == '[':
				in = true
			case c == ']':
				in = false
			case c == '-' && !in:
				continue
			}
			b.WriteByte(exten[i])
		}
		exten = b.String()
	}
	return extKeyT{exten, cid}
}
