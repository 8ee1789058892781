package index

import (
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// gcPercent reads GOGC without changing it.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// TestMemoryTuningWrap: GOGC is raised while a load runs and restored
// after, never lowered, and overlapping loads restore the original.
func TestMemoryTuningWrap(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	for _, c := range []struct {
		name         string
		tuning       int
		before, want int
	}{
		{"default", 0, 100, defaultLoadGCPercent},
		{"custom", 250, 100, 250},
		{"higher GOGC kept", 0, 800, 800},
		{"GOGC=off kept", 0, -1, -1},
		{"GOGC=0 raised", 0, 0, defaultLoadGCPercent},
		{"disabled", -1, 100, 100},
	} {
		debug.SetGCPercent(c.before)
		m := &MemoryTuning{LoadGCPercent: c.tuning}
		var during int
		_, _ = m.Wrap(func() (*Snapshot, error) { during = gcPercent(); return nil, nil })()
		if during != c.want || gcPercent() != c.before {
			t.Errorf("%s: GOGC %d during the load (want %d), %d after (want %d)", c.name, during, c.want, gcPercent(), c.before)
		}
	}

	debug.SetGCPercent(100)
	m := &MemoryTuning{}
	release := make(chan struct{})
	started := make(chan struct{}, 2)
	load := m.Wrap(func() (*Snapshot, error) { started <- struct{}{}; <-release; return nil, nil })
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = load() }()
	}
	<-started
	<-started
	close(release)
	wg.Wait()
	if p := gcPercent(); p != 100 {
		t.Errorf("after overlapping loads GOGC is %d, want 100", p)
	}
}

// TestMemoryTuningAutoLimit: after a successful load the limit is the
// larger of the default and LimitHeadroom times the live heap; a failed
// one or AutoLimit off leaves it alone.
func TestMemoryTuningAutoLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	const preset = 7 << 30
	debug.SetMemoryLimit(preset)
	(&MemoryTuning{}).Release(ReloadResult{Success: true}, nil)
	(&MemoryTuning{AutoLimit: true}).Release(ReloadResult{}, nil)
	if got := debug.SetMemoryLimit(-1); got != preset {
		t.Fatalf("limit %d, want it left at %d", got, preset)
	}
	ballast := make([]byte, 512<<20) // live across the collection: 3 × 512 MiB > the default
	(&MemoryTuning{AutoLimit: true}).Release(ReloadResult{Success: true}, nil)
	got, live := debug.SetMemoryLimit(-1), LiveHeap()
	if want := AutoMemoryLimit(live); got != want || got <= DefaultMemoryLimit || float64(got) < LimitHeadroom*float64(live)-1 {
		t.Errorf("limit %d with %d live, want %d above the default", got, live, want)
	}
	runtime.KeepAlive(ballast)
}

// TestMemoryTuningReturnAfter: the memory a reload freed goes back to the
// system once reloads have stopped for ReturnAfter, not after each one;
// a load that starts meanwhile cancels it; negative means at once.
func TestMemoryTuningReturnAfter(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	const after = 300 * time.Millisecond
	var freed atomic.Int32
	m := &MemoryTuning{LoadGCPercent: -1, ReturnAfter: after, free: func() { freed.Add(1) }}
	waitFor := func(n int32) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); freed.Load() < n && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		if got := freed.Load(); got != n {
			t.Fatalf("returned %d times, want %d", got, n)
		}
	}
	ok := ReloadResult{Success: true}
	m.Release(ok, nil)
	m.Release(ok, nil) // a second reload soon after: one return, later
	if n := freed.Load(); n != 0 {
		t.Fatalf("returned %d times right after the reloads, want 0", n)
	}
	waitFor(1)
	time.Sleep(after + 100*time.Millisecond)
	waitFor(1)

	m.Release(ok, nil)
	_, _ = m.Wrap(func() (*Snapshot, error) { time.Sleep(after + 200*time.Millisecond); return nil, nil })()
	if n := freed.Load(); n != 1 {
		t.Errorf("returned during a load: %d, want still 1", n)
	}
	m.Release(ReloadResult{}, nil) // a failed reload frees nothing
	time.Sleep(after + 100*time.Millisecond)
	waitFor(1)

	now := &MemoryTuning{ReturnAfter: -1, free: func() { freed.Add(1) }}
	now.Release(ok, nil)
	waitFor(2)
}

// TestServingGCPercent: GOGC between loads lets a small live heap grow
// to the goal, and never goes under the process's own GOGC.
func TestServingGCPercent(t *testing.T) {
	for _, c := range []struct {
		base int
		live uint64
		goal int64
		want int
	}{
		{100, 4 << 20, 64 << 20, 1500},
		{100, 32 << 20, 64 << 20, 100},
		{100, 30 << 20, 64 << 20, 113},
		{100, 600 << 20, 64 << 20, 100},
		{2000, 4 << 20, 64 << 20, 2000},
		{-1, 4 << 20, 64 << 20, -1},
		{100, 0, 64 << 20, 6300}, // live unknown: taken as 1 MiB
		{100, 4 << 20, 0, 100},
	} {
		if got := ServingGCPercent(c.base, c.live, c.goal); got != c.want {
			t.Errorf("ServingGCPercent(%d, %d, %d) = %d, want %d", c.base, c.live, c.goal, got, c.want)
		}
	}
}

// TestMemoryTuningServingGC: after a load, GOGC is what serving the live
// heap wants; a load raises it from there and restores it; a huge live
// heap (a tiny goal) brings the process's own GOGC back; and a negative
// goal leaves GOGC alone.
func TestMemoryTuningServingGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	ok := ReloadResult{Success: true}
	m := &MemoryTuning{ReturnAfter: -1, free: func() {}, MinHeapGoal: 1 << 40}
	m.Release(ok, nil)
	serving := gcPercent()
	if want := ServingGCPercent(100, LiveHeap(), 1<<40); serving != want || serving <= 100 {
		t.Fatalf("GOGC %d after a load, want %d (over 100)", serving, want)
	}
	var during int
	_, _ = m.Wrap(func() (*Snapshot, error) {
		during = gcPercent()
		m.Release(ok, nil) // as if a hook ran while a second load is under way
		return nil, nil
	})()
	if during != serving || gcPercent() != serving {
		t.Errorf("GOGC %d during a load and %d after, want %d (never lowered)", during, gcPercent(), serving)
	}
	m.MinHeapGoal = 1
	m.Release(ok, nil)
	if p := gcPercent(); p != 100 {
		t.Errorf("GOGC %d with a goal under the live heap, want the process's 100", p)
	}
	debug.SetGCPercent(300)
	off := &MemoryTuning{ReturnAfter: -1, free: func() {}, MinHeapGoal: -1}
	off.Release(ok, nil)
	if p := gcPercent(); p != 300 {
		t.Errorf("GOGC %d with MinHeapGoal -1, want 300 untouched", p)
	}
}
