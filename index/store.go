package index

import (
	"errors"
	"fmt"
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

	// running is when the load under way started (nil: none). A load
	// that outlived its timeout keeps it set until it ends.
	running atomic.Pointer[time.Time]
}

// ErrReloadTimeout is wrapped by the error of a reload whose build did not
// finish within its time limit, or that found an earlier one still running.
var ErrReloadTimeout = errors.New("reload timed out")

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

// Running returns when the build under way started, if one is (a build
// past its timeout included: it is stuck reading something).
func (s *Store) Running() (time.Time, bool) {
	if t := s.running.Load(); t != nil {
		return *t, true
	}
	return time.Time{}, false
}

// timeout is the time limit of a reload: the served configuration's
// reload_timeout, or the default before any.
func (s *Store) timeout() time.Duration { return s.cur.Load().ReloadTimeout() }

type loaded struct {
	snap *Snapshot
	err  error
}

// build runs the load in its own goroutine and waits for it at most the
// reload timeout: a build stuck in a read (a hung network file system)
// then fails the reload, and neither later reloads nor shutdown wait for
// it. Its result, when it comes, is dropped. While it runs, reloads fail
// at once rather than pile up more stuck builds.
func (s *Store) build(start time.Time) (*Snapshot, error) {
	if since, busy := s.Running(); busy {
		return nil, fmt.Errorf("index: %w: the build started %s ago is still running", ErrReloadTimeout, time.Since(since).Round(time.Second))
	}
	s.running.Store(&start)
	done := make(chan loaded, 1)
	go func() {
		snap, err := s.load()
		s.running.Store(nil) // before the send: the next reload must not see it running
		done <- loaded{snap, err}
	}()
	timeout := s.timeout()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.snap, r.err
	case <-timer.C:
		return nil, fmt.Errorf("index: %w: the build did not finish within %s (reload_timeout); still running, its result will be dropped", ErrReloadTimeout, timeout)
	}
}

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
	snap, err := s.build(start)
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
