package index

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/astapi/astapi/parser"
)

// ReloadResult describes one reload attempt.
type ReloadResult struct {
	At         time.Time
	Duration   time.Duration
	Success    bool
	Err        error              // why it failed; nil on success
	Generation uint64             // the generation served after the attempt
	Diags      parser.Diagnostics // of the attempted build (nil when it failed before parsing)
}

// Store holds the Snapshot being served. Reads are one atomic load; a
// reload builds a whole new Snapshot and swaps it in only when the build
// succeeded, so a failed reload keeps the last good one.
type Store struct {
	load func() (*Snapshot, error)

	cur  atomic.Pointer[Snapshot]
	last atomic.Pointer[ReloadResult]

	mu       sync.Mutex // serialises reloads
	gen      uint64
	onReload []func(ReloadResult, *Snapshot)
}

// NewStore returns a Store that builds snapshots with load (usually a
// closure over Load). Nothing is loaded until Reload is called.
func NewStore(load func() (*Snapshot, error)) *Store {
	return &Store{load: load}
}

// OnReload registers f to run after every reload attempt, with the result
// and the snapshot now served (nil while none ever loaded). Register hooks
// before the first Reload.
func (s *Store) OnReload(f func(ReloadResult, *Snapshot)) { s.onReload = append(s.onReload, f) }

// Current returns the snapshot being served, or nil before the first
// successful load.
func (s *Store) Current() *Snapshot { return s.cur.Load() }

// LastReload returns the result of the latest attempt, or nil.
func (s *Store) LastReload() *ReloadResult { return s.last.Load() }

// Reload builds a new snapshot and publishes it when the build succeeds.
func (s *Store) Reload() ReloadResult {
	res, _ := s.reload(nil)
	return res
}

// reload is Reload with a last check: a built snapshot that accept (when
// not nil) refuses is dropped as if never built (no result recorded, no
// hooks run) and reload reports false. The watcher refuses one whose files
// changed while they were read, since a newer state is on its way.
func (s *Store) reload(accept func(*Snapshot) bool) (ReloadResult, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	start := time.Now()
	snap, err := s.load()
	if err == nil && accept != nil && !accept(snap) {
		return ReloadResult{}, false
	}
	res := ReloadResult{At: start, Duration: time.Since(start), Err: err, Success: err == nil}
	if err == nil {
		s.gen++
		snap.Generation = s.gen
		res.Diags = snap.Diags
		s.cur.Store(snap)
	} else if e, ok := err.(*LoadError); ok {
		res.Diags = e.Diags
	}
	res.Generation = s.gen
	s.last.Store(&res)
	served := s.cur.Load()
	for _, f := range s.onReload {
		f(res, served)
	}
	return res, true
}
