package parser

import (
	"errors"
	"path/filepath"
	"strings"
)

// confined reports whether path, with every symlink resolved, lies inside
// one of the allowed roots (also resolved). With no roots, all paths are
// allowed.
func confined(path string, roots []string) error {
	if len(roots) == 0 {
		return nil
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	for _, r := range roots {
		rr, err := filepath.EvalSymlinks(r)
		if err != nil {
			continue
		}
		if Within(rr, real) {
			return nil
		}
	}
	// Neither path is named: diagnostics are shown to API users, and
	// where files live on the host is not theirs to know.
	return errors.New("outside the allowed directories (asterisk_dir and include_roots)")
}

// Within reports whether path is dir or lies below it (both clean,
// absolute or both relative to one directory).
func Within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
