package flow

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/astapi/astapi/parser"
)

// A big dialplan is mostly parts that never reach one another: a
// multi-tenant PBX is one set of contexts per tenant. Build cuts the
// dialplan into such parts (split), reads them in parallel, each in a
// view of its own contexts, and joins what they found. A part whose
// input is the same as in the previous Build (Input.Previous) is not read
// again: its objects and edges are taken over as they are (a Graph is
// never modified, so two snapshots can share them).
//
// Reading a part on its own gives what reading the whole dialplan gives
// for it when nothing of it reaches outside it. split links contexts by
// what their text says (includes, context names in arguments); when a
// walk still leaves its part (a context name built at run time), or two
// parts meet in one object that has no place in either (see interact),
// the parts are dropped and the whole dialplan is read at once, as one
// part.

// part is one independent piece of the dialplan and what reading it
// found.
type part struct {
	contexts []*parser.Context // in dialplan order
	trunks   []Trunk           // the trunks whose calls start in it
	tenants  []int             // the tenants owning its contexts
	// key sums the part's input (see key); reusable says it could be
	// summed (every file it reads has a digest).
	key      [sha256.Size]byte
	reusable bool
	runs     *contextRuns // what key read of the contexts
	inputs   *partKey     // what key summed

	found *partGraph
	// lookups are the lookups of shared facts reading it made (sorted,
	// each once; see look), answers a sum of what they answered.
	lookups []string
	answers [sha256.Size]byte
	// outside: a walk left the part (see the comment above).
	outside bool
	reused  bool
	// See reader.hadExt: the phones as "TECH/name".
	hadExt, patternSeeded []string
	// unresolved are the targets that cannot be followed (unresolved) it
	// has objects of: reading the whole dialplan, each is one object.
	unresolved []string
}

// Reuse says how a Build went: the parts read and reused.
type Reuse struct {
	Parts, Reused int
	// Whole is set when the dialplan was read as one part although it
	// was split, because a part was not independent after all.
	Whole bool
}

// Build reads the call flow of in: the objects, the destinations between
// them, and the diagnostics met on the way (Goto targets that do not
// exist). The result is deterministic for given files, and the same
// whether parts were reused from in.Previous or not.
func Build(in Input) (*Graph, parser.Diagnostics) {
	sh := newShared(in)
	parts := sh.split()
	sh.settled = in.Previous != nil && sh.tables == in.Previous.tables && sh.sameNames
	global := sh.globalSum()
	var prev map[[sha256.Size]byte]*part
	if in.Previous != nil {
		prev = in.Previous.parts
	}
	whole := func() *part {
		w := &part{contexts: sh.whole.Contexts, trunks: in.Trunks}
		for i := range in.Tenants {
			w.tenants = append(w.tenants, i)
		}
		sh.key(w, global)
		return w
	}
	var outside atomic.Bool
	outside.Store(in.Whole)
	if in.Whole {
		parts, prev = nil, nil
	} else if in.Previous != nil && in.Previous.Reuse.Whole {
		// The last Build had to read the whole dialplan: when nothing
		// changed, that is what to reuse.
		if w := whole(); w.reusable && sh.reuse(w, prev[w.key]) {
			parts = []*part{w}
		}
	}
	eachPart(parts, func(p *part) {
		if p.reused {
			return
		}
		sh.key(p, global)
		if p.reusable && sh.reuse(p, prev[p.key]) {
			return
		}
		sh.read(p)
		if p.outside {
			outside.Store(true)
		}
	})
	reuse := Reuse{Parts: len(parts)}
	if len(parts) == 1 && parts[0].reused && len(parts[0].contexts) == len(sh.whole.Contexts) {
		reuse.Whole = in.Previous.Reuse.Whole
	} else if outside.Load() || interact(parts) {
		w := whole()
		sh.read(w)
		parts, reuse = []*part{w}, Reuse{Parts: 1, Whole: !in.Whole}
	}
	g, ok := join(parts, in.Previous)
	keep := ok // a part is reused with its IDs only when they were first choices
	if !ok {
		// Two IDs clash: IDs are then given over all keys at once (see
		// ids.Allocator), and reused parts have none: read them again.
		eachPart(parts, func(p *part) {
			if p.reused {
				sh.read(p)
				p.reused = false
			}
		})
		g = joinClashing(parts)
	}
	for _, p := range parts {
		if p.reused {
			reuse.Reused++
		}
	}
	g.Reuse = reuse
	g.links, g.tables, g.internal = sh.links, sh.tables, sh.internal
	g.parts = make(map[[sha256.Size]byte]*part, len(parts))
	g.partsWhole = keep
	g.keys = make(map[*parser.Context]*partKey, len(parts))
	for _, p := range parts {
		if p.inputs != nil && len(p.contexts) > 0 {
			g.keys[p.contexts[0]] = p.inputs
		}
	}
	var diags parser.Diagnostics
	for _, p := range parts {
		diags = append(diags, p.found.diags...)
		if p.reusable && keep {
			g.parts[p.key] = p.forNext()
		} else {
			g.partsWhole = false
		}
	}
	diags.Sort()
	return g, diags
}

