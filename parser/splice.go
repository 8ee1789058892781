package parser

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
)

// Replaced is what splice did to one file: the sections it read from it
// before, and those it reads now.
type Replaced struct {
	File     string
	Old, New []*Section
}

// maxSpliced is how many changed files splice takes on: past a few, a
// new parse is about as quick.
const maxSpliced = 8

// Refresh is what parsing cfg's top-level file again with opts would
// give, when it can tell without parsing the whole tree: cfg itself when
// no file changed (reps is empty), or splice's result. ok is false when
// only a new parse can tell. It charges no budget: the caller charges
// the result's (Config.Charge) when it takes it. A reload re-parses only
// the tenant file an administrator edited this way (package index).
func Refresh(cfg *Config, opts Options) (out *Config, reps []Replaced, ok bool) {
	changed, ok := reread(cfg, opts)
	if !ok {
		return nil, nil, false
	}
	if len(changed) == 0 {
		return cfg, nil, true
	}
	out, reps = splice(cfg, changed, opts)
	return out, reps, out != nil
}

// Charge charges b what parsing c charged (every read, a file included
// twice counting twice), all or nothing: false when that does not fit,
// as the parse would then have been refused a read.
func (c *Config) Charge(b *Budget) bool { return b.keep(c.charged.files, c.charged.bytes) }

// splice is what parsing cfg's top-level file again would give, when the
// files in changed (from reread) now hold those bytes, made by parsing
// each changed file alone and putting its sections in place of those it
// gave before; nil when that could differ from a parse of the whole tree
// (see spliceable). It charges no budget.
func splice(cfg *Config, changed map[string]changedFile, opts Options) (*Config, []Replaced) {
	if len(changed) == 0 || len(changed) > maxSpliced || len(cfg.ReadErrors) > 0 {
		return nil, nil
	}
	for _, r := range cfg.refs {
		if r.name == "" {
			return nil, nil // an empty template token names the first section of all
		}
	}
	opts = opts.withDefaults()
	out := cfg
	var done []Replaced
	for _, name := range slices.Sorted(maps.Keys(changed)) {
		next, rep := spliceOne(out, name, changed[name].data, opts)
		if next == nil {
			return nil, nil
		}
		out = next
		done = append(done, rep)
	}
	out.stamps = cfg.stamps.with(changed)
	return out, done
}

// spliceOne is cfg with file name's sections parsed again from data,
// or nil when the file is not spliceable.
func spliceOne(cfg *Config, name string, data []byte, opts Options) (*Config, Replaced) {
	if !spliceable(cfg, name) {
		return nil, Replaced{}
	}
	i, j := fileSections(cfg, name)
	if i == j {
		return nil, Replaced{} // nowhere to put new sections
	}
	alone := opts
	alone.Root, alone.Budget = cfg.Dir, nil
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(cfg.Dir, name)
	}
	before := firstByName(cfg.Sections[:i])
	parsed := parse(path, bytesToString(data), alone, before.find)
	if parsed.Invalid || len(parsed.ReadErrors) > 0 || len(parsed.Includes) > 0 || len(parsed.Sections) == 0 ||
		len(parsed.mixed) > 0 || hasError(parsed.Diags, name) || len(parsed.Files) != 1 || parsed.Files[0] != name {
		// An error (an included file stops at it, the top-level one
		// does not), an include, or lines before the first header (they
		// belong to the section open where the file is included).
		return nil, Replaced{}
	}
	if !namesApart(cfg, name, i, j, parsed, before) {
		return nil, Replaced{}
	}
	out := *cfg
	out.Sections = slices.Concat(cfg.Sections[:i], parsed.Sections, cfg.Sections[j:])
	out.Diags = slices.Concat(slices.DeleteFunc(slices.Clone(cfg.Diags), func(d Diagnostic) bool { return d.Pos.File == name }), parsed.Diags)
	out.Digests = maps.Clone(cfg.Digests)
	out.Digests[name] = parsed.Digests[name]
	out.sizes = maps.Clone(cfg.sizes)
	out.sizes[name] = int64(len(data))
	out.charged.bytes += int64(len(data)) - cfg.sizes[name]
	out.refs = slices.Concat(slices.DeleteFunc(slices.Clone(cfg.refs), func(r sectionRef) bool { return r.file == name }), parsed.refs)
	return &out, Replaced{File: name, Old: cfg.Sections[i:j], New: parsed.Sections}
}

