package index

import (
	"runtime"
	"sync"
)

// tenantRuns is how many goroutines walk the tenants: enough to use the
// cores, and one for a configuration too small to be worth splitting.
func tenantRuns(tenants int) int {
	return min(runtime.GOMAXPROCS(0), 8, max(1, tenants/64))
}

// inParallel cuts n items into `runs` contiguous runs, calls f(run, lo, hi)
// for each in its own goroutine and returns when all are done.
func inParallel(n, runs int, f func(run, lo, hi int)) {
	var wg sync.WaitGroup
	for r := range runs {
		lo, hi := r*n/runs, (r+1)*n/runs
		wg.Go(func() { f(r, lo, hi) })
	}
	wg.Wait()
}