// reuse takes over what old (a part of the previous Build with p's key,
// or nil) found, when the shared facts it looked up are the same.
//
// When settled, the previous Build's tables and context names answered
// old's lookups (reading it, or checking them): they answer the same.
func (sh *shared) reuse(p, old *part) bool {
	if old == nil || !sh.settled && !sh.sameAnswers(old.lookups) && sh.answer(old.lookups) != old.answers {
		return false
	}
	p.found, p.lookups, p.answers, p.reused = old.found, old.lookups, old.answers, true
	p.hadExt, p.patternSeeded, p.unresolved = old.hadExt, old.patternSeeded, old.unresolved
	return true
}

// forNext is what the next Build needs of p: the IDs as numbers rather
// than their keys.
func (p *part) forNext() *part {
	found := *p.found
	found.objKeys, found.edgeKeys = nil, nil
	if found.objNums == nil {
		found.objNums, found.edgeNums = idNums(found.objects, (*Object).id), idNums(found.edges, (*Edge).id)
	}
	return &part{key: p.key, reusable: true, found: &found, lookups: p.lookups, answers: p.answers,
		hadExt: p.hadExt, patternSeeded: p.patternSeeded, unresolved: p.unresolved}
}

func idNums[T any](items []T, id func(T) string) []uint64 {
	out := make([]uint64, len(items))
	for i, it := range items {
		out[i], _ = strconv.ParseUint(id(it), 10, 64)
	}
	return out
}

func (o *Object) id() string { return o.ID }
func (e *Edge) id() string   { return e.ID }

// eachPart runs f on every part, on every processor.
func eachPart(parts []*part, f func(*part)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(parts)) {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(len(parts)); i = next.Add(1) - 1 {
				f(parts[i])
			}
		})
	}
	wg.Wait()
}

// read reads p in a view of its contexts.
func (sh *shared) read(p *part) {
	var r *reader
	dp := sh.whole
	if len(p.contexts) != len(sh.whole.Contexts) {
		dp = sh.whole.View(p.contexts, func(name string) {
			if sh.whole.Context(name) != nil {
				r.escaped = true
			} else {
				r.look(lookNoContext, name) // reused only while it stays absent
			}
		})
	}
	r = sh.newReader(dp, p.trunks)
	p.found = r.read()
	p.outside = r.escaped
	p.hadExt = phoneKeys(r.hadExt)
	seeded := map[*Phone]bool{}
	for _, ph := range r.patternSeeded {
		seeded[ph] = true
	}
	p.patternSeeded = phoneKeys(seeded)
	for _, n := range r.queue {
		if n.raw != "" {
			p.unresolved = append(p.unresolved, n.raw)
		}
	}
	slices.Sort(r.lookups)
	p.lookups = slices.Compact(r.lookups)
	p.answers = sh.answer(p.lookups)
}

// interact reports whether reading the parts apart gave what reading the
// whole dialplan would not: a phone given an EXT from a pattern while
// another part had one of that phone already, or gave it one from a
// pattern too (seedPatternPhones gives a phone one EXT, the first); or a
// target that cannot be followed reached from two parts (one object,
// whose tenant is that of the first path to it).
func interact(parts []*part) bool {
	unresolved := map[string]*part{}
	for _, p := range parts {
		for _, raw := range p.unresolved {
			if q, ok := unresolved[raw]; ok && q != p {
				return true
			}
			unresolved[raw] = p
		}
	}
	return patternClash(parts)
}

