package index

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/fsnotify/fsnotify"
)

// TestBarrier: the events before the barrier say whether a file of the
// plan changed; a file elsewhere does not count, and a barrier that
// cannot be written says it cannot tell.
func TestBarrier(t *testing.T) {
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		t.Skip("no inotify:", err)
	}
	defer fsw.Close()
	conf, other := t.TempDir(), t.TempDir()
	for _, d := range []string{conf, other} {
		if err := fsw.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	bar, err := newBarrier(fsw)
	if err != nil {
		t.Fatal(err)
	}
	defer bar.close()
	w := &watcher{fsw: fsw, plan: planWatches(&Snapshot{WatchDirs: []string{conf}}, nil, nil)}
	write := func(path string) {
		if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name    string
		before  func()
		changed bool
	}{
		{"nothing written", func() {}, false},
		{"a file of the plan written", func() { write(filepath.Join(conf, "a.conf")) }, true},
		{"nothing since", func() {}, false},
		{"a file elsewhere", func() { write(filepath.Join(other, "b.conf")) }, false},
		{"a file of the plan removed", func() { os.Remove(filepath.Join(conf, "a.conf")) }, true},
	} {
		c.before()
		if changed, ok := bar.changed(w); !ok || changed != c.changed {
			t.Errorf("%s: changed %v (ok %v), want %v", c.name, changed, ok, c.changed)
		}
	}
	if err := os.RemoveAll(bar.dir); err != nil {
		t.Fatal(err)
	}
	if _, ok := bar.changed(w); ok {
		t.Error("a barrier that cannot be written still tells")
	}
}
