package parser

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// confined reports whether path, with every symlink resolved, lies inside
// one of the allowed roots (also resolved). With no roots, all paths are
// allowed.
func confined(path string, roots []string) error {
	return newConfiner(roots).check(path)
}

// confiner is confined for the many files of one parse: the roots are
// resolved once, and each directory once (a PBX with a file per tenant
// includes thousands from one directory).
type confiner struct {
	roots    []string               // resolved; nil when there are no roots
	resolved bool                   // roots resolved
	given    []string               // as given
	dirs     map[string]confinedDir // directory (as named) -> resolved
}

// confinedDir is a directory with symlinks resolved, and whether that
// lies within a root: then so does every file in it that is no link.
type confinedDir struct {
	real   string
	within bool
}

func newConfiner(roots []string) *confiner {
	return &confiner{given: roots, dirs: map[string]confinedDir{}}
}

func (c *confiner) check(path string) error {
	_, err := c.checkInfo(path)
	return err
}

// checkInfo is check, and also gives what lstat(2) said of path when it
// looked and path is no symlink (nil otherwise): the file's own stat,
// which reread would otherwise ask for again.
func (c *confiner) checkInfo(path string) (os.FileInfo, error) {
	if len(c.given) == 0 {
		return nil, nil
	}
	if !c.resolved {
		c.resolved = true
		for _, r := range c.given {
			if rr, err := filepath.EvalSymlinks(r); err == nil {
				c.roots = append(c.roots, rr)
			}
		}
	}
	real, fi, within, err := c.resolve(path)
	if err != nil {
		return nil, err
	}
	if within || c.within(real) {
		return fi, nil
	}
	// Neither path is named: diagnostics are shown to API users, and
	// where files live on the host is not theirs to know.
	return nil, errors.New("outside the allowed directories (asterisk_dir and include_roots)")
}

// within reports whether real (resolved) lies within a root.
func (c *confiner) within(real string) bool {
	for _, rr := range c.roots {
		if Within(rr, real) {
			return true
		}
	}
	return false
}

// resolve is filepath.EvalSymlinks(path), with path's directory resolved
// once per confiner (and whether it lies within a root: a file in it that
// is no link does, which within says then, with real not worked out): the
// file itself is resolved on its own when it is a link.
func (c *confiner) resolve(path string) (real string, fi os.FileInfo, within bool, err error) {
	path = filepath.Clean(path)
	if !filepath.IsAbs(path) {
		real, err := filepath.EvalSymlinks(path)
		return real, nil, false, err
	}
	st, err := os.Lstat(path)
	if err != nil {
		return "", nil, false, err
	}
	if st.Mode()&os.ModeSymlink != 0 {
		real, err := filepath.EvalSymlinks(path)
		return real, nil, false, err
	}
	dir, base := filepath.Split(path)
	d, ok := c.dirs[dir]
	if !ok {
		if d.real, err = filepath.EvalSymlinks(dir); err != nil {
			return "", nil, false, err
		}
		d.within = c.within(d.real)
		c.dirs[dir] = d
	}
	if d.within {
		return "", st, true, nil
	}
	return filepath.Join(d.real, base), st, false, nil
}

// Within reports whether path is dir or lies below it (both clean,
// absolute or both relative to one directory).
func Within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