func patternClash(parts []*part) bool {
	seeded := map[string]*part{}
	for _, p := range parts {
		for _, ph := range p.patternSeeded {
			if _, dup := seeded[ph]; dup {
				return true
			}
			seeded[ph] = p
		}
	}
	for _, p := range parts {
		for _, ph := range p.hadExt {
			if q, ok := seeded[ph]; ok && q != p {
				return true
			}
		}
	}
	return false
}

// phoneKeys are the phones as "TECH/name", sorted.
func phoneKeys[M ~map[*Phone]bool](m M) []string {
	var out []string
	for ph := range m {
		out = append(out, phoneKey(ph))
	}
	slices.Sort(out)
	return out
}

// sumWriter writes length-prefixed strings into a hash: "ab","c" and
// "a","bc" sum differently. They are gathered in buf and hashed a block
// at a time: a Write per string (and the copy a string costs to pass as
// []byte) was most of what keying every part at each reload cost.
type sumWriter struct {
	h   hash.Hash
	buf []byte
}

const sumBlock = 4 << 10

// newSum takes a writer from the Build's pool: a part's sum is a few
// kilobytes at most, and ten thousand parts each growing a buffer of
// their own made tens of megabytes of garbage per Build.
func (sh *shared) newSum() *sumWriter {
	sh.sumsMu.Lock()
	defer sh.sumsMu.Unlock()
	if n := len(sh.sums); n > 0 {
		w := sh.sums[n-1]
		sh.sums = sh.sums[:n-1]
		w.h.Reset()
		return w
	}
	return &sumWriter{h: sha256.New(), buf: make([]byte, 0, 2*sumBlock)}
}

func (w *sumWriter) str(ss ...string) {
	for _, s := range ss {
		w.buf = binary.AppendUvarint(w.buf, uint64(len(s)))
		w.buf = append(w.buf, s...)
		if len(w.buf) >= sumBlock {
			w.flush()
		}
	}
}

func (w *sumWriter) bytes(b []byte) {
	w.buf = append(w.buf, b...)
}

func (w *sumWriter) flush() {
	w.h.Write(w.buf)
	w.buf = w.buf[:0]
}

// sum returns the sum and the writer to sh's pool.
func (sh *shared) sum(w *sumWriter) (out [sha256.Size]byte) {
	w.flush()
	w.h.Sum(out[:0])
	sh.sumsMu.Lock()
	sh.sums = append(sh.sums, w)
	sh.sumsMu.Unlock()
	return out
}

// globalSum sums what every part reads: whether there is a single tenant
// (and which: objects of no tenant are then its), the globals, whether
// the dialplan is FreePBX's and whether names come from comments. No list
// of tenants: a tenant is in the key of each part whose contexts it owns,
// or among the lookups of a part that reached one of its objects.
func (sh *shared) globalSum() [sha256.Size]byte {
	w := sh.newSum()
	in := sh.in
	w.str(strconv.FormatBool(sh.freepbx), strconv.FormatBool(in.Line != nil), sh.whole.UsersContext)
	// A part reads other tenants only through its lookups; with a
	// single tenant, everything without one is that tenant's.
	if len(in.Tenants) == 1 {
		w.str("single tenant", in.Tenants[0].ID)
	}
	for _, g := range sh.whole.Globals {
		w.str("global", g.Name, g.Value)
	}
	return sh.sum(w)
}

