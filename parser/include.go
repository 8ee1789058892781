package parser

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// include reads every file name matches and reports whether any was read.
func (f *fileState) include(name string) bool {
	p := f.p
	if len(p.chain) > p.opts.MaxIncludeDepth {
		p.diag(f.pos(), Error, "#include %s: more than %d include levels (%s)", name, p.opts.MaxIncludeDepth, p.chainString(""))
		return false
	}
	pattern := name
	if !filepath.IsAbs(pattern) {
		pattern = filepath.Join(p.cfg.Dir, pattern)
	}
	rec := len(p.cfg.Includes)
	p.cfg.Includes = append(p.cfg.Includes, Include{Pos: f.pos(), Name: name, Pattern: pattern, matched: matches(pattern)})
	count := 0
	for _, path := range globAsterisk(pattern) {
		st, err := os.Stat(path)
		if err != nil {
			continue
		}
		if st.IsDir() {
			p.diag(f.pos(), Warning, "#include %s: %s is a directory: ignored", name, p.rel(path))
			continue
		}
		if !st.Mode().IsRegular() {
			p.diag(f.pos(), Warning, "#include %s: %s is not a regular file: ignored", name, p.rel(path))
			continue
		}
		abs, _ := filepath.Abs(path)
		if p.inChain(abs) {
			p.readError(f.pos(), "include cycle: %s", p.chainString(abs))
			count++
			continue
		}
		if err := p.confiner.check(abs); err != nil {
			p.readError(f.pos(), "#include %s: %v", name, reason(err))
			count++ // found, but refused: not "missing"
			continue
		}
		if err := p.opts.Budget.admit(); err != nil {
			p.readError(f.pos(), "#include %s: %v", name, reason(err))
			return true // found, but refused; and the build has failed
		}
		data, stamp, err := readStamped(abs, p.opts.MaxFileSize)
		if err != nil {
			p.opts.Budget.release()
			p.readError(f.pos(), "#include %s: %v", name, reason(err))
			continue
		}
		p.cfg.charged.files++
		p.cfg.charged.bytes += int64(len(data))
		if err := p.opts.Budget.charge(len(data)); err != nil {
			p.readError(f.pos(), "#include %s: %v", name, reason(err))
			return true
		}
		if p.seen[abs] {
			p.diag(f.pos(), Warning, "#include %s: %s is included more than once", name, p.rel(abs))
		}
		count++
		p.cfg.stamps.set(p.rel(abs), stamp)
		p.cfg.Includes[rec].Files = append(p.cfg.Includes[rec].Files, p.rel(abs))
		if p.file(abs, bytesToString(data), p.current, false) {
			break // Asterisk stops the glob at an invalid file
		}
	}
	return count > 0
}

func (p *parser) inChain(abs string) bool {
	for _, c := range p.chain {
		if c == abs {
			return true
		}
	}
	return false
}

func (p *parser) chainString(next string) string {
	parts := make([]string, 0, len(p.chain)+1)
	for _, c := range p.chain {
		parts = append(parts, p.rel(c))
	}
	if next != "" {
		parts = append(parts, p.rel(next))
	}
	return strings.Join(parts, " -> ")
}

// globAsterisk expands a pattern like glob(3) with GLOB_BRACE|GLOB_NOMAGIC:
// braces first, then each alternative sorted; a pattern that matches nothing
// is returned as is (and then fails to open, as in Asterisk).
func globAsterisk(pattern string) []string {
	var out []string
	for _, alt := range expandBraces(pattern) {
		if !strings.ContainsAny(alt, "*?[") {
			out = append(out, alt)
			continue
		}
		m, err := filepath.Glob(alt)
		if err != nil {
			continue
		}
		sort.Strings(m)
		for _, path := range m {
			// glob(3) without GLOB_PERIOD: a wildcard never matches a leading dot.
			if strings.HasPrefix(filepath.Base(path), ".") && !strings.HasPrefix(filepath.Base(alt), ".") {
				continue
			}
			out = append(out, path)
		}
	}
	if len(out) == 0 {
		return []string{pattern}
	}
	return out
}

// expandBraces expands the first {a,b} group recursively.
func expandBraces(s string) []string {
	open := strings.IndexByte(s, '{')
	if open < 0 {
		return []string{s}
	}
	depth := 0
	var parts []string
	last := open + 1
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				parts = append(parts, s[last:i])
				var out []string
				for _, part := range parts {
					out = append(out, expandBraces(s[:open]+part+s[i+1:])...)
				}
				return out
			}
		case ',':
			if depth == 1 {
				parts = append(parts, s[last:i])
				last = i + 1
			}
		}
	}
	return []string{s} // unbalanced: literal
}

// reason is what went wrong in err without the path a *fs.PathError
// adds: diagnostics name files relative to the configuration directory,
// never where they live on the host.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
