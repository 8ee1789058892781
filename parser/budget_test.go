package parser

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// TestBudgetAdmitConcurrent: files parsed at once share a Budget; however
// their reads interleave, no more than MaxFiles are let in (a check and a
// count made apart let two reads through one last slot), and a read that
// fails gives its slot back.
func TestBudgetAdmitConcurrent(t *testing.T) {
	for round := range 200 {
		b := &Budget{MaxFiles: 20}
		var admitted atomic.Int64
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 8 {
			wg.Go(func() {
				<-start
				for range 5 {
					if b.admit() == nil {
						admitted.Add(1)
						runtime.Gosched() // the file is read
						_ = b.charge(1)
					}
				}
			})
		}
		close(start)
		wg.Wait()
		if n := admitted.Load(); n != 20 {
			t.Fatalf("round %d: %d reads admitted under MaxFiles 20", round, n)
		}
	}
	b := &Budget{MaxFiles: 1}
	if err := b.admit(); err != nil {
		t.Fatal(err)
	}
	b.release() // the read failed
	if err := b.admit(); err != nil {
		t.Errorf("admit after a release: %v", err)
	}
	if files, _ := b.Used(); files != 1 {
		t.Errorf("%d reads counted, want 1", files)
	}
}
