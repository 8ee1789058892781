package flow

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// WriteDOT writes objects and the edges between them as a Graphviz digraph
// named title: each object a node labelled with its type and name, each
// edge labelled with its source kind (and its order when a source has
// several targets of one kind). Only edges whose both ends are in objects
// are drawn, so a caller may pass one tenant's part of a Graph.
func WriteDOT(w io.Writer, title string, objects []*Object, edges []*Edge) error {
	bw := bufio.NewWriter(w)
	in := make(map[*Object]bool, len(objects))
	bw.WriteString("digraph ")
	bw.WriteString(dotQuote(title))
	bw.WriteString(" {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n")
	for _, o := range objects {
		in[o] = true
		bw.WriteString("  ")
		bw.WriteString(dotQuote("o" + o.ID))
		bw.WriteString(" [label=")
		bw.WriteString(dotQuote(o.Type + "\n" + o.Name))
		bw.WriteString(", tooltip=")
		bw.WriteString(dotQuote(o.Entry))
		if o.Type == TypeDID {
			bw.WriteString(", shape=cds")
		}
		bw.WriteString("];\n")
	}
	for _, e := range edges {
		if !in[e.From] || !in[e.To] {
			continue
		}
		label := e.TypeSrc
		if e.Ord > 1 {
			label += " #" + strconv.Itoa(e.Ord)
		}
		bw.WriteString("  ")
		bw.WriteString(dotQuote("o" + e.From.ID))
		bw.WriteString(" -> ")
		bw.WriteString(dotQuote("o" + e.To.ID))
		bw.WriteString(" [label=")
		bw.WriteString(dotQuote(label))
		bw.WriteString("];\n")
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

// dotQuote quotes s as a DOT string: backslashes and quotes escaped,
// newlines as DOT's centred line break.
func dotQuote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