// key sums p's input: the global sum, its contexts (names, whether
// phones dial from them, the files their lines come from in order), the
// digests of those files,
// its trunks, its tenants' contexts and numbered phones. What it read of
// other phones and trunks is checked apart (lookups). A context read from a file without a digest
// makes p not reusable.
//
// When the tenants, phones and trunks are those of the previous Build
// (settled), the key of a part with the same contexts, flags, digests,
// trunks and tenants is the previous one (partKey), taken over rather
// than summed again; and when they are not (a phone added elsewhere),
// so it is while the part's own tenants and their numbered phones are
// (sameTenants).
func (sh *shared) key(p *part, global [sha256.Size]byte) {
	in := &partKey{runs: sh.contextRuns(p.contexts), global: global, trunks: p.trunks, tenants: p.tenants,
		internal: make([]bool, len(p.contexts))}
	p.runs, p.inputs = in.runs, in
	for i, c := range p.contexts {
		in.internal[i] = sh.internal.set[c]
	}
	in.digests = make([]string, len(in.runs.files))
	for i, f := range in.runs.files {
		in.digests[i] = sh.in.Digests[f]
	}
	if old := sh.lastKey(p.contexts); old.same(in) && (sh.settled || sh.sameTenants(p.tenants)) {
		p.key, p.reusable, in.key, in.reusable = old.key, old.reusable, old.key, old.reusable
		return
	}
	w := sh.newSum()
	w.bytes(global[:])
	w.bytes(p.runs.sum[:])
	for _, internal := range in.internal {
		w.str(strconv.FormatBool(internal))
	}
	p.reusable = sh.in.Digests != nil
	for i, f := range p.runs.files {
		d := in.digests[i]
		if _, ok := sh.in.Digests[f]; !ok || d == "" {
			p.reusable = false
		}
		w.str("file", f, d)
	}
	for _, t := range p.trunks {
		w.str("trunk", t.Tech, t.Name, t.Context, t.TenantID)
	}
	for _, ti := range p.tenants { // in the tenants' order: it breaks ties
		t := &sh.in.Tenants[ti]
		w.str("tenant", t.ID, t.Key, strconv.Itoa(len(t.Contexts)))
		w.str(t.Contexts...)
		for _, ph := range sh.ofTenant(t.ID) {
			w.str(ph.Tech, ph.Name, ph.Number, ph.TenantID, ph.Context)
		}
	}
	p.key = sh.sum(w)
	in.key, in.reusable = p.key, p.reusable
}

// sameTenants reports whether the tenants at these indexes, and their
// numbered phones, are what the previous Build's tables held there: all
// that key reads of them. The indexes are a previous key's (partKey.same),
// so places in the previous tables' list.
func (sh *shared) sameTenants(tenants []int) bool {
	prev := sh.prevTables()
	if prev == nil {
		return false
	}
	for _, ti := range tenants {
		a, b := &prev.tenants[ti], &sh.in.Tenants[ti]
		if a.ID != b.ID || a.Key != b.Key || !slices.Equal(a.Contexts, b.Contexts) || !sh.samePhonesOf(prev, a.ID) {
			return false
		}
	}
	return true
}

// samePhonesOf reports whether tenant id has the numbered phones it had
// in prev's tables.
func (sh *shared) samePhonesOf(prev *tables, id string) bool {
	if sh.delta.phonesPatched && !sh.delta.tenants.has(id) {
		return true
	}
	return samePhones(prev.ofTenant(id), sh.ofTenant(id))
}

// partKey is what a part's key was summed from, but its tenants' and
// phones' details (see key), and the key. The Graph keeps each part's by
// its first context, for the next Build.
type partKey struct {
	runs     *contextRuns
	global   [sha256.Size]byte
	internal []bool   // by context
	digests  []string // of runs.files
	trunks   []Trunk
	tenants  []int
	key      [sha256.Size]byte
	reusable bool
}

// lastKey is the previous Build's partKey of the part whose first
// context is contexts[0], or nil.
func (sh *shared) lastKey(contexts []*parser.Context) *partKey {
	if len(contexts) == 0 || sh.in.Previous == nil {
		return nil
	}
	return sh.in.Previous.keys[contexts[0]]
}

// same reports whether k (nil: no) was summed from what in holds: the
// same runs (so the same contexts), global sum, flags, digests, trunks
// and tenants.
func (k *partKey) same(in *partKey) bool {
	return k != nil && k.runs == in.runs && k.global == in.global && slices.Equal(k.internal, in.internal) &&
		slices.Equal(k.digests, in.digests) && slices.Equal(k.trunks, in.trunks) && slices.Equal(k.tenants, in.tenants)
}

// contextRuns is what a part's key reads of its contexts' text: their
// names and the files their lines come from, in the order they come (the
// order files are read in, by #include lines, decides which of two
// definitions wins and where a context starts, and is in no digest of
// the part's own files), summed; and those files, sorted. It depends on
// the contexts alone, which are never modified: a part of the next Build
// with the same contexts takes it over rather than walk every priority
// again.
type contextRuns struct {
	contexts []*parser.Context
	sum      [sha256.Size]byte
	files    []string // without ""
}

