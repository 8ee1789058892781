package index

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// DefaultMemoryLimit is the least soft memory limit `astapi serve` sets
// when neither GOMEMLIMIT nor its --memory-limit flag says otherwise; with
// MemoryTuning.AutoLimit it grows to LimitHeadroom times the live heap.
const DefaultMemoryLimit = 1 << 30

// LimitHeadroom: a reload holds the served snapshot while it builds the
// next. A reload from it (LoadFrom) shares what did not change and peaks
// at about 2.2 times the live heap; a full rebuild, at about 3.4 times
// (a build alone makes 2.4 times the live heap it leaves). 10k tenants,
// 525 MB live, one big file per kind, one file edited: peak RSS 1146 MB
// at 2.3, 1221 MB at 3, 1218 to 1255 MB at 4; with a file per tenant,
// reloads at 2.3 took 1.4 times as long as at 3 or 4 (the collector runs
// flat out near the limit). 3 keeps reloads that reuse at full speed;
// a full rebuild completes under it too, more slowly (the limit is soft).
// At 2.1 (later, 542 MB live): 1113 MB one big file per kind, but its
// reloads 1.5 times as long, and a full rebuild 2.3 times (10.6 s).
const LimitHeadroom = 3

// AutoMemoryLimit is the soft memory limit MemoryTuning.AutoLimit sets
// for a live heap: the larger of DefaultMemoryLimit and LimitHeadroom
// times live.
func AutoMemoryLimit(live uint64) int64 {
	return max(DefaultMemoryLimit, int64(LimitHeadroom*float64(live)))
}

// defaultLoadGCPercent is GOGC while a load runs. Nearly everything a
// load allocates is kept (the snapshot), so collections during it free
// little and cost much (45% of a 10k-tenant load at GOGC=100); the soft
// memory limit, when set, still bounds the heap.
const defaultLoadGCPercent = 400

// MemoryTuning runs loads with the collector tuned for them and gives the
// replaced snapshot's memory back to the system after a reload. GOGC is
// process-wide: use one MemoryTuning per process.
type MemoryTuning struct {
	// LoadGCPercent is GOGC during a load; 0 means 400, negative leaves
	// GOGC alone. A GOGC set higher (or off) is never lowered.
	LoadGCPercent int
	// AutoLimit sets the soft memory limit after each successful load to
	// the larger of DefaultMemoryLimit and LimitHeadroom times the live
	// heap, so that a big configuration reloads without the collector
	// running flat out and a small one keeps a tight bound.
	AutoLimit bool
	// ReturnAfter is how long after a reload, if no other reload starts,
	// the memory it freed is given back to the system at once; until
	// then the runtime returns it gradually (and a soft memory limit
	// still bounds it), and a reload that follows soon reuses it rather
	// than faulting it in again: at 10k tenants that is 0.25 s of system
	// time per reload. 0 means DefaultReturnAfter; negative, at once.
	ReturnAfter time.Duration
	// MinHeapGoal: between loads, GOGC is raised so that the collector
	// waits until the heap holds about this many bytes (see
	// ServingGCPercent). 0 means DefaultMinHeapGoal; negative leaves GOGC
	// alone.
	MinHeapGoal int64

	mu      sync.Mutex
	active  int // loads under way
	saved   int // GOGC before the first of them
	base    int // GOGC before the first Release (the process's own)
	based   bool
	pending *time.Timer
	free    func() // debug.FreeOSMemory; tests count calls
}

// DefaultMinHeapGoal is MemoryTuning.MinHeapGoal's default. A small
// configuration leaves a few megabytes live, and at GOGC=100 the
// collector then runs every few megabytes allocated: every thousand or
// so requests, for several percent of a cached answer's CPU. At 32 MiB
// it runs several times less often (the demo under load holds 79 MB of
// RSS rather than 51); a live heap of 16 MiB or more is left at the
// process's GOGC.
const DefaultMinHeapGoal = 32 << 20

// ServingGCPercent is the GOGC that lets a heap of live bytes grow to
// goal before it is collected, never under base (the process's own
// GOGC): the collector starts when the heap reaches live × (1 + GOGC/100).
func ServingGCPercent(base int, live uint64, goal int64) int {
	live = max(live, 1<<20)
	if goal <= 0 || base < 0 || uint64(goal) <= live {
		return base
	}
	return max(base, int(uint64(goal)*100/live)-100)
}

// DefaultReturnAfter is MemoryTuning.ReturnAfter's default: edits come in
// bursts, and a minute's quiet ends one.
const DefaultReturnAfter = time.Minute

// Wrap returns load with GOGC raised while it runs and restored after.
func (m *MemoryTuning) Wrap(load func() (*Snapshot, error)) func() (*Snapshot, error) {
	return func() (*Snapshot, error) {
		m.enter()
		defer m.leave()
		return load()
	}
}

func (m *MemoryTuning) percent() int {
	if m.LoadGCPercent == 0 {
		return defaultLoadGCPercent
	}
	return m.LoadGCPercent
}

func (m *MemoryTuning) enter() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pending != nil {
		m.pending.Stop() // the load will want that memory
	}
	if m.percent() < 0 {
		return
	}
	if m.active++; m.active > 1 {
		return
	}
	m.saved = debug.SetGCPercent(m.percent())
	if m.saved < 0 || m.saved > m.percent() {
		debug.SetGCPercent(m.saved)
	}
}

func (m *MemoryTuning) leave() {
	if m.percent() < 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.active--; m.active == 0 {
		debug.SetGCPercent(m.saved)
	}
}

// Release is a Store.OnReload hook: after a successful load nothing should
// still hold the replaced snapshot (but requests under way) or the build's
// garbage, so a collection frees that memory now rather than leaving the
// process at its reload peak until the next cycles; it goes back to the
// system ReturnAfter later (see there). With AutoLimit it then sets the
// memory limit from the live heap. Hooks registered after it see the
// heap of the served snapshot alone (LiveHeap).
func (m *MemoryTuning) Release(res ReloadResult, _ *Snapshot) {
	if !res.Success {
		return
	}
	free := m.free
	if free == nil {
		free = debug.FreeOSMemory
	}
	after := m.ReturnAfter
	if after == 0 {
		after = DefaultReturnAfter
	}
	if after < 0 {
		free()
	} else {
		runtime.GC()
		m.mu.Lock()
		if m.pending != nil {
			m.pending.Stop()
		}
		m.pending = time.AfterFunc(after, free)
		m.mu.Unlock()
	}
	live := LiveHeap()
	if m.AutoLimit {
		debug.SetMemoryLimit(AutoMemoryLimit(live))
	}
	m.serveGC(live)
}

// serveGC sets GOGC for serving a snapshot whose heap is live bytes (see
// MinHeapGoal). During a load, the load's GOGC stays and this one is
// what its end restores.
func (m *MemoryTuning) serveGC(live uint64) {
	goal := m.MinHeapGoal
	if goal == 0 {
		goal = DefaultMinHeapGoal
	}
	if goal < 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.based {
		m.base, m.based = debug.SetGCPercent(-1), true
		debug.SetGCPercent(m.base) // read, not changed
		if m.active > 0 {
			m.base = m.saved
		}
	}
	p := ServingGCPercent(m.base, live, goal)
	if m.active > 0 {
		m.saved = p
		return
	}
	debug.SetGCPercent(p)
}

// LiveHeap is the heap the last collection found live, in bytes.
func LiveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
