package parser

import "slices"

// Adopt replaces each section of cfg, a parse no one else holds yet,
// that came out the same as a section of old (the same name, options,
// position and variables, each with its position) by old's, and returns
// how many it replaced. A file that had to be parsed whole again (an
// edit in a big sip.conf) then shares with the last load every section
// the edit did not touch, and what a reload keys by section (the peers
// chan_sip builds, see package index) is taken over for them. A section
// after lines added or removed in its file has moved: it is new.
func Adopt(cfg, old *Config) int {
	if cfg == nil || old == nil {
		return 0
	}
	n := 0
	// Sections keep their order: old's match is most often at the same
	// offset as the last one found, and is looked up by position only
	// when it is not.
	offset := 0
	var byPos map[Pos]int
	for i, s := range cfg.Sections {
		if j := i + offset; j >= 0 && j < len(old.Sections) && sameSection(s, old.Sections[j]) {
			cfg.Sections[i] = old.Sections[j]
			n++
			continue
		}
		if byPos == nil {
			byPos = make(map[Pos]int, len(old.Sections))
			for j, o := range old.Sections {
				if _, dup := byPos[o.Pos]; !dup {
					byPos[o.Pos] = j
				}
			}
		}
		if j, ok := byPos[s.Pos]; ok && sameSection(s, old.Sections[j]) {
			cfg.Sections[i] = old.Sections[j]
			offset = j - i
			n++
		}
	}
	return n
}

// sameSection reports whether a and b are the same to every reader.
func sameSection(a, b *Section) bool {
	return a.Name == b.Name && a.Template == b.Template && a.reopened == b.reopened && a.Pos == b.Pos &&
		slices.Equal(a.Inherits, b.Inherits) && slices.Equal(a.Vars, b.Vars)
}
