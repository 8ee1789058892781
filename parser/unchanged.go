package parser

import (
	"crypto/sha256"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/astapi/astapi/internal/parallel"
	"github.com/astapi/astapi/internal/safefile"
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
	changed, ok := reread(cfg, opts)
	return ok && len(changed) == 0 && cfg.Charge(opts.Budget)
}

// reread looks again at the files cfg was parsed from, through the same
// confinement as a parse, and returns the new content of those that
// changed, by name (as in cfg.Files). A file whose stamp is settled and
// the same is not read again. ok is false when the tree itself changed
// (an #include matches something else now, a file is gone, refused or
// unreadable, a file read twice): then only a new parse tells what
// parsing it now gives. It charges no budget.
func reread(cfg *Config, opts Options) (changed map[string]changedFile, ok bool) {
	if cfg == nil || len(cfg.Files) == 0 {
		return nil, false
	}
	opts = opts.withDefaults()
	for _, inc := range cfg.Includes {
		if readsOneFile(inc) {
			continue // the loop below looks at that file
		}
		if matches(inc.Pattern) != inc.matched {
			return nil, false
		}
	}
	// The files are looked at in runs at once: at ten thousand files,
	// the stat calls alone take tens of milliseconds.
	runs := min(runtime.GOMAXPROCS(0), 4, max(1, len(cfg.Files)/1024))
	found := make([]map[string]changedFile, runs)
	var failed atomic.Bool
	parallel.Runs(len(cfg.Files), runs, func(run, lo, hi int) {
		conf := newConfiner(opts.AllowedRoots)
		for _, f := range cfg.Files[lo:hi] {
			if failed.Load() {
				return
			}
			c, same, ok := rereadOne(cfg, f, conf, opts)
			switch {
			case !ok:
				failed.Store(true)
				return
			case same:
			default:
				if found[run] == nil {
					found[run] = map[string]changedFile{}
				}
				found[run][f] = c
			}
		}
	})
	if failed.Load() {
		return nil, false
	}
	for _, m := range found {
		if changed == nil {
			changed = m
			continue
		}
		maps.Copy(changed, m)
	}
	return changed, true
}

// rereadOne looks again at f, a file of cfg (see reread): same when it
// holds what it held, else its content now; ok is false when it is gone,
// refused or unreadable.
func rereadOne(cfg *Config, f string, conf *confiner, opts Options) (c changedFile, same, ok bool) {
	path := f
	if !filepath.IsAbs(path) {
		path = filepath.Join(cfg.Dir, f)
	}
	want := cfg.Digests[f]
	if want == "" {
		return changedFile{}, false, false
	}
	fi, err := conf.checkInfo(path)
	if err != nil {
		return changedFile{}, false, false
	}
	old, known := cfg.stamps.get(f)
	if known && old.stamp.Settled(old.readAt, opts.settle) {
		now := safefile.StampOf(fi) // the lstat of a file that is no link is its stat
		if fi == nil {
			now = safefile.StatStamp(path)
		}
		if now == old.stamp {
			return changedFile{}, true, true
		}
	}
	data, stamp, err := readStamped(path, opts.MaxFileSize)
	if err != nil {
		return changedFile{}, false, false
	}
	if sum := sha256.Sum256(data); string(sum[:16]) != want {
		return changedFile{data, stamp}, false, true
	}
	// The same content: this stamp may settle where the first did not.
	cfg.stamps.set(f, stamp)
	return changedFile{}, true, true
}

// changedFile is a file's new content, and its stamp when read.
type changedFile struct {
	data  []byte
	stamp fileStamp
}

// settleTime is how long before it was read a file must have last
// changed for its stamp to vouch for its content: over the clock tick of
// any file system (FAT's is 2 s).
const settleTime = 3 * time.Second

// fileStamp is a file's stamp and when it was read.
type fileStamp struct {
	stamp  safefile.Stamp
	readAt time.Time
}

// fileStamps are the stamps of a parse's files when read, by name. The
// configs Refresh gives back unchanged share them, and reread updates a
// stamp in place when it reads the same content again: it stays true of
// every config sharing it, since they share their digests. A config
// spliced gets a copy.
type fileStamps struct {
	mu sync.Mutex
	m  map[string]fileStamp
}

func (s *fileStamps) get(name string) (fileStamp, bool) {
	if s == nil {
		return fileStamp{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.m[name]
	return st, ok
}

func (s *fileStamps) set(name string, st fileStamp) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[name] = st
}

// with is a copy of s with the stamps of changed.
func (s *fileStamps) with(changed map[string]changedFile) *fileStamps {
	out := &fileStamps{m: map[string]fileStamp{}}
	if s != nil {
		s.mu.Lock()
		out.m = maps.Clone(s.m)
		s.mu.Unlock()
	}
	for name, c := range changed {
		out.m[name] = c.stamp
	}
	return out
}

// readsOneFile reports whether inc names one path, no glob, and read the
// regular file there: then it matches the same while that file can be
// read again (a tenant's #include of its own file).
func readsOneFile(inc Include) bool {
	return len(inc.Files) == 1 && !strings.ContainsAny(inc.Pattern, "*?[{") && inc.matched == "f"+inc.Pattern+"\x00"
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
