package parser

import "strings"

// How the parser reads one line of a file, as config.c's process_text_line
// does: a section header (with its templates and (+)), a variable (=, =>,
// +=) or a directive (#include, #tryinclude, #exec).

// fileState is the state of one file being read.
type fileState struct {
	p        *parser
	name     string
	line     int
	cat      *Section
	top      bool
	comments commentState
}

func (f *fileState) pos() Pos { return Pos{f.name, f.line} }

// fail records a line Asterisk treats as fatal for the file and returns true.
func (f *fileState) fail(format string, args ...any) bool {
	f.p.diag(f.pos(), Error, format, args...)
	return true
}

func (f *fileState) process(text string) (fatal bool) {
	switch text[0] {
	case '[':
		return f.header(text)
	case '#':
		return f.directive(text[1:])
	default:
		return f.variable(text)
	}
}

// header handles [name], [name](!), [name](a,b), [name](+) and mixes.
func (f *fileState) header(text string) bool {
	f.p.flush()
	end := strings.IndexByte(text, ']')
	if end < 0 {
		return f.fail("section header without closing ']'")
	}
	name := text[1:end]
	if len(name) > maxSectionName {
		f.p.diag(f.pos(), Warning, "section name longer than %d bytes is cut", maxSectionName)
		name = name[:maxSectionName]
	}
	rest := text[end+1:]
	newcat := f.p.sections.New()
	*newcat = Section{Name: name, Pos: f.pos()}
	cat := newcat
	fatal := false
	// config.c reads one (...) list right after ']' and drops the rest of
	// the line: [a](tpl)(!) and [a] (!) are real sections, not templates.
	// Asterisk says nothing, and the result (a phantom user or peer) is
	// hard to trace, so warn.
	ignored := rest
	if strings.HasPrefix(rest, "(") {
		ignored = "" // no ')': the error below says it
		if closing := strings.IndexByte(rest, ')'); closing >= 0 {
			ignored = rest[closing+1:]
		}
	}
	if extra := trimBlanks(ignored); extra != "" {
		f.p.diag(f.pos(), Warning, "section [%s]: %q after the header is ignored, as in Asterisk (options go in one list right after ']': [%s](a,!))", name, extra, name)
	}
	if strings.HasPrefix(rest, "(") {
		closing := strings.IndexByte(rest, ')')
		if closing < 0 {
			return f.fail("section options without closing ')'")
		}
		for tok := range strings.SplitSeq(rest[1:closing], ",") {
			f.p.flush()
			switch {
			case tok == "!":
				cat.Template = true
			case strings.HasPrefix(tok, "+"):
				f.p.cfg.refs = append(f.p.cfg.refs, sectionRef{f.name, strings.ToLower(name), true})
				existing := f.p.findAppendTarget(name, tok[1:])
				if existing == nil {
					fatal = f.fail("section [%s](+) appends to a section that does not exist", name)
					continue
				}
				if newcat != nil {
					existing.Template = existing.Template || newcat.Template
					// Asterisk discards the new section with its template
					// list; only the variables move.
					existing.Vars = append(existing.Vars, newcat.Vars...)
					newcat = nil
				}
				f.p.cfg.mix(existing.Pos.File, f.name)
				existing.reopened = true
				cat = existing
				f.p.current = existing
			default:
				f.p.cfg.refs = append(f.p.cfg.refs, sectionRef{f.name, strings.ToLower(tok), false})
				base := f.p.findBase(tok)
				if base == nil {
					hint := ""
					if trimBlanks(tok) != tok {
						hint = " (Asterisk does not trim option tokens)"
					}
					fatal = f.fail("section [%s] inherits from %q, which is not defined above%s", name, tok, hint)
					continue
				}
				if cat.Inherits == nil {
					cat.Inherits = f.p.inherits.One(base.Name)
				} else {
					cat.Inherits = append(cat.Inherits, base.Name)
				}
				// Not mix: refs records the lookup, which is all splice
				// needs to tell whether the copy could change.
				n := len(base.Vars) // snapshot: a section may inherit from itself
				for _, v := range base.Vars[:n] {
					v.Inherited = true
					f.p.addVar(cat, v)
				}
			}
		}
	}
	if fatal && !f.top {
		return true
	}
	f.cat = cat
	if newcat != nil {
		f.p.appendSection(newcat)
	}
	return fatal
}

// findBase finds the section a template token names: the first earlier
// section with that name, template or not. An empty token names the first
// section of all, as in Asterisk.
func (p *parser) findBase(name string) *Section {
	if name == "" {
		if len(p.cfg.Sections) > 0 {
			return p.cfg.Sections[0]
		}
		return nil
	}
	key := strings.ToLower(name)
	if p.outer != nil {
		if s := p.outer(key); s != nil {
			return s
		}
	}
	return p.byName[key]
}

