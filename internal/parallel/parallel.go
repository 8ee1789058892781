package parallel

import "sync"

// Runs cuts n items into `runs` contiguous runs, calls f(run, lo, hi) for
// each in its own goroutine and returns when all are done.
func Runs(n, runs int, f func(run, lo, hi int)) {
	var wg sync.WaitGroup
	for r := range runs {
		lo, hi := r*n/runs, (r+1)*n/runs
		wg.Go(func() { f(r, lo, hi) })
	}
	wg.Wait()
}
