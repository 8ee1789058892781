// Package slab hands out objects from chunks allocated together, so that
// many small objects of one kind cost one allocation per chunk. The objects
// of a chunk stay in memory as long as any of them is reachable: use it for
// objects that live and die together (those of one parse or one snapshot).
package slab

import "unsafe"

// Slab allocates values of type T in chunks. The zero value is ready.
type Slab[T any] struct {
	buf []T
}

const (
	minChunk = 16
	maxChunk = 512
)

// New returns a pointer to a fresh zero T.
func (s *Slab[T]) New() *T {
	if len(s.buf) == cap(s.buf) {
		s.buf = make([]T, 0, min(max(2*cap(s.buf), minChunk), maxChunk))
	}
	s.buf = s.buf[:len(s.buf)+1]
	return &s.buf[len(s.buf)-1]
}

// One returns a slice of length and capacity 1 holding v (an append to it
// copies, so the neighbours in the chunk are never overwritten).
func (s *Slab[T]) One(v T) []T {
	p := s.New()
	*p = v
	return unsafe.Slice(p, 1)
}