// findAppendTarget finds the section a (+) header extends: the first
// non-template section of that name. A filter after the '+' (Asterisk's
// "+name=value") narrows it to sections holding that variable value.
func (p *parser) findAppendTarget(name, filter string) *Section {
	fname, fval, hasFilter := strings.Cut(filter, "=")
	if p.plain == nil {
		p.plain = map[string][]*Section{}
		for _, s := range p.cfg.Sections {
			if !s.Template {
				key := strings.ToLower(s.Name)
				p.plain[key] = append(p.plain[key], s)
			}
		}
	}
	for _, s := range p.plain[strings.ToLower(name)] {
		if s.Template {
			continue
		}
		if hasFilter && filter != "" {
			if v, ok := s.Get(fname); !ok || v != fval {
				continue
			}
		}
		return s
	}
	return nil
}

// variable handles `name = value`, `name => value` and `name += value`.
func (f *fileState) variable(text string) bool {
	if f.cat == nil {
		return f.fail("a setting before any [section] header")
	}
	f.p.cfg.mix(f.cat.Pos.File, f.name)
	if f.cat != f.p.current {
		f.cat.reopened = true // back in an including file's section
	}
	cur := text
	escaped := cur[0] == '\\'
	from := 0
	if escaped {
		cur = cur[1:]
		if cur == "" || isBlank(cur[0]) {
			return f.fail("invalid escape: '\\' must be followed by a character")
		}
		from = 1
	}
	eq := strings.IndexByte(cur[from:], '=')
	if eq < 0 {
		f.p.diag(f.pos(), Warning, "no '=' in line: ignored")
		return false
	}
	eq += from
	if eq > from && cur[eq-1] == '+' {
		f.p.flush()
		name := trimBlanks(cur[:eq-1])
		add := cur[eq+1:]
		for i := len(f.cat.Vars) - 1; i >= 0; i-- {
			if f.cat.Vars[i].Name == name {
				f.appendTo(name, f.cat.Vars[i], add)
				return false
			}
		}
		return f.set(name, trimBlanks(add), false)
	}
	name := trimBlanks(cur[:eq])
	val := cur[eq+1:]
	object := false
	if strings.HasPrefix(val, ">") {
		object, val = true, val[1:]
	}
	return f.set(name, trimBlanks(val), object)
}

func (f *fileState) set(name, value string, object bool) bool {
	if name == "" {
		f.p.diag(f.pos(), Warning, "no variable name before '=': line ignored")
		return false
	}
	f.p.addVar(f.cat, Var{Name: name, Value: value, Pos: f.pos(), Object: object})
	return false
}

// appendTo applies `name += text` to old, the last variable called name.
// Like ast_variable_update, it rewrites the first variable whose name and
// value equal old's ignoring case (any value when old's is empty), and the
// result takes the name written on the += line.
func (f *fileState) appendTo(name string, old Var, add string) {
	if len(old.Value)+len(add) > maxAppendedValue {
		f.p.diag(f.pos(), Warning, "%s += would make the value longer than %d bytes: ignored", name, maxAppendedValue)
		return
	}
	value := trimBlanks(old.Value + add)
	for i := range f.cat.Vars {
		v := &f.cat.Vars[i]
		if strings.EqualFold(v.Name, old.Name) && (old.Value == "" || strings.EqualFold(v.Value, old.Value)) {
			v.Name, v.Value, v.Inherited = name, value, false
			return
		}
	}
}

// directive handles #include, #tryinclude and #exec (never run).
func (f *fileState) directive(text string) bool {
	i := 0
	// Asterisk compares a signed char with 32, so bytes >= 0x80 end the word too.
	for i < len(text) && text[i] > 32 && text[i] < 0x80 {
		i++
	}
	word, arg := text[:i], ""
	if i < len(text) {
		arg = trimBlanks(text[i+1:])
	}
	try := false
	switch strings.ToLower(word) {
	case "include":
	case "tryinclude":
		try = true
	case "exec":
		f.p.diag(f.pos(), Warning, "#exec: not run (astapi never executes commands from configuration)")
		return false
	default:
		f.p.diag(f.pos(), Warning, "unknown directive '#%s': line ignored", word)
		return false
	}
	if arg == "" {
		f.p.diag(f.pos(), Warning, "#%s needs a file name: line ignored", word)
		return false
	}
	if arg[0] == '"' || arg[0] == '<' {
		closing := byte('"')
		if arg[0] == '<' {
			closing = '>'
		}
		if len(arg) > 1 && arg[len(arg)-1] == closing {
			arg = arg[1 : len(arg)-1]
		} else if len(arg) == 1 {
			arg = ""
		}
	}
	if f.include(arg) || try {
		return false
	}
	return f.fail("#include %s: no such file (Asterisk rejects the including file)", arg)
}
