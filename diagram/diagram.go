package diagram

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"sync"

	"github.com/goccy/go-graphviz"
	lru "github.com/hashicorp/golang-lru/v2"
)

// DefaultMaxBytes bounds the DOT text a Renderer lays out. Graphviz's dot
// layout grows much faster than linearly: measured here, a tree-like flow
// of 300 objects (29 KB of DOT) draws in 0.3 s and one of 600 (58 KB) in
// 11 s; a tangled one of 200 objects (22 KB) takes 2.5 s, of 500 two
// minutes. Renders are serialised and cannot be interrupted, so a larger
// graph is refused (the DOT text stays available) rather than hold the
// renderer.
const DefaultMaxBytes = 32 << 10

// cacheEntries is how many rendered drawings a Renderer keeps: a few
// tenants' graphs of the served snapshot and of the previous one.
const cacheEntries = 64

// TooLargeError is returned for a graph over the Renderer's size limit.
type TooLargeError struct{ Size, Limit int }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("graph too large to draw: %d bytes of DOT, limit %d", e.Size, e.Limit)
}

// GraphTooLarge tells the API (which does not import this package) that
// the graph, not the server, is at fault.
func (e *TooLargeError) GraphTooLarge() bool { return true }

// Renderer draws DOT text as SVG. Safe for concurrent use.
type Renderer struct {
	maxBytes int
	cache    *lru.Cache[[sha256.Size]byte, []byte]

	mu sync.Mutex         // one render at a time (one WebAssembly instance)
	gv *graphviz.Graphviz // made on first use
}

// New returns a Renderer that refuses DOT texts over maxBytes (0 means
// DefaultMaxBytes).
func New(maxBytes int) *Renderer {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	c, _ := lru.New[[sha256.Size]byte, []byte](cacheEntries)
	return &Renderer{maxBytes: maxBytes, cache: c}
}

// SVG returns dot laid out by Graphviz's dot engine as an SVG document
// (without the XML prolog and DOCTYPE, so it can also be inlined in
// HTML). The returned slice is shared: callers must not modify it.
func (r *Renderer) SVG(ctx context.Context, dot []byte) ([]byte, error) {
	if len(dot) > r.maxBytes {
		return nil, &TooLargeError{Size: len(dot), Limit: r.maxBytes}
	}
	key := sha256.Sum256(dot)
	if svg, ok := r.cache.Get(key); ok {
		return svg, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	// Another request may have drawn it while this one waited.
	if svg, ok := r.cache.Get(key); ok {
		return svg, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r.gv == nil {
		gv, err := graphviz.New(ctx)
		if err != nil {
			return nil, fmt.Errorf("diagram: starting graphviz: %w", err)
		}
		r.gv = gv
	}
	g, err := graphviz.ParseBytes(dot)
	if err != nil {
		return nil, fmt.Errorf("diagram: reading the DOT text: %w", err)
	}
	defer g.Close()
	var buf bytes.Buffer
	if err := r.gv.Render(ctx, g, graphviz.SVG, &buf); err != nil {
		return nil, fmt.Errorf("diagram: drawing: %w", err)
	}
	svg := trimProlog(buf.Bytes())
	r.cache.Add(key, svg)
	return svg, nil
}

// trimProlog drops what precedes the <svg element (the XML declaration,
// DOCTYPE and Graphviz's generator comment): an SVG document is valid
// without them, and HTML does not allow them inline.
func trimProlog(b []byte) []byte {
	if i := bytes.Index(b, []byte("<svg")); i > 0 {
		b = b[i:]
	}
	return bytes.Clone(bytes.TrimSpace(b))
}