// spliceable reports whether file name's sections are its own: it is
// included once, includes nothing, was read without error, and no
// section holds lines of it and of another file (templates, (+), lines
// before its first header).
func spliceable(cfg *Config, name string) bool {
	if len(cfg.Files) == 0 || cfg.Files[0] == name || cfg.Digests[name] == "" || cfg.mixed[name] || hasError(cfg.Diags, name) {
		return false
	}
	reads := 0
	for _, inc := range cfg.Includes {
		if inc.Pos.File == name {
			return false
		}
		for _, f := range inc.Files {
			if f == name {
				reads++
			}
		}
	}
	return reads == 1
}

// fileSections is the range of cfg.Sections whose headers are in file
// name: they are consecutive in a file that includes nothing. i == j
// when it has none, or when they are not consecutive.
func fileSections(cfg *Config, name string) (i, j int) {
	i = slices.IndexFunc(cfg.Sections, func(s *Section) bool { return s.Pos.File == name })
	if i < 0 {
		return 0, 0
	}
	j = i
	for j < len(cfg.Sections) && cfg.Sections[j].Pos.File == name {
		j++
	}
	if slices.ContainsFunc(cfg.Sections[j:], func(s *Section) bool { return s.Pos.File == name }) {
		return 0, 0
	}
	return i, j
}

// namesApart reports whether the file's sections, before (cfg.Sections
// [i:j]) and now (parsed), are looked up by name only from the file
// itself, and its own lookups find nothing outside it but templates
// defined before it and complete by then: then where the file sits in
// the tree does not change what its headers resolve to.
func namesApart(cfg *Config, name string, i, j int, parsed *Config, before *firstSections) bool {
	own := map[string]bool{}
	for _, s := range cfg.Sections[i:j] {
		own[strings.ToLower(s.Name)] = true
	}
	for _, s := range parsed.Sections {
		own[strings.ToLower(s.Name)] = true
	}
	for _, r := range cfg.refs {
		if r.file != name && own[r.name] {
			return false
		}
	}
	wanted := map[string]bool{}
	for _, r := range parsed.refs {
		if r.name == "" {
			return false
		}
		if s := before.find(r.name); s != nil && (r.extend || s.reopened) {
			// (+) finds the first section of the name, here one outside;
			// a template copied while incomplete can not be copied again.
			return false
		}
		wanted[r.name] = true
	}
	if len(wanted) == 0 {
		return true
	}
	return !slices.ContainsFunc(cfg.Sections[j:], func(s *Section) bool { return wanted[strings.ToLower(s.Name)] })
}

// firstSections finds the first of a list of sections by lower-cased
// name, scanning the list for the first few names asked and indexing it
// whole past them: a file looks up one or two templates of the files
// before it, and those may hold 100,000 sections.
type firstSections struct {
	list  []*Section
	found map[string]*Section
	whole bool
}

// maxScans is how many names firstSections looks up by scanning.
const maxScans = 8

func firstByName(list []*Section) *firstSections {
	return &firstSections{list: list, found: map[string]*Section{}}
}

// find is the first section of list named key (lower-cased), or nil.
func (f *firstSections) find(key string) *Section {
	if s, ok := f.found[key]; ok || f.whole {
		return s
	}
	if len(f.found) == maxScans {
		for _, s := range f.list {
			k := strings.ToLower(s.Name)
			if _, ok := f.found[k]; !ok {
				f.found[k] = s
			}
		}
		f.whole = true
		return f.found[key]
	}
	i := slices.IndexFunc(f.list, func(s *Section) bool { return lowerIs(s.Name, key) })
	var s *Section
	if i >= 0 {
		s = f.list[i]
	}
	f.found[key] = s
	return s
}

// lowerIs reports whether strings.ToLower(s) == key without making the
// lower-cased copy (a scan asks it of 100,000 names). Not EqualFold: the
// parser's keys are lower-cased, and the two differ on a few letters
// (ſ and s).
func lowerIs(s, key string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return strings.ToLower(s) == key
		}
	}
	if len(s) != len(key) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != key[i] {
			return false
		}
	}
	return true
}

// hasError reports whether an error diagnostic is placed in file name.
func hasError(diags Diagnostics, name string) bool {
	return slices.ContainsFunc(diags, func(d Diagnostic) bool { return d.Severity == Error && d.Pos.File == name })
}
