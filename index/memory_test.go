package index

import (
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
