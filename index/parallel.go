package index

import "runtime"

// tenantRuns is how many goroutines walk the tenants: enough to use the
// cores, and one for a configuration too small to be worth splitting.
func tenantRuns(tenants int) int {
	return min(runtime.GOMAXPROCS(0), 8, max(1, tenants/64))
}
