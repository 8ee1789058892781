package parser

import "unsafe"

// byteArena packs strings into shared chunks: one allocation per chunk
// instead of one per string. Bytes handed out are never written again.
type byteArena struct {
	buf []byte
}

const (
	minArenaBytes = 1 << 10
	maxArenaBytes = 64 << 10
)

// lower returns strings.ToLower(s) for an ASCII s, copied into the arena
// unless already lower-case; ok is false for a non-ASCII s.
func (a *byteArena) lower(s string) (string, bool) {
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return "", false
		}
		upper = upper || ('A' <= c && c <= 'Z')
	}
	if !upper {
		return s, true
	}
	b := a.alloc(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return unsafe.String(&b[0], len(b)), true
}

// alloc returns n fresh bytes of the arena (n > 0).
func (a *byteArena) alloc(n int) []byte {
	if cap(a.buf)-len(a.buf) < n {
		a.buf = make([]byte, 0, max(min(max(2*cap(a.buf), minArenaBytes), maxArenaBytes), n))
	}
	start := len(a.buf)
	a.buf = a.buf[:start+n]
	return a.buf[start : start+n : start+n]
}
