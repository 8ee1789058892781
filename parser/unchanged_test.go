package parser

import (
	"os"
	"path/filepath"
	"testing"
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
