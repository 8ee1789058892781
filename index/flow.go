package index

import (
	"bytes"
	"maps"
	"path/filepath"
	"sync"

	"github.com/astapi/astapi/flow"
	"github.com/astapi/astapi/internal/safefile"
	"github.com/astapi/astapi/parser"
)

// NormalizeType maps the alias "NOT CONDITION" to "NOTCONDITION" and
// upper-cases any other type name (see flow.NormalizeType).
func NormalizeType(t string) string { return flow.NormalizeType(t) }

// callFlow reads the call-flow graph (package flow) from the dialplan,
// the tenants' contexts, the phones and the trunks, and returns it with
// the destinations (its edges as /destination/all lists them) and what
// it found wrong. It only reads the builder: load runs it beside the
// other derivations.
func (b *builder) callFlow(exts []*Extension, trunks []*Peer) (*flow.Graph, []*Destination, *flowGroups, parser.Diagnostics) {
	in := flow.Input{Dialplan: b.dp, Line: newLineReader(b.dir).line, Digests: b.digests, Whole: b.wholeFlow}
	if b.prev != nil && b.prev.Server.AsteriskDir == b.dir {
		in.Previous = b.prev.Flow
	}
	in.Tenants = make([]flow.Tenant, 0, len(b.tenants))
	for _, t := range b.tenants {
		in.Tenants = append(in.Tenants, flow.Tenant{ID: t.ID, Key: t.Key, Contexts: t.Contexts})
	}
	n := 0
	for _, e := range exts {
		n += len(e.Peers)
	}
	in.Phones = make([]flow.Phone, 0, n)
	for _, e := range exts {
		for _, p := range e.Peers {
			in.Phones = append(in.Phones, flow.Phone{Tech: p.Tech, Name: p.Name, Number: e.Number, TenantID: e.TenantID, Context: p.Context})
		}
	}
	in.Trunks = make([]flow.Trunk, 0, len(trunks))
	for _, p := range trunks {
		in.Trunks = append(in.Trunks, flow.Trunk{Tech: p.Tech, Name: p.Name, Context: p.Context, TenantID: p.TenantID})
	}
	g, diags := flow.Build(in)
	// An edge taken over from the previous graph keeps its destination.
	// Both lists are sorted by ID: one walk finds them, on the IDs as
	// numbers when both graphs have them (reading each edge's ID costs
	// more than the walk at half a million edges).
	var prevEdges []*flow.Edge
	if in.Previous != nil && len(b.prev.Destinations) == len(in.Previous.Edges) {
		prevEdges = in.Previous.Edges
	}
	nums, prevNums := g.EdgeNums(), in.Previous.EdgeNums()
	byNums := nums != nil && prevNums != nil
	less := func(j, i int) bool {
		if byNums {
			return prevNums[j] < nums[i]
		}
		return idLess(prevEdges[j].ID, g.Edges[i].ID)
	}
	dests := make([]*Destination, 0, len(g.Edges))
	// made: the destinations made anew, when the graph's lists were
	// changed in a few places (see regroupFlow).
	var made map[*flow.Edge]*Destination
	if g.Changes() != nil && prevEdges != nil {
		made = map[*flow.Edge]*Destination{}
	}
	j := 0
	for i, e := range g.Edges {
		for j < len(prevEdges) && less(j, i) {
			j++
		}
		// Destinations are made from the edges one each, in order: the
		// one at j is prevEdges[j]'s.
		if j < len(prevEdges) && prevEdges[j] == e {
			dests = append(dests, b.prev.Destinations[j])
			continue
		}
		d := &Destination{ID: e.ID, TenantID: e.TenantID, TypeSrc: e.TypeSrc, TypeDst: e.TypeDst(),
			Ord: e.Ord, Src: e.Src, Dst: e.Dst(), File: e.Pos.File, Line: e.Pos.Line}
		dests = append(dests, d)
		if made != nil {
			made[e] = d
		}
	}
	return g, dests, regroupFlow(b.prev, g, made), diags
}

// flowGroups are the call flow's lists by tenant, as the Snapshot keeps
// them (objByTenant, edgesByTenant, destByTenant).
type flowGroups struct {
	objects map[string][]*flow.Object
	edges   map[string][]*flow.Edge
	dests   map[string][]*Destination
}

