package index_test

import (
	"testing"

	"github.com/astapi/astapi/index"
)

// BenchmarkLoadFixtures is one Load of the demo configuration: what a
// reload of a small PBX costs.
//
//	go test ./index -run '^$' -bench LoadFixtures
func BenchmarkLoadFixtures(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := index.Load(fixturesINI); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDumpFixtures is the redacted dump of the demo configuration.
func BenchmarkDumpFixtures(b *testing.B) {
	s, err := index.Load(fixturesINI)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Dump(false)
	}
}
