package parser

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"
	"unsafe"

	"github.com/astapi/astapi/internal/safefile"
	"github.com/astapi/astapi/internal/slab"
)

// Var is one `name = value` (or `name => value`) line as Asterisk stores it.
type Var struct {
	Name  string
	Value string
	Pos   Pos
	// Inherited is set on variables copied from a template.
	Inherited bool
	// Object is set when the line was written with "=>".
	Object bool
}

// Section is one [name] block with its resolved variables: those inherited
// from templates first (in the order the templates are listed), then its own.
type Section struct {
	Name     string
	Template bool // declared with (!): not an object of its own
	// reopened is set when variables reached the section after a later
	// one had begun ((+), or lines after an #include): a section that
	// copied it in between saw fewer. splice resolves a template outside
	// the file it parses again only when this is unset.
	reopened bool
	Inherits []string // names of the sections it copied variables from
	Pos      Pos
	Vars     []Var
}

// Get returns the value a consumer walking the variable list ends up with:
// the last one named name (case-insensitive), as chan_sip, res_pjsip and
// pbx_config do.
func (s *Section) Get(name string) (string, bool) {
	v := s.Lookup(name)
	if v == nil {
		return "", false
	}
	return v.Value, true
}

// Lookup is Get returning the whole Var, nil when absent.
func (s *Section) Lookup(name string) *Var {
	for i := len(s.Vars) - 1; i >= 0; i-- {
		if strings.EqualFold(s.Vars[i].Name, name) {
			return &s.Vars[i]
		}
	}
	return nil
}

// First returns the first variable named name (case-insensitive), which is
// what ast_variable_retrieve answers in Asterisk 20.
func (s *Section) First(name string) (string, bool) {
	for _, v := range s.Vars {
		if strings.EqualFold(v.Name, name) {
			return v.Value, true
		}
	}
	return "", false
}

// All returns every variable named name (case-insensitive), in order.
func (s *Section) All(name string) []Var {
	var out []Var
	for _, v := range s.Vars {
		if strings.EqualFold(v.Name, name) {
			out = append(out, v)
		}
	}
	return out
}

// Config is a parsed top-level file with everything it includes.
type Config struct {
	// Dir is the directory relative includes and Pos.File are relative to.
	Dir string
	// Files lists every file read, top-level first, relative to Dir.
	Files []string
	// Digests holds what each file of Files held when it was read: the
	// first 16 bytes of its SHA-256, as a string ("" for a file included
	// twice that changed in between). What is built from a file can be
	// kept while its digest stays the same (package flow does).
	Digests  map[string]string
	Sections []*Section
	Diags    Diagnostics
	// ReadErrors are the error diagnostics that mean the files could not all
	// be read (include cycles, unreadable or oversized included files), as
	// opposed to dialect errors Asterisk itself would report. A reload that
	// meets any should keep the previous configuration.
	ReadErrors Diagnostics
	// Includes records every #include and #tryinclude met, in order.
	Includes []Include
	// Invalid is set when Asterisk would reject the top-level file as a
	// whole ("Config file has invalid format"). The sections read are kept.
	Invalid bool

	// What the parse charged its Budget (a file read twice counts
	// twice): a parse kept instead of done again charges the same.
	charged struct{ files, bytes int64 }
	// What splice needs to know that a file's sections can be parsed
	// again alone: each file's size when read, the section names each
	// file's headers looked up (templates, (+) targets), and the files
	// whose lines meet another file's sections.
	sizes  map[string]int64
	refs   []sectionRef
	mixed  map[string]bool
	stamps *fileStamps
}

// sectionRef is a section name a header of file looked up, lower-cased
// ("" for the empty template token, which names the first section);
// extend when by (+).
type sectionRef struct {
	file, name string
	extend     bool
}

// mix records that a and b share a section (no-op when a == b).
func (c *Config) mix(a, b string) {
	if a == b {
		return
	}
	if c.mixed == nil {
		c.mixed = map[string]bool{}
	}
	c.mixed[a], c.mixed[b] = true, true
}

// Include is one #include or #tryinclude directive and what it read.
type Include struct {
	Pos     Pos
	Name    string   // as written, quotes removed
	Pattern string   // absolute path or glob pattern it resolved to
	Files   []string // files read, relative to Config.Dir, in order

	matched string // what Pattern matched (see matches): for Unchanged
}

