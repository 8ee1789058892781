package flow

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/astapi/astapi/internal/ids"
	"github.com/astapi/astapi/parser"
)

// reader carries the state of one Build.
type reader struct {
	in       Input
	dp       *parser.Dialplan
	owners   map[string][]int // context -> indexes of the tenants owning it
	phones   map[string]*Phone
	phoneNum map[string][]*Phone
	trunks   map[string]*Trunk
	nodes    map[nodeKey]*node
	memo     map[pos]*node
	queue    []*node // registered, in registration order
	edges    []*edge
	edgeSeen map[edgeKey]bool
	diags    parser.Diagnostics
	warned   map[string]bool
	extIndex map[*parser.Extension]int // an extension's place in its context
}

// edge is an Edge while the graph is read.
type edge struct {
	kind     string
	from, to *node
	src      pos
}

type edgeKey struct {
	from *node
	kind string
	to   *node
}

func (r *reader) warn(p parser.Pos, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	k := p.String() + msg
	if r.warned[k] {
		return
	}
	r.warned[k] = true
	r.diags = append(r.diags, parser.Diagnostic{Pos: p, Severity: parser.Warning, Message: msg})
}

// Build reads the call flow of in: the objects, the destinations between
// them, and the diagnostics met on the way (Goto targets that do not
// exist). The result is deterministic for given files.
func Build(in Input) (*Graph, parser.Diagnostics) {
	dp := in.Dialplan
	if dp == nil {
		dp = parser.BuildDialplan(&parser.Config{})
	}
	r := &reader{in: in, dp: dp, owners: map[string][]int{}, phones: map[string]*Phone{},
		phoneNum: map[string][]*Phone{}, trunks: map[string]*Trunk{}, nodes: map[nodeKey]*node{},
		memo: map[pos]*node{}, edgeSeen: map[edgeKey]bool{}, warned: map[string]bool{},
		extIndex: map[*parser.Extension]int{}}
	for _, c := range dp.Contexts {
		for i, e := range c.Extensions {
			r.extIndex[e] = i
		}
	}
	for i, t := range in.Tenants {
		for _, c := range t.Contexts {
			r.owners[c] = append(r.owners[c], i)
		}
	}
	for i := range in.Phones {
		ph := &in.Phones[i]
		r.phones[strings.ToUpper(ph.Tech)+"/"+ph.Name] = ph
		if ph.Number != "" {
			r.phoneNum[ph.Number] = append(r.phoneNum[ph.Number], ph)
		}
	}
	for i := range in.Trunks {
		t := &in.Trunks[i]
		r.trunks[strings.ToUpper(t.Tech)+"/"+t.Name] = t
	}
	r.inbound()
	r.seeds()
	// Registering a node may register more (its targets): the queue grows
	// while it is walked.
	for i := 0; i < len(r.queue); i++ {
		r.sources(r.queue[i])
	}
	g := r.graph()
	r.diags.Sort()
	return g, r.diags
}

// register makes n an object of the graph.
func (r *reader) register(n *node) {
	if n == nil || n.registered {
		return
	}
	n.registered = true
	n.order = len(r.queue)
	r.queue = append(r.queue, n)
}

// addEdge records one destination, once per (source, kind, target).
func (r *reader) addEdge(kind string, from *node, src pos, to *node) {
	if to == nil {
		return
	}
	k := edgeKey{from, kind, to}
	if r.edgeSeen[k] {
		return
	}
	r.edgeSeen[k] = true
	r.register(to)
	r.edges = append(r.edges, &edge{kind: kind, from: from, to: to, src: src})
}

func (r *reader) newState() *state {
	b := walkBudget
	return &state{budget: &b}
}

// seeds registers the objects of the tenants' own contexts that have
// outcomes (phones, ring groups, queues, IVRs, conditions), so that what
// follows them is read even when no route leads to them.
func (r *reader) seeds() {
	for _, c := range r.dp.Contexts {
		if len(r.owners[c.Name]) == 0 || systemContext(c.Name) {
			continue
		}
		for _, e := range c.Extensions {
			if e.IsPattern() || special[e.Exten] || len(e.Priorities) == 0 || strings.HasPrefix(e.Exten, "*") {
				continue // patterns, special extensions, feature codes
			}
			n := r.typeFrom(pos{c: c, e: e}, r.newState())
			if n == nil || n.raw != "" || n.anchor.c != c {
				continue
			}
			switch n.obj.Type {
			case TypeExt, TypeHuntlist, TypeQueue, TypeIVR:
				r.register(n)
			case TypeCondition:
				// Time, day/night and caller-ID conditions; a test of any
				// other expression is a condition when a route leads to it.
				if n.obj.Condition != nil && n.obj.Condition.Kind != CondExpression {
					r.register(n)
				}
			}
		}
	}
}