// regroupFlow makes the call flow's lists by tenant from prev's when the
// Build changed prev's lists in a few places (flow.Graph.Changes) and the
// destinations of the edges it kept are prev's (made holds the others):
// only the tenants of the items added or left out are grouped again. It
// returns nil otherwise, or when it cannot tell; newSnapshot then groups
// every item.
func regroupFlow(prev *Snapshot, g *flow.Graph, made map[*flow.Edge]*Destination) *flowGroups {
	ch := g.Changes()
	if ch == nil || made == nil || prev == nil || prev.objByTenant == nil || prev.edgesByTenant == nil || prev.destByTenant == nil {
		return nil
	}
	out := &flowGroups{}
	out.objects, _ = regroup(prev.objByTenant, ch.AddedObjects, ch.DroppedObjects,
		func(o *flow.Object) string { return o.TenantID }, func(o *flow.Object) string { return o.ID })
	var changed map[string]bool
	out.edges, changed = regroup(prev.edgesByTenant, ch.AddedEdges, ch.DroppedEdges,
		func(e *flow.Edge) string { return e.TenantID }, func(e *flow.Edge) string { return e.ID })
	out.dests = maps.Clone(prev.destByTenant)
	for t := range changed {
		edges := out.edges[t]
		if len(edges) == 0 {
			delete(out.dests, t)
			continue
		}
		// A tenant's destinations are its edges', in their order.
		was, wasDests := prev.edgesByTenant[t], prev.destByTenant[t]
		if len(was) != len(wasDests) {
			return nil
		}
		of := make(map[*flow.Edge]*Destination, len(was))
		for k, e := range was {
			of[e] = wasDests[k]
		}
		ds := make([]*Destination, len(edges))
		for k, e := range edges {
			if ds[k] = made[e]; ds[k] == nil {
				if ds[k] = of[e]; ds[k] == nil {
					return nil
				}
			}
		}
		out.dests[t] = ds
	}
	return out
}

// regroup is groups (a list by tenant) after the list gained added (in
// ID order) and lost dropped: the groups of the tenants of neither are
// taken over; those of the others are merged again, in ID order. It
// returns those tenants too.
func regroup[T comparable](groups map[string][]T, added []T, dropped map[T]bool, tenant, id func(T) string) (map[string][]T, map[string]bool) {
	addedBy := map[string][]T{}
	changed := map[string]bool{}
	for _, it := range added {
		t := tenant(it)
		addedBy[t] = append(addedBy[t], it)
		changed[t] = true
	}
	for it := range dropped {
		changed[tenant(it)] = true
	}
	out := maps.Clone(groups)
	for t := range changed {
		old, add := groups[t], addedBy[t]
		list := make([]T, 0, len(old)+len(add))
		j := 0
		for _, it := range old {
			if dropped[it] {
				continue
			}
			for ; j < len(add) && idLess(id(add[j]), id(it)); j++ {
				list = append(list, add[j])
			}
			list = append(list, it)
		}
		list = append(list, add[j:]...)
		if len(list) == 0 {
			delete(out, t)
		} else {
			out[t] = list
		}
	}
	return out, changed
}

// idLess orders numeric IDs (decimal, no leading zeros) as numbers.
func idLess(a, b string) bool { return len(a) < len(b) || len(a) == len(b) && a < b }

// lineReader returns lines of the configuration files (for the names of
// call-flow objects, which FreePBX writes as comments), reading each file
// once, on first use.
type lineReader struct {
	dir   string
	mu    sync.Mutex // the call flow's parts are read in parallel
	files map[string][][]byte
}

func newLineReader(dir string) *lineReader {
	return &lineReader{dir: dir, files: map[string][][]byte{}}
}

// line returns line n (1-based) of file (relative to the Asterisk
// directory, as in parser.Pos), or "".
func (l *lineReader) line(file string, n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	lines, ok := l.files[file]
	if !ok {
		path := file
		if !filepath.IsAbs(path) {
			path = filepath.Join(l.dir, file)
		}
		// Only a regular file under 64 MiB (safefile refuses a FIFO without blocking on it).
		if data, err := safefile.ReadFile(path, 64<<20-1); err == nil {
			lines = bytes.Split(data, []byte("\n"))
		}
		l.files[file] = lines
	}
	if n < 1 || n > len(lines) {
		return ""
	}
	return string(bytes.TrimRight(lines[n-1], "\r"))
}