// Section returns the first non-template section called name
// (case-insensitive), as Asterisk's name lookups do; nil if there is none.
func (c *Config) Section(name string) *Section {
	for _, s := range c.Sections {
		if !s.Template && strings.EqualFold(s.Name, name) {
			return s
		}
	}
	return nil
}

// Options tune the parser. The zero value gives Asterisk's own limits.
type Options struct {
	// Root is the directory that relative #include names resolve against.
	// Empty means the directory of the top-level file.
	Root string
	// MaxIncludeDepth is how many #include levels may nest below the
	// top-level file (default 10, as Asterisk).
	MaxIncludeDepth int
	// MaxLineLength is the longest line kept, in bytes without the newline
	// (default 8190, as Asterisk's 8 KiB read buffer).
	MaxLineLength int
	// settle is how long before a read a file must have been last
	// changed for its stamp to vouch for it (default settleTime; tests).
	settle time.Duration
	// MaxFileSize is the largest file read (default 64 MiB).
	MaxFileSize int64
	// AllowedRoots, when set, confines every file read (after resolving
	// symlinks) to these directories: an #include that escapes them is an
	// error and is not read. Empty means no confinement.
	AllowedRoots []string
	// Budget, when set, bounds the reads of the whole build (shared with
	// the other files of the build); going over is a read error.
	Budget *Budget
	// MaxDiagnosticsPerFile, when > 0, keeps at most this many
	// diagnostics per file (read errors always kept) and reports how many
	// more were dropped.
	MaxDiagnosticsPerFile int
}

const (
	defaultMaxIncludeDepth = 10
	defaultMaxLineLength   = 8190
	defaultMaxFileSize     = 64 << 20
	maxNestedComments      = 128
	maxSectionName         = 79
	// maxAppendedValue bounds what `k += v` lines can build: each one copies
	// the value, so an unbounded run of them would be quadratic.
	maxAppendedValue = 16 << 10
)

func (o Options) withDefaults() Options {
	if o.MaxIncludeDepth <= 0 {
		o.MaxIncludeDepth = defaultMaxIncludeDepth
	}
	if o.MaxLineLength <= 0 {
		o.MaxLineLength = defaultMaxLineLength
	}
	if o.MaxFileSize <= 0 {
		o.MaxFileSize = defaultMaxFileSize
	}
	if o.settle <= 0 {
		o.settle = settleTime
	}
	return o
}

// ErrNotFound is wrapped by ParseFile when the top-level file does not exist.
var ErrNotFound = fs.ErrNotExist

// ParseFile reads the file at path and everything it includes. The error is
// non-nil only when the top-level file itself cannot be read; everything
// else is reported in Config.Diags.
func ParseFile(path string, opts Options) (*Config, error) {
	opts = opts.withDefaults()
	if opts.Root == "" {
		opts.Root = filepath.Dir(path)
	}
	if err := confined(path, opts.AllowedRoots); err != nil {
		return nil, fmt.Errorf("parser: read %s: %w", path, err)
	}
	if err := opts.Budget.admit(); err != nil {
		return nil, fmt.Errorf("parser: read %s: %w", path, err)
	}
	data, stamp, err := readStamped(path, opts.MaxFileSize)
	if err != nil {
		opts.Budget.release()
		return nil, fmt.Errorf("parser: read %s: %w", path, err)
	}
	if err := opts.Budget.charge(len(data)); err != nil {
		return nil, fmt.Errorf("parser: read %s: %w", path, err)
	}
	cfg := parse(path, bytesToString(data), opts, nil)
	cfg.stamps.set(cfg.Files[0], stamp)
	cfg.charged.files++
	cfg.charged.bytes += int64(len(data))
	return cfg, nil
}

// Parse parses src as the top-level file named name (a path, used for
// positions and to find it again in the include chain). Relative includes
// resolve against opts.Root, or the directory of name.
func Parse(name string, src []byte, opts Options) *Config {
	opts = opts.withDefaults()
	if opts.Root == "" {
		opts.Root = filepath.Dir(name)
	}
	return parse(name, string(src), opts, nil)
}

// bytesToString returns data as a string without copying it. Only for
// bytes the parser read itself and nobody else holds: the sections' names
// and values are substrings of it, so a file costs one allocation.
func bytesToString(data []byte) string {
	if len(data) == 0 {
		return ""
	}
	return unsafe.String(&data[0], len(data))
}

