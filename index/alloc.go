package index

import "unsafe"

// strArena packs strings into shared chunks: one allocation per chunk
// instead of one per string. Bytes handed out are never written again.
// Like a slab, it is for strings that live and die together.
type strArena struct {
	buf []byte
}

const (
	minArenaBytes = 1 << 10
	maxArenaBytes = 64 << 10
)

// reserve makes room for n more bytes.
func (a *strArena) reserve(n int) {
	if cap(a.buf)-len(a.buf) < n {
		a.buf = make([]byte, 0, max(min(max(2*cap(a.buf), minArenaBytes), maxArenaBytes), n))
	}
}

// since returns the bytes appended to a.buf from start as a string.
func (a *strArena) since(start int) string {
	if start == len(a.buf) {
		return ""
	}
	return unsafe.String(&a.buf[start], len(a.buf)-start)
}

// concat returns the concatenation of parts.
func (a *strArena) concat(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	a.reserve(n)
	start := len(a.buf)
	for _, p := range parts {
		a.buf = append(a.buf, p...)
	}
	return a.since(start)
}

// lower returns strings.ToLower(s).
func (a *strArena) lower(s string) string {
	a.reserve(len(s))
	start := len(a.buf)
	if b, ok := lowerASCII(a.buf, s); ok {
		if string(b[start:]) == s {
			a.buf = a.buf[:start]
			return s
		}
		a.buf = b
		return a.since(start)
	}
	return lower(s)
}
