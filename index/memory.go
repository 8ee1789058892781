package index

import (
	"runtime/debug"
	"sync"
)

// DefaultMemoryLimit is the soft memory limit `astapi serve` sets when
// neither GOMEMLIMIT nor its --memory-limit flag says otherwise. A reload
// holds the served snapshot and the one being built: about 2.5 times the
// retained heap of one snapshot at its peak (see the README's performance
// section), so 1 GiB lets a configuration of about 10k tenants / 100k
// peers reload without the collector running flat out, and keeps the
// process under 1.2 GB of RSS.
const DefaultMemoryLimit = 1 << 30

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

	mu     sync.Mutex
	active int // loads under way
	saved  int // GOGC before the first of them
}

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
	if m.percent() < 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
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
// garbage, so a collection returns that memory to the system now rather
// than leaving the process at its reload peak until the next cycles. Hooks
// registered after it see the heap of the served snapshot alone
// (runtime/metrics /gc/heap/live:bytes).
func (m *MemoryTuning) Release(res ReloadResult, _ *Snapshot) {
	if res.Success {
		debug.FreeOSMemory()
	}
}
