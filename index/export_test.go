package index

import (
	"fmt"
	"slices"
)

// LoadWholeFlow is Load reading the call flow as one part (flow.Input.Whole):
// the tests check that splitting it changes nothing.
func LoadWholeFlow(iniPath string) (*Snapshot, error) {
	b := &builder{wholeFlow: true}
	return b.load(iniPath)
}

// PeerDumpOf is every field of every peer s lists (extensions' and
// trunks'), variables included, in a stable order.
func PeerDumpOf(s *Snapshot) []string {
	var out []string
	for _, e := range s.Extensions {
		for _, p := range e.Peers {
			out = append(out, fmt.Sprintf("%s %+v", e.ID, *p))
		}
	}
	for _, p := range s.Trunks {
		out = append(out, fmt.Sprintf("trunk %+v", *p))
	}
	slices.Sort(out)
	return out
}

// SIPParse is the parse of sip.conf s was built from: a reload keeps it
// when no file of it changed, and makes a new one (a splice or a parse)
// when one did.
func SIPParse(s *Snapshot) any { return s.parsed.cfg[0] }

// DialsPatched reports whether s's load patched the last load's Dial()
// index rather than derive it anew: it does only over the very peers.
func DialsPatched(s *Snapshot) bool { return s.parsed.dials.patched }
