package parser

import (
	"fmt"
	"sync/atomic"
	"time"
)

// Budget bounds what one build may read across all its files and their
// includes: file reads (a file included twice counts twice), bytes, and
// time. One Budget may be shared by files parsed concurrently. Without
// it, includes that fan out (every level including the next ten times,
// ten levels deep) read 10^10 files.
type Budget struct {
	MaxFiles int64     // 0: no limit
	MaxBytes int64     // 0: no limit
	Deadline time.Time // zero: none

	files, bytes atomic.Int64
}

// admit reports why another file may not be read, or nil: then the read
// is counted already (release takes it back if it fails). Checking and
// counting are one step: files parsed concurrently share the Budget, and
// two reads let in by one last free slot would both go over.
func (b *Budget) admit() error {
	if b == nil {
		return nil
	}
	if !addWithin(&b.files, 1, b.MaxFiles) {
		return fmt.Errorf("more than %d file reads in one build (files included again count again): not read", b.MaxFiles)
	}
	var err error
	if b.MaxBytes > 0 && b.bytes.Load() > b.MaxBytes {
		err = fmt.Errorf("more than %d bytes read in one build: not read", b.MaxBytes)
	} else if !b.Deadline.IsZero() && time.Now().After(b.Deadline) {
		err = fmt.Errorf("the build took longer than its time limit: not read")
	}
	if err != nil {
		b.release()
	}
	return err
}

// release takes back a read admit counted that did not happen.
func (b *Budget) release() {
	if b != nil {
		b.files.Add(-1)
	}
}

// charge counts the n bytes of a file admit let in, and reports an error
// when that went over the byte limit.
func (b *Budget) charge(n int) error {
	if b == nil {
		return nil
	}
	if total := b.bytes.Add(int64(n)); b.MaxBytes > 0 && total > b.MaxBytes {
		return fmt.Errorf("more than %d bytes read in one build", b.MaxBytes)
	}
	return nil
}

// keep charges at once the reads and bytes of a parse kept rather than
// done again, and reports whether they fit: false, with nothing charged,
// when that parse would have been refused a read.
func (b *Budget) keep(files, bytes int64) bool {
	if b == nil {
		return true
	}
	if !b.Deadline.IsZero() && time.Now().After(b.Deadline) {
		return false
	}
	if !addWithin(&b.files, files, b.MaxFiles) {
		return false
	}
	if !addWithin(&b.bytes, bytes, b.MaxBytes) {
		b.files.Add(-files)
		return false
	}
	return true
}

// addWithin adds n to v unless the sum goes over limit (0: none).
func addWithin(v *atomic.Int64, n, limit int64) bool {
	for {
		old := v.Load()
		if limit > 0 && old+n > limit {
			return false
		}
		if v.CompareAndSwap(old, old+n) {
			return true
		}
	}
}

// Used reports the file reads and bytes charged so far.
func (b *Budget) Used() (files, bytes int64) { return b.files.Load(), b.bytes.Load() }
