package parser

import (
	"fmt"
	"github.com/astapi/astapi/internal/slab"
	"runtime"
	"slices"
	"sort"
	"strconv"
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

// cutExten cuts the extension at the first comma outside brackets; a
// backslash protects the next byte.
func cutExten(s string) (ext, rest string) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '[':
			depth++
		case ']':
			if depth > 0 {
				depth--
			}
		case ',':
			if depth == 0 {
				return s[:i], s[i+1:]
			}
		}
	}
	return s, ""
}

// splitApp splits "App(args)" as pbx_config does: the name runs to the first
// '(' and the data to the last ')'. A name holding ${ or $[ keeps the whole
// text (hints such as DAHDI/${X}).
func splitApp(appl string, noClose func()) (app, args string) {
	open := strings.IndexByte(appl, '(')
	if open < 0 {
		return skipBlanks(appl), ""
	}
	name := appl[:open]
	if strings.Contains(name, "${") || strings.Contains(name, "$[") {
		return skipBlanks(appl), ""
	}
	data := appl[open+1:]
	if j := strings.LastIndexByte(data, ')'); j >= 0 {
		data = data[:j]
	} else {
		noClose()
	}
	return skipBlanks(name), data
}

func skipBlanks(s string) string {
	i := 0
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	return s[i:]
}

func removeSpaces(s string) string {
	if strings.IndexByte(s, ' ') < 0 {
		return s
	}
	var b strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			in = true
		case ']':
			in = false
		case ' ':
			if !in {
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// ShrinkPhoneNumber is callerid.c's ast_shrink_phone_number: spaces and
// parentheses go, and so do dashes outside brackets and any '.' but a last.
func ShrinkPhoneNumber(n string) string {
	var b strings.Builder
	depth := 0
	for i := 0; i < len(n); i++ {
		c := n[i]
		switch c {
		case '[':
			depth++
		case ']':
			depth--
		case '-':
			if depth == 0 {
				continue
			}
		case '.':
			if i != len(n)-1 {
				continue
			}
		case '(', ')', ' ':
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// scanInt is sscanf("%d"): leading blanks, a sign, digits, anything after.
func scanInt(s string) (int, bool) {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\v' || s[i] == '\f') {
		i++
	}
	start := i
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' && i-digits < 30 {
		i++
	}
	if i == digits {
		return 0, false
	}
	n, err := strconv.Atoi(s[start:i])
	if err != nil {
		return 0, false
	}
	return n, true
}

// Expand substitutes ${NAME} and ${NAME:offset:length} with globals and
// leaves everything else (channel variables, functions) expanded to nothing,
// as pbx_config does at load time. See expand.
func (d *Dialplan) Expand(s string) string { return d.expand(s) }

// ExpandGlobals substitutes only the ${NAME} references that name a global
// and keeps every other ${...} as written: what a reader of the dialplan
// can know before a call.
func (d *Dialplan) ExpandGlobals(s string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '$' && i+1 < len(s) && s[i+1] == '{' {
			if j := strings.IndexByte(s[i:], '}'); j > 0 {
				if k, ok := d.globals[s[i+2:i+j]]; ok {
					b.WriteString(d.Globals[k].Value)
					i += j + 1
					continue
				}
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// expand substitutes ${NAME} and ${NAME:offset:length} with globals, as
// pbx_config does at load time without a channel. Unknown variables and
// functions expand to nothing; $[...] expressions are left as written.
func (d *Dialplan) expand(s string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '$' && i+1 < len(s) && s[i+1] == '{' {
			depth, j := 1, i+2
			for ; j < len(s) && depth > 0; j++ {
				if s[j] == '{' && s[j-1] == '$' {
					depth++
				} else if s[j] == '}' {
					depth--
				}
			}
			if depth > 0 {
				b.WriteString(s[i:])
				break
			}
			b.WriteString(d.lookup(d.expand(s[i+2 : j-1])))
			i = j
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func (d *Dialplan) lookup(expr string) string {
	if strings.ContainsAny(expr, "(") {
		return "" // a function: needs a channel
	}
	name, sub, hasSub := strings.Cut(expr, ":")
	val := ""
	if i, ok := d.globals[name]; ok {
		val = d.Globals[i].Value
	}
	if !hasSub {
		return val
	}
	offS, lenS, hasLen := strings.Cut(sub, ":")
	off, _ := scanInt(offS)
	if off < 0 {
		off += len(val)
		if off < 0 {
			off = 0
		}
	}
	if off > len(val) {
		return ""
	}
	val = val[off:]
	if hasLen {
		n, ok := scanInt(lenS)
		if ok && n >= 0 && n < len(val) {
			val = val[:n]
		} else if ok && n < 0 {
			if len(val)+n > 0 {
				val = val[:len(val)+n]
			} else {
				val = ""
			}
		}
	}
	return val
}

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

// IsTrue is Asterisk's ast_true: yes, true, y, t, 1 or on, in any case.
func IsTrue(s string) bool {
	switch strings.ToLower(trimBlanks(s)) {
	case "yes", "true", "y", "t", "1", "on":
		return true
	}
	return false
}

// IsFalse is Asterisk's ast_false: no, false, n, f, 0 or off, in any case
// (an unset or other value is neither true nor false).
func IsFalse(s string) bool {
	switch strings.ToLower(trimBlanks(s)) {
	case "no", "false", "n", "f", "0", "off":
		return true
	}
	return false
}
