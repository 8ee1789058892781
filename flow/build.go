package flow

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/astapi/astapi/internal/parallel"
	"github.com/astapi/astapi/parser"
)

// shared is what every part of one Build reads (see parts.go): worked
// out once from the whole input, never written while the parts are read.
type shared struct {
	in    Input
	whole *parser.Dialplan
	*tables
	internal *phoneContexts
	freepbx  bool        // see system
	links    *splitLinks // what split found
	delta    tableDelta  // from the previous Build's tables
	// sameNames: the dialplan has the previous Build's context names in
	// the same places, and its globals (split). settled: that, and the
	// previous Build's tables: see key and reuse.
	sameNames, settled bool
	// sums are writers free for newSum. Not a sync.Pool: the runtime
	// holds a pool until two collections have passed, and with it this
	// struct, the Input and the previous Graph.
	sumsMu sync.Mutex
	sums   []*sumWriter
}

// reader carries the state of reading one part of the dialplan (all of
// it when it is not split).
type reader struct {
	*shared
	dp        *parser.Dialplan // the part's view of the dialplan
	trunkList []Trunk          // the trunks whose calls start in the part
	nodes     map[nodeKey]*node
	memo      []typed        // see memoAt
	memoNum   map[pos]*typed // see memoAt
	nodeSlots []int32        // see node
	all       []*node        // the nodes by number (see number)
	apps      []uint16       // see app: numbers in appNames (0: not known yet)
	appNames  []string
	appNo     map[string]uint16
	lastExt   *parser.Extension // the extension slot found last, and its first slot
	lastSlot  int
	typings   int     // typeFrom calls so far
	queue     []*node // registered, in registration order
	edges     []*edge
	edgeSeen  map[edgeKey]bool
	diags     parser.Diagnostics
	warned    map[string]bool
	extIndex  map[*parser.Extension]extIndex
	// What the part read of the shared phones (see parts.go: a part is
	// reused only while these lookups answer the same), and whether it
	// looked up a context outside its view.
	lookups []string
	escaped bool
	// The phones that had an EXT when seedPatternPhones began, and those
	// it gave one: reading the whole dialplan, the first keep the second
	// from getting one, across parts too (see parts.go).
	hadExt        map[*Phone]bool
	patternSeeded []*Phone
}

// extIndex is an extension's place in its context, and its first slot in
// reader.memo (one per priority, and one for its end).
type extIndex struct{ index, slot int }

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

// newShared works out what every part reads.
func newShared(in Input) *shared {
	if in.Dialplan == nil {
		in.Dialplan = parser.BuildDialplan(&parser.Config{})
	}
	dp := in.Dialplan
	sh := &shared{in: in, whole: dp, freepbx: dp.Context("from-internal-xfer") != nil}
	var wg sync.WaitGroup
	var prev *tables
	if in.Previous != nil {
		prev = in.Previous.tables
	}
	if prev.serves(in) {
		sh.tables = prev
		sh.delta = tableDelta{tenantsKept: true, trunksKept: true, phonesPatched: true}
	} else {
		sh.tables, sh.delta = newTables(in, prev, &wg)
	}
	// The tables point into their own lists, equal to in's: read those.
	sh.in.Tenants, sh.in.Phones, sh.in.Trunks = sh.tenants, sh.phoneList, sh.trunkList
	sh.internal = sh.phoneContexts()
	wg.Wait()
	return sh
}

// newReader prepares reading the contexts of dp (a view of the whole
// dialplan, or the whole) and the calls trunks bring in.
func (sh *shared) newReader(dp *parser.Dialplan, trunks []Trunk) *reader {
	// The big maps are sized from the dialplan: growing them step by step
	// costs a big PBX more than reading it.
	exts := 0
	for _, c := range dp.Contexts {
		exts += len(c.Extensions)
	}
	r := &reader{shared: sh, dp: dp, trunkList: trunks, nodes: map[nodeKey]*node{}, memoNum: map[pos]*typed{}, edgeSeen: make(map[edgeKey]bool, exts),
		warned: map[string]bool{}, extIndex: make(map[*parser.Extension]extIndex, exts)}
	slots := 0
	for _, c := range dp.Contexts {
		for i, e := range c.Extensions {
			x, seen := r.extIndex[e]
			if !seen {
				x.slot = slots
				slots += len(e.Priorities) + 1
			}
			x.index = i
			r.extIndex[e] = x
		}
	}
	r.memo = make([]typed, slots)
	r.nodeSlots = make([]int32, slots)
	r.all = []*node{nil}
	r.apps = make([]uint16, slots)
	r.appNames, r.appNo = []string{""}, map[string]uint16{}
	return r
}