// sources emits the destinations leaving n (SPEC §4 "Sources").
func (r *reader) sources(n *node) {
	if n.raw != "" || systemContext(n.anchor.c.Name) {
		return
	}
	switch n.obj.Type {
	case TypeDID:
		r.addEdge(SrcDID, n, n.anchor, r.typeSource(n.anchor, n))
	case TypeCondition:
		r.addEdge(SrcCondition, n, n.anchor, n.yes)
		r.addEdge(SrcNotCondition, n, n.anchor, n.no)
	case TypeIVR:
		for _, e := range n.anchor.c.Extensions {
			k := ivrKey(e.Exten)
			if k == "" || e == n.anchor.e || e.CID != "" || len(e.Priorities) == 0 {
				continue
			}
			p := pos{c: n.anchor.c, e: e}
			r.addEdge(k, n, p, r.typeSource(p, n))
		}
	case TypeExt:
		na := r.after(n, "NOANSWER")
		busy := r.after(n, "BUSY")
		r.addEdge(SrcExtNoAnswer, n, n.anchor, na)
		if busy != na {
			r.addEdge(SrcExtBusy, n, n.anchor, busy)
		}
	case TypeHuntlist:
		r.addEdge(SrcHuntlistTimeout, n, n.anchor, r.after(n, "NOANSWER"))
	case TypeQueue:
		r.addEdge(SrcQueueTimeout, n, n.anchor, r.after(n, "NOANSWER"))
	}
}

// typeSource types the target of a source that starts at p (a DID's or
// an IVR key's first priority) of object from (SPEC §4 "Where a target
// starts").
func (r *reader) typeSource(p pos, from *node) *node {
	st := r.newState()
	st.own, st.leaving, st.src = &p, from, true
	return r.typeFrom(p, st)
}

// after types what follows n's Dial/Queue when it ends with status.
func (r *reader) after(n *node, status string) *node {
	st := r.newState()
	st.stack = append([]frame(nil), n.stack...)
	st.own, st.leaving, st.status = &n.anchor, n, status
	start := n.cont.next()
	// A group rung in turn goes on after its last Dial.
	if n.obj.Type == TypeHuntlist && n.obj.Hunt != nil && n.obj.Hunt.Strategy == HuntHunt && lowerApp(n.cont.prio().App) == "dial" {
		q := n.cont
		for range len(n.phones) - 1 {
			q = r.nextDecisive(q)
		}
		start = q.next()
	}
	to := r.typeFrom(start, st)
	if to == n {
		return nil
	}
	return to
}

// entry is where an object starts: the lowest priority of its
// extension from which typing reaches it (its own plumbing included).
func (r *reader) entry(n *node) pos {
	p := n.anchor
	for p.i > 0 {
		q := pos{p.c, p.e, p.i - 1, p.num}
		if r.typeFrom(q, r.newState()) != n {
			break
		}
		p = q
	}
	return p
}

