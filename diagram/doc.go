// Package diagram draws a call-flow graph (the DOT text of flow.WriteDOT)
// as SVG, server-side, with github.com/goccy/go-graphviz: Graphviz's own C
// code compiled to WebAssembly and run by wazero, so the binary needs
// neither cgo nor an installed Graphviz. One Renderer per process: the
// WebAssembly module is one instance with one linear memory, so renders
// are serialised, and a small cache keyed by the DOT text's hash answers
// repeated requests (a snapshot's graph only changes on reload) without
// laying the graph out again.
package diagram
