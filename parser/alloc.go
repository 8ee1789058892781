package parser

import "unsafe"

// A slab hands out pointers to the elements of chunks it allocates, so
// that many small objects of one kind cost one allocation per chunk. The
// objects of a chunk stay in memory as long as any of them is reachable:
// use it for objects that live and die together.
type slab[T any] struct {
	buf []T
}

const (
	minSlab = 16
	maxSlab = 512
)

func (s *slab[T]) new() *T {
	if len(s.buf) == cap(s.buf) {
		s.buf = make([]T, 0, min(max(2*cap(s.buf), minSlab), maxSlab))
	}
	s.buf = s.buf[:len(s.buf)+1]
	return &s.buf[len(s.buf)-1]
}

// one returns a slice of length and capacity 1 holding v (an append to
// it copies).
func (s *slab[T]) one(v T) []T {
	p := s.new()
	*p = v
	return unsafe.Slice(p, 1)
}

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
