package parser

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
)

// Unchanged reports whether parsing cfg's top-level file again with opts
// would give cfg: every file it read holds what it held (same digest), and
// every #include matches what it matched. It reads the files again,
// through the same confinement as a parse, and parses nothing: a fraction
// of parsing them. When it reports true it has charged opts.Budget what
// the parse charged (every read, a file included twice counting twice);
// when false, nothing: the parse done instead charges its own. A reload
// keeps the parse of a top-level file whose tree did not change (package
// index).
func Unchanged(cfg *Config, opts Options) bool {
	if cfg == nil || len(cfg.Files) == 0 {
		return false
	}
	opts = opts.withDefaults()
	for _, inc := range cfg.Includes {
		if matches(inc.Pattern) != inc.matched {
			return false
		}
	}
	conf := newConfiner(opts.AllowedRoots)
	for _, f := range cfg.Files {
		path := f
		if !filepath.IsAbs(path) {
			path = filepath.Join(cfg.Dir, f)
		}
		want := cfg.Digests[f]
		if want == "" || conf.check(path) != nil {
			return false
		}
		data, err := readLimited(path, opts.MaxFileSize)
		if err != nil {
			return false
		}
		if sum := sha256.Sum256(data); string(sum[:16]) != want {
			return false
		}
	}
	return opts.Budget.keep(cfg.charged.files, cfg.charged.bytes)
}

// matches describes what an #include pattern matches now: each path
// globAsterisk gives, with what it is (a missing path, a directory, a
// regular file, anything else), as the include loop tells them apart.
func matches(pattern string) string {
	var b strings.Builder
	for _, path := range globAsterisk(pattern) {
		kind := "m"
		if st, err := os.Stat(path); err == nil {
			switch {
			case st.IsDir():
				kind = "d"
			case st.Mode().IsRegular():
				kind = "f"
			default:
				kind = "o"
			}
		}
		b.WriteString(kind)
		b.WriteString(path)
		b.WriteByte(0)
	}
	return b.String()
}
