package index

import (
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
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
