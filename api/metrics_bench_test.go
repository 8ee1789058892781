package api

import (
	"net/http"
	"testing"
	"time"
)

// BenchmarkMetricsObserve is what the observe middleware adds to every
// request once the route, method and code were seen: two map-free atomic
// loads, a histogram observation and a counter increment.
func BenchmarkMetricsObserve(b *testing.B) {
	s, _ := newTestServer(b, Options{})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			s.metrics.observe("/extension/bytenant", "/extension/bytenant", http.MethodPost, http.StatusOK, 3*time.Microsecond)
		}
	})
}
