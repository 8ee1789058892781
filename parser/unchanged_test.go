package parser

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// TestUnchanged: a parse is still good while its files hold the same and
// its includes match the same; any change that a parse would see says no.
func TestUnchanged(t *testing.T) {
	write := func(t *testing.T, path, body string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name   string
		change func(t *testing.T, dir string)
		want   bool
	}{
		{"nothing", func(*testing.T, string) {}, true},
		{"rewritten the same", func(t *testing.T, dir string) { write(t, filepath.Join(dir, "d", "a.conf"), "[a]\nx=1\n") }, true},
		{"top-level edited", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "top.conf"), "[general]\n#include d/*.conf\n#tryinclude opt.conf\n[z]\n")
		}, false},
		{"included file edited, same size", func(t *testing.T, dir string) { write(t, filepath.Join(dir, "d", "a.conf"), "[a]\nx=2\n") }, false},
		{"file added to the glob", func(t *testing.T, dir string) { write(t, filepath.Join(dir, "d", "c.conf"), "[c]\n") }, false},
		{"file removed from the glob", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "d", "b.conf")) }, false},
		{"directory matching the glob", func(t *testing.T, dir string) { os.Mkdir(filepath.Join(dir, "d", "x.conf"), 0o755) }, false},
		{"#tryinclude now found", func(t *testing.T, dir string) { write(t, filepath.Join(dir, "opt.conf"), "[opt]\n") }, false},
		{"included file swapped for a link outside", func(t *testing.T, dir string) {
			out := filepath.Join(t.TempDir(), "a.conf")
			write(t, out, "[a]\nx=1\n")
			os.Remove(filepath.Join(dir, "d", "a.conf"))
			if err := os.Symlink(out, filepath.Join(dir, "d", "a.conf")); err != nil {
				t.Fatal(err)
			}
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "top.conf"), "[general]\n#include d/*.conf\n#tryinclude opt.conf\n")
			write(t, filepath.Join(dir, "d", "a.conf"), "[a]\nx=1\n")
			write(t, filepath.Join(dir, "d", "b.conf"), "[b]\ny=1\n")
			opts := Options{Root: dir, AllowedRoots: []string{dir}}
			cfg, err := ParseFile(filepath.Join(dir, "top.conf"), opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(cfg.Files) != 3 {
				t.Fatalf("read %v", cfg.Files)
			}
			c.change(t, dir)
			if got := Unchanged(cfg, opts); got != c.want {
				t.Errorf("Unchanged = %v, want %v", got, c.want)
			}
		})
	}
	if Unchanged(nil, Options{}) {
		t.Error("Unchanged(nil) = true")
	}
}

// TestUnchangedStamps: once a file's stamp has settled, stat(2) alone
// vouches for it; a same-size rewrite with its modification time set
// back still changes its change time, and a file renamed into place its
// inode.
func TestUnchangedStamps(t *testing.T) {
	cases := []struct {
		name   string
		change func(t *testing.T, path string)
	}{
		{"rewritten, mtime restored", func(t *testing.T, path string) {
			st, _ := os.Stat(path)
			if err := os.WriteFile(path, []byte("[a]\nx=2\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(path, st.ModTime(), st.ModTime()); err != nil {
				t.Fatal(err)
			}
		}},
		{"renamed into place", func(t *testing.T, path string) {
			st, _ := os.Stat(path)
			tmp := path + ".new"
			if err := os.WriteFile(tmp, []byte("[a]\nx=3\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(tmp, st.ModTime(), st.ModTime()); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, path); err != nil {
				t.Fatal(err)
			}
		}},
		{"a link pointed at another file", func(t *testing.T, path string) {
			target := path + ".other"
			if err := os.WriteFile(target, []byte("[a]\nx=4\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Base(target), path); err != nil {
				t.Fatal(err)
			}
		}},
	}
	// With include roots, the confinement's lstat of a file that is no
	// link stands for its stat; without, or for a link, it is stat'ed.
	for _, roots := range []bool{true, false} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s, roots %v", c.name, roots), func(t *testing.T) {
				checkStampSeesChange(t, roots, c.change)
			})
		}
	}
	t.Run("a link whose target is rewritten", func(t *testing.T) {
		checkStampSeesChange(t, true, func(t *testing.T, path string) {
			// path is a link (made below) to a.conf.real: rewrite the target
			if err := os.WriteFile(path+".real", []byte("[a]\nx=5\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, path string) {
			if err := os.Rename(path, path+".real"); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Base(path)+".real", path); err != nil {
				t.Fatal(err)
			}
		})
	})
}

// checkStampSeesChange parses top.conf including a.conf (made a link
// first by each of links), and checks that Unchanged holds before change
// and not after.
func checkStampSeesChange(t *testing.T, roots bool, change func(t *testing.T, path string), links ...func(t *testing.T, path string)) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "a.conf")
	if err := os.WriteFile(filepath.Join(dir, "top.conf"), []byte("#include a.conf\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("[a]\nx=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		l(t, path)
	}
	time.Sleep(50 * time.Millisecond) // past any clock tick
	opts := Options{Root: dir, settle: time.Millisecond}
	if roots {
		opts.AllowedRoots = []string{dir}
	}
	cfg, err := ParseFile(filepath.Join(dir, "top.conf"), opts)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := cfg.stamps.get("a.conf")
	if !st.stamp.Settled(st.readAt, opts.settle) {
		t.Fatal("the stamp did not settle: the test would not test it")
	}
	if !Unchanged(cfg, opts) {
		t.Fatal("untouched file seen as changed")
	}
	time.Sleep(50 * time.Millisecond)
	change(t, path)
	if Unchanged(cfg, opts) {
		t.Fatal("change not seen")
	}
}

// TestRereadInRuns: a tree big enough to be looked at in runs at once
// reports the files changed in every run, and a file gone in any run.
func TestRereadInRuns(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("one run on one core")
	}
	dir := t.TempDir()
	const n = 2100 // two runs of 1024 and more
	name := func(i int) string { return filepath.Join(dir, "d", fmt.Sprintf("f%04d.conf", i)) }
	if err := os.MkdirAll(filepath.Join(dir, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := os.WriteFile(name(i), fmt.Appendf(nil, "[s%d]\nx=1\n", i), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "top.conf"), []byte("#include d/*.conf\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := Options{Root: dir, AllowedRoots: []string{dir}}
	cfg, err := ParseFile(filepath.Join(dir, "top.conf"), opts)
	if err != nil {
		t.Fatal(err)
	}
	edited := []int{3, n - 3} // one in the first run, one in the last
	for _, i := range edited {
		if err := os.WriteFile(name(i), fmt.Appendf(nil, "[s%d]\nx=2\n", i), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	changed, ok := reread(cfg, opts)
	if !ok || len(changed) != len(edited) {
		t.Fatalf("reread: %d changed (ok %v), want %d", len(changed), ok, len(edited))
	}
	if err := os.Remove(name(n - 1)); err != nil {
		t.Fatal(err)
	}
	if _, ok := reread(cfg, opts); ok {
		t.Error("a file gone in the last run: reread still ok")
	}
}