// read reads the reader's part: its DIDs, the objects of the tenants'
// contexts, and everything they lead to.
func (r *reader) read() *partGraph {
	r.inbound()
	r.seeds()
	// Registering a node may register more (its targets): the queue grows
	// while it is walked.
	for i := 0; i < len(r.queue); i++ {
		r.sources(r.queue[i])
	}
	return r.graph()
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
	defer r.seedPatternPhones()
	for _, c := range r.dp.Contexts {
		if len(r.owners[c.Name]) == 0 || r.system(c.Name) {
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
	if n.raw != "" || r.system(n.anchor.c.Name) {
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
		if busy != na || (busy != nil && guiPhone(n)) {
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
		if r.typeBefore(q, p) != n {
			break
		}
		p = q
	}
	return p
}

// typeBefore is typeFrom(q, r.newState()) where p is q's next priority.
// When q is transparent and p's memoised walk went straight to an object
// (see typed), the walk from q is that walk one step longer: its result
// is known without walking again (while that is within walkBudget),
// which keeps entry linear in the length of an extension rather than
// quadratic.
func (r *reader) typeBefore(q, p pos) *node {
	if m := r.memoAt(p); m.state == wasTyped && m.straight && m.n != 0 && m.steps < walkBudget &&
		transparent[r.app(q)] && !recognised(q) {
		if mq := r.memoAt(q); mq.state == unTyped {
			*mq = typed{n: m.n, steps: m.steps + 1, straight: true, state: wasTyped}
			return r.all[m.n]
		}
	}
	return r.typeFrom(q, r.newState())
}

// partGraph is what reading a part found: its objects and edges (IDs
// not given yet), the keys the IDs are derived from, its diagnostics.
type partGraph struct {
	objects  []*Object
	objKeys  []string
	edges    []*Edge
	edgeKeys []string
	diags    parser.Diagnostics
	// The IDs as numbers, kept for the next Build instead of the keys.
	objNums, edgeNums []uint64
}

// graph turns the registered nodes and edges into the part's objects and
// edges: entries, names, tenants and the keys of their IDs.
func (r *reader) graph() *partGraph {
	g := &partGraph{}
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
	// The keys of the IDs hold the tenants' keys (see parts.go: look).
	keyed := map[string]bool{}
	for _, n := range r.queue {
		if id := n.obj.TenantID; !keyed[id] {
			keyed[id] = true
			r.look(lookTenantKey, id)
		}
	}
	// The objects move out of the nodes into one array: the snapshot
	// keeps them, not what reading them took.
	objs := make([]Object, len(r.queue))
	g.objects = make([]*Object, len(r.queue))
	g.objKeys = make([]string, len(r.queue))
	for i, n := range r.queue {
		objs[i] = n.obj
		n.out = &objs[i]
		g.objects[i] = &objs[i]
		g.objKeys[i] = strings.Join([]string{r.tenantKey[n.obj.TenantID], n.obj.Type, n.obj.Entry}, "\x00")
		if n.via != "" {
			g.objKeys[i] += "\x00" + n.via
		}
	}
	// de_ord: the order of a target among its source's targets of a kind.
	ords := make([]int, len(r.edges))
	ord := make(map[edgeKey]int, len(r.edges))
	for i, e := range r.edges {
		k := edgeKey{e.from, e.kind, nil}
		ord[k]++
		ords[i] = ord[k]
	}
	// The edges and their keys, each on its own: built in parallel runs
	// (a part that is the whole of a big dialplan has many).
	edges := make([]*Edge, len(r.edges))
	edgeKeys := make([]string, len(r.edges))
	inRuns(len(r.edges), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			e := r.edges[i]
			// An edge is its target's tenant's (both ends have one: see above).
			out := &Edge{TypeSrc: e.kind, From: e.from.out, To: e.to.out, Ord: ords[i], Src: e.src.String(), Pos: e.src.prio().Pos,
				TenantID: e.to.obj.TenantID}
			edges[i] = out
			edgeKeys[i] = strings.Join([]string{r.tenantKey[out.TenantID], out.TypeSrc, out.Src, out.TypeDst(), out.Dst(), strconv.Itoa(out.Ord)}, "\x00")
		}
	})
	// Two edges a client cannot tell apart are one.
	seen := make(map[string]bool, len(edgeKeys))
	for i, e := range edges {
		if !seen[edgeKeys[i]] {
			seen[edgeKeys[i]] = true
			g.edges, g.edgeKeys = append(g.edges, e), append(g.edgeKeys, edgeKeys[i])
		}
	}
	r.diags.Sort()
	g.diags = r.diags
	return g
}

// tenants gives every object its tenant: a DID the tenant of its target;
// a phone or ring group the tenant of its phones; any other object the
// tenant owning its context, the first one when several do; else the
// tenant of the first object leading to it.
func (r *reader) tenants() {
	// By registration order (every end of an edge is registered): slices
	// rather than maps keyed by node.
	byObj := make([][]*edge, len(r.queue))
	firstOut := make([]*edge, len(r.queue))
	done := make([]bool, len(r.queue))
	for _, e := range r.edges {
		byObj[e.to.order] = append(byObj[e.to.order], e)
		if firstOut[e.from.order] == nil {
			firstOut[e.from.order] = e
		}
	}
	var tenantOf func(n *node, depth int) string
	tenantOf = func(n *node, depth int) string {
		if done[n.order] || depth > 32 {
			return n.obj.TenantID
		}
		t := ""
		if len(n.phones) > 0 {
			t = n.phones[0].TenantID
		} else if n.raw == "" && n.obj.Type != TypeDID && len(r.owners[n.anchor.c.Name]) > 0 {
			t = r.in.Tenants[r.owners[n.anchor.c.Name][0]].ID
		}
		if n.obj.Type == TypeDID {
			if e := firstOut[n.order]; e != nil {
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
			for _, e := range byObj[n.order] {
				if e.from != n {
					if t = tenantOf(e.from, depth+1); t != "" {
						break
					}
				}
			}
		}
		n.obj.TenantID = t
		done[n.order] = true
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
		r.look(lookTrunkTenant, name)
		if t, ok := r.trunkTenants[name]; ok {
			return t
		}
	}
	return ""
}

// trunkNamed is the trunk "TECH/name", or nil.
func (r *reader) trunkNamed(key string) *Trunk {
	r.look(lookTrunk, key)
	return r.trunks[key]
}

// inRuns cuts n items into contiguous runs, one per processor (one for a
// small n), and calls f(lo, hi) for each in its own goroutine.
func inRuns(n int, f func(lo, hi int)) {
	parallel.Runs(n, min(runtime.GOMAXPROCS(0), max(1, n/4096)), func(_, lo, hi int) { f(lo, hi) })
}
