// Package testcorpus finds the shared corpus of real Asterisk configuration
// (../shared/corpus beside the repository) for tests that read it.
package testcorpus

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the corpus directory, or skips the test when it is absent.
// ASTAPI_CORPUS overrides where it is looked for.
func Dir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("ASTAPI_CORPUS"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Skip("no working directory")
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			c := filepath.Join(d, "..", "shared", "corpus")
			if st, err := os.Stat(c); err == nil && st.IsDir() {
				return c
			}
			t.Skip("no ../shared/corpus beside the repository")
		}
		if filepath.Dir(d) == d {
			t.Skip("repository root not found")
		}
	}
}