func (sh *shared) contextRuns(contexts []*parser.Context) *contextRuns {
	if old := sh.lastKey(contexts); old != nil && slices.Equal(old.runs.contexts, contexts) {
		return old.runs
	}
	w := sh.newSum()
	files := map[string]bool{}
	last := ""
	file := func(f string) {
		if f != last { // lines of one file come in runs
			files[f], last = true, f
			w.str("from", f)
		}
	}
	for _, c := range contexts {
		w.str("context", c.Name)
		last = ""
		file(c.Pos.File)
		for _, inc := range c.Includes {
			file(inc.Pos.File)
		}
		for _, e := range c.Extensions {
			file(e.HintPos.File)
			for i := range e.Priorities {
				file(e.Priorities[i].Pos.File)
			}
		}
	}
	delete(files, "")
	return &contextRuns{contexts: contexts, sum: sh.sum(w), files: slices.Sorted(mapKeys(files))}
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// Lookups of shared facts a part records (see answer): the phone or trunk
// "TECH/name", the phones numbered num, the tenant of the trunk name, a
// context the dialplan does not have, the key of the tenant ID.
const (
	lookPhone       = "p"
	lookNumber      = "#"
	lookTrunk       = "t"
	lookTrunkTenant = "T"
	lookNoContext   = "c"
	lookTenantKey   = "k"
)

// look records a lookup of kind of key.
func (r *reader) look(kind, key string) { r.lookups = append(r.lookups, kind+key) }

// prevTables is the previous Build's tables when what they answered can
// be compared with sh's (the same context names in the same places),
// else nil.
func (sh *shared) prevTables() *tables {
	if !sh.sameNames || sh.in.Previous == nil {
		return nil
	}
	return sh.in.Previous.tables
}

// samePhones reports whether two lists hold equal phones in one order.
func samePhones(a, b []*Phone) bool {
	return slices.EqualFunc(a, b, func(x, y *Phone) bool { return *x == *y })
}

// sameAnswers reports whether each lookup answers now what it answered
// in the previous Build's tables (false when that cannot be told, e.g.
// the context names moved): then answer would give the sum a part
// reused from there holds, without summing every part's lookups again
// when a few phones changed.
func (sh *shared) sameAnswers(lookups []string) bool {
	prev := sh.prevTables()
	if prev == nil {
		return false
	}
	d := &sh.delta
	for _, l := range lookups {
		kind, key := l[:1], l[1:]
		switch kind {
		case lookPhone:
			if d.phonesPatched && !d.phoneKeys[key] {
				continue
			}
			a, b := prev.phone(key), sh.phone(key)
			if (a == nil) != (b == nil) || a != nil && *a != *b {
				return false
			}
		case lookNumber:
			if d.phonesPatched && !d.numbers.has(key) {
				continue
			}
			if !samePhones(prev.numbered(key), sh.numbered(key)) {
				return false
			}
		case lookTrunk:
			if d.trunksKept {
				continue
			}
			a, b := prev.trunks[key], sh.trunks[key]
			if (a == nil) != (b == nil) || a != nil && *a != *b {
				return false
			}
		case lookTrunkTenant:
			if !d.trunksKept && prev.trunkTenants[key] != sh.trunkTenants[key] {
				return false
			}
		case lookNoContext: // the same context names: the same answer
		case lookTenantKey:
			if !d.tenantsKept && prev.tenantKey[key] != sh.tenantKey[key] {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// answer sums what the lookups answer now.
func (sh *shared) answer(lookups []string) [sha256.Size]byte {
	w := sh.newSum()
	for _, l := range lookups {
		w.str(l)
		kind, key := l[:1], l[1:]
		var list []*Phone
		switch kind {
		case lookPhone:
			if ph := sh.phone(key); ph != nil {
				list = []*Phone{ph}
			}
		case lookNumber:
			list = sh.numbered(key)
		case lookTrunk:
			if t := sh.trunks[key]; t != nil {
				w.str(t.Tech, t.Name, t.Context, t.TenantID)
			}
		case lookTrunkTenant:
			w.str(sh.trunkTenants[key])
		case lookNoContext:
			w.str(strconv.FormatBool(sh.whole.Context(key) != nil))
		case lookTenantKey:
			w.str(sh.tenantKey[key])
		}
		w.str(strconv.Itoa(len(list)))
		for _, ph := range list {
			w.str(ph.Tech, ph.Name, ph.Number, ph.TenantID, ph.Context)
		}
	}
	return sh.sum(w)
}