// parse parses src, read from path, and what it includes; outer, when
// not nil, finds templates defined before it (see parser.outer).
func parse(path string, src string, opts Options, outer func(key string) *Section) *Config {
	root, _ := filepath.Abs(opts.Root)
	// One section per line starting with '[', about: sizes the table.
	sections := strings.Count(src, "\n[") + 1
	p := &parser{
		opts:     opts,
		cfg:      &Config{Dir: root, Digests: map[string]string{}, sizes: map[string]int64{}, stamps: &fileStamps{m: map[string]fileStamp{}}},
		byName:   make(map[string]*Section, sections),
		seen:     map[string]bool{},
		confiner: newConfiner(opts.AllowedRoots),
		outer:    outer,
	}
	abs, _ := filepath.Abs(path)
	if fatal := p.file(abs, src, nil, true); fatal {
		p.cfg.Invalid = true
	}
	p.flush()
	p.reportDropped()
	return p.cfg
}

// readStamped reads a regular file of at most limit bytes; a FIFO or
// device in its place fails at once rather than block or fill memory.
func readStamped(path string, limit int64) ([]byte, fileStamp, error) {
	at := time.Now()
	data, st, err := safefile.ReadFileStamp(path, limit)
	return data, fileStamp{st, at}, err
}

// parser holds the state shared by the top-level file and its includes.
type parser struct {
	opts   Options
	cfg    *Config
	byName map[string]*Section // lower-cased name -> first section of that name
	// outer, when set, finds a section read before this parse's file by
	// lower-cased name (splice parses an included file alone, and its
	// templates may come from the files before it).
	outer func(key string) *Section
	// plain holds, per lower-cased name, the sections that were not
	// templates when added; (+) looks there and skips any made a template
	// since, so a file of many templates does not make (+) quadratic. It is
	// built at the first (+) header (from the sections that are not
	// templates then: a section never stops being one) and kept from there.
	plain map[string][]*Section
	// Variables are stored in arena, a chunk that sections' Vars are
	// carved from (with no spare capacity, so that an append elsewhere
	// copies): arena[pendStart:] are the variables read for pendSec and not
	// yet added to its Vars (see flush). A section's lines thus cost no
	// allocation of their own and no copy.
	arena     []Var
	pendStart int
	pendSec   *Section
	// the sections, their first template names and the lower-cased names
	// of byName come from chunks too
	sections slab.Slab[Section]
	inherits slab.Slab[string]
	keys     byteArena
	seen     map[string]bool // files read so far
	confiner *confiner       // include confinement (see confined)
	chain    []string        // include chain, absolute paths
	// diagnostics per file, and those dropped over MaxDiagnosticsPerFile
	diagCount, dropped map[string]int
	current            *Section // Asterisk's cfg->current: where an include starts
}

func (p *parser) rel(abs string) string {
	if r, err := filepath.Rel(p.cfg.Dir, abs); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return abs
}

func (p *parser) diag(pos Pos, sev Severity, format string, args ...any) {
	if limit := p.opts.MaxDiagnosticsPerFile; limit > 0 {
		if p.diagCount == nil {
			p.diagCount, p.dropped = map[string]int{}, map[string]int{}
		}
		if p.diagCount[pos.File] >= limit {
			p.dropped[pos.File]++ // not even formatted: a file of bad lines costs no memory
			return
		}
		p.diagCount[pos.File]++
	}
	p.cfg.Diags = append(p.cfg.Diags, Diagnostic{Pos: pos, Severity: sev, Message: fmt.Sprintf(format, args...)})
}

// readError records a diagnostic that fails the load; never dropped.
func (p *parser) readError(pos Pos, format string, args ...any) {
	d := Diagnostic{Pos: pos, Severity: Error, Message: fmt.Sprintf(format, args...)}
	p.cfg.Diags = append(p.cfg.Diags, d)
	p.cfg.ReadErrors = append(p.cfg.ReadErrors, d)
}

// reportDropped adds, per file, one diagnostic counting those dropped.
func (p *parser) reportDropped() { p.cfg.Diags = appendDropNotes(p.cfg.Diags, p.dropped) }

