package diff

import (
	"slices"
	"testing"
)

func TestRun(t *testing.T) {
	for _, c := range []struct {
		old, now         string
		lo, oldHi, nowHi int
	}{
		{"", "", 0, 0, 0},
		{"abc", "abc", 3, 3, 3},
		{"abc", "abxc", 2, 2, 3},    // one added
		{"abxc", "abc", 2, 3, 2},    // one removed
		{"abc", "ayc", 1, 2, 2},     // one changed
		{"abc", "", 0, 3, 0},        // all removed
		{"", "ab", 0, 0, 2},         // all added
		{"aaa", "aaaa", 3, 3, 4},    // a repeat: the prefix takes what it can
		{"abcde", "xbcdy", 0, 5, 5}, // both ends changed: one run over all
	} {
		lo, oldHi, nowHi := Run([]byte(c.old), []byte(c.now))
		if lo != c.lo || oldHi != c.oldHi || nowHi != c.nowHi {
			t.Errorf("Run(%q, %q) = %d, %d, %d; want %d, %d, %d", c.old, c.now, lo, oldHi, nowHi, c.lo, c.oldHi, c.nowHi)
		}
		// The run and the shared ends make now from old.
		got := slices.Concat([]byte(c.old[:lo]), []byte(c.now[lo:nowHi]), []byte(c.old[oldHi:]))
		if string(got) != c.now {
			t.Errorf("Run(%q, %q): %q rebuilt", c.old, c.now, got)
		}
	}
}