// graph turns the registered nodes and edges into the Graph: entries,
// names, tenants and IDs.
func (r *reader) graph() *Graph {
	g := &Graph{}
	for _, n := range r.queue {
		o := &n.obj
		if n.raw == "" {
			if o.Type != TypeDID {
				ep := r.entry(n)
				o.Entry, o.Pos = ep.String(), ep.prio().Pos
			}
			if o.Name == "" {
				o.Name = r.name(n)
			}
		}
	}
	r.tenants()
	// What belongs to no tenant is served to nobody: left out.
	owned := r.queue[:0]
	for _, n := range r.queue {
		if n.obj.TenantID != "" {
			owned = append(owned, n)
		}
	}
	r.queue = owned
	keptEdges := r.edges[:0]
	for _, e := range r.edges {
		if e.from.obj.TenantID != "" && e.to.obj.TenantID != "" {
			keptEdges = append(keptEdges, e)
		}
	}
	r.edges = keptEdges
	keyOf := map[string]string{}
	for _, t := range r.in.Tenants {
		keyOf[t.ID] = t.Key
	}
	objKeys := make([]string, len(r.queue))
	for i, n := range r.queue {
		objKeys[i] = strings.Join([]string{keyOf[n.obj.TenantID], n.obj.Type, n.obj.Entry}, "\x00")
		if n.via != "" {
			objKeys[i] += "\x00" + n.via
		}
	}
	objIDs := ids.New("object").AssignList(objKeys)
	for i, n := range r.queue {
		n.obj.ID = objIDs[i]
		g.Objects = append(g.Objects, &n.obj)
	}
	// de_ord: the order of a target among its source's targets of a kind.
	ord := map[edgeKey]int{}
	edgeKeys := make([]string, len(r.edges))
	for i, e := range r.edges {
		k := edgeKey{e.from, e.kind, nil}
		ord[k]++
		out := &Edge{TypeSrc: e.kind, From: &e.from.obj, To: &e.to.obj, Ord: ord[k], Src: e.src.String(), Pos: e.src.prio().Pos}
		out.TenantID = e.to.obj.TenantID
		if out.TenantID == "" {
			out.TenantID = e.from.obj.TenantID
		}
		g.Edges = append(g.Edges, out)
		edgeKeys[i] = strings.Join([]string{keyOf[out.TenantID], out.TypeSrc, out.Src, out.TypeDst(), out.Dst(), strconv.Itoa(out.Ord)}, "\x00")
	}
	// Two edges a client cannot tell apart are one.
	seen := map[string]bool{}
	kept, keptKeys := g.Edges[:0], edgeKeys[:0]
	for i, e := range g.Edges {
		if !seen[edgeKeys[i]] {
			seen[edgeKeys[i]] = true
			kept, keptKeys = append(kept, e), append(keptKeys, edgeKeys[i])
		}
	}
	g.Edges = kept
	edgeIDs := ids.New("destination").AssignList(keptKeys)
	for i, e := range g.Edges {
		e.ID = edgeIDs[i]
	}
	sortByID(g.Objects, func(o *Object) string { return o.ID })
	sortByID(g.Edges, func(e *Edge) string { return e.ID })
	return g
}

// tenants gives every object its tenant: a DID the tenant of its target;
// a phone or ring group the tenant of its phones; any other object the
// tenant owning its context, the first one when several do; else the
// tenant of the first object leading to it.
func (r *reader) tenants() {
	byObj := map[*node][]*edge{}
	firstOut := map[*node]*edge{}
	for _, e := range r.edges {
		byObj[e.to] = append(byObj[e.to], e)
		if firstOut[e.from] == nil {
			firstOut[e.from] = e
		}
	}
	var tenantOf func(n *node, depth int) string
	done := map[*node]bool{}
	tenantOf = func(n *node, depth int) string {
		if done[n] || depth > 32 {
			return n.obj.TenantID
		}
		t := ""
		switch {
		case len(n.phones) > 0:
			t = n.phones[0].TenantID
		case n.raw == "" && n.obj.Type != TypeDID && len(r.owners[n.anchor.c.Name]) > 0:
			t = r.in.Tenants[r.owners[n.anchor.c.Name][0]].ID
		}
		if n.obj.Type == TypeDID {
			if e := firstOut[n]; e != nil {
				t = tenantOf(e.to, depth+1)
			}
			if t == "" && n.obj.DID != nil {
				t = r.trunkTenant(n.obj.DID.Trunks)
			}
			if t == "" && len(r.owners[n.anchor.c.Name]) > 0 {
				t = r.in.Tenants[r.owners[n.anchor.c.Name][0]].ID
			}
		}
		if t == "" {
			for _, e := range byObj[n] {
				if e.from != n {
					if t = tenantOf(e.from, depth+1); t != "" {
						break
					}
				}
			}
		}
		n.obj.TenantID = t
		done[n] = true
		return t
	}
	for _, n := range r.queue {
		if tenantOf(n, 0) == "" && len(r.in.Tenants) == 1 {
			n.obj.TenantID = r.in.Tenants[0].ID
		}
	}
}

// trunkTenant is the tenant of the first of the named trunks that has one.
func (r *reader) trunkTenant(names []string) string {
	for _, name := range names {
		for i := range r.in.Trunks {
			if t := &r.in.Trunks[i]; t.Name == name && t.TenantID != "" {
				return t.TenantID
			}
		}
	}
	return ""
}

// sortByID sorts list by numeric ID, parsing each ID once.
func sortByID[T any](list []T, id func(T) string) {
	type keyed struct {
		n uint64
		v T
	}
	tmp := make([]keyed, len(list))
	for i, v := range list {
		n, _ := strconv.ParseUint(id(v), 10, 64)
		tmp[i] = keyed{n, v}
	}
	sort.SliceStable(tmp, func(i, j int) bool { return tmp[i].n < tmp[j].n })
	for i := range tmp {
		list[i] = tmp[i].v
	}
}