func (p *parser) appendSection(s *Section) {
	p.cfg.Sections = append(p.cfg.Sections, s)
	key, ok := p.keys.lower(s.Name)
	if !ok {
		key = strings.ToLower(s.Name)
	}
	if _, ok := p.byName[key]; !ok {
		p.byName[key] = s
	}
	if p.plain != nil && !s.Template {
		p.plain[key] = append(p.plain[key], s)
	}
	p.current = s
}

// Arena chunks grow from minArena to maxArena variables.
const (
	minArena = 64
	maxArena = 4096
)

// addVar adds v to s's variables (pending until the next flush).
func (p *parser) addVar(s *Section, v Var) {
	if p.pendSec != s {
		p.flush()
		p.pendSec = s
	}
	if len(p.arena) == cap(p.arena) {
		pending := p.arena[p.pendStart:]
		n := min(max(2*cap(p.arena), minArena), maxArena)
		n = max(n, 2*len(pending))
		arena := make([]Var, len(pending), n)
		copy(arena, pending)
		p.arena, p.pendStart = arena, 0
	}
	p.arena = append(p.arena, v)
}

// flush moves the pending variables to their section. Everything that
// reads a section's Vars while parsing flushes first.
func (p *parser) flush() {
	if s := p.pendSec; s != nil && len(p.arena) > p.pendStart {
		pending := p.arena[p.pendStart:len(p.arena):len(p.arena)]
		if len(s.Vars) == 0 {
			s.Vars = pending
		} else {
			vars := make([]Var, len(s.Vars)+len(pending))
			copy(vars, s.Vars)
			copy(vars[len(s.Vars):], pending)
			s.Vars = vars
		}
		p.pendStart = len(p.arena)
	}
	p.pendSec = nil
}

// file parses one file's bytes. The top-level file is read leniently: a line
// Asterisk finds fatal is reported, skipped, and the file marked invalid.
// An included file stops at such a line, as in Asterisk, keeping what was
// read before it. It reports whether a fatal line was met.
func (p *parser) file(abs string, s string, start *Section, top bool) (fatal bool) {
	rel := p.rel(abs)
	sum := sha256.Sum256(unsafe.Slice(unsafe.StringData(s), len(s)))
	digest := string(sum[:16])
	if !p.seen[abs] {
		p.cfg.Files = append(p.cfg.Files, rel)
		p.cfg.Digests[rel] = digest
		p.cfg.sizes[rel] = int64(len(s))
	} else if p.cfg.Digests[rel] != digest {
		p.cfg.Digests[rel] = ""
	}
	p.seen[abs] = true
	p.chain = append(p.chain, abs)
	defer func() { p.chain = p.chain[:len(p.chain)-1] }()

	f := &fileState{p: p, name: rel, cat: start, top: top}
	lineno := 0
	for off := 0; off < len(s); {
		lineno++
		var line string
		if nl := strings.IndexByte(s[off:], '\n'); nl >= 0 {
			line, off = s[off:off+nl], off+nl+1
		} else {
			line, off = s[off:], len(s)
		}
		if len(line) > p.opts.MaxLineLength {
			p.diag(Pos{rel, lineno}, Warning, "line is %d bytes, over the %d byte limit: skipped", len(line), p.opts.MaxLineLength)
			continue
		}
		if lineno == 1 {
			line = strings.TrimPrefix(line, "\xef\xbb\xbf")
		}
		if i := strings.IndexByte(line, 0); i >= 0 {
			line = line[:i] // C string functions stop at the first NUL
		}
		text, ok := f.comments.strip(line, lineno, func(msg string) { p.diag(Pos{rel, lineno}, Error, "%s", msg) })
		if !ok {
			continue
		}
		text = trimBlanks(text)
		if text == "" {
			continue
		}
		f.line = lineno
		if f.process(text) {
			fatal = true
			if !top {
				p.diag(Pos{rel, lineno}, Error, "included file %s stops here: Asterisk ignores the rest of it", rel)
				break
			}
		}
	}
	if f.comments.depth > 0 {
		p.diag(Pos{rel, f.comments.openedAt[f.comments.depth-1]}, Warning, "unterminated block comment ;-- opened here")
	}
	return fatal
}

// isBlank is Asterisk's notion of white space: any byte from 1 to 32.
func isBlank(b byte) bool { return b < 33 }

func trimBlanks(s string) string {
	i, j := 0, len(s)
	for i < j && isBlank(s[i]) {
		i++
	}
	for j > i && isBlank(s[j-1]) {
		j--
	}
	return s[i:j]
}
