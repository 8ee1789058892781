package index

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The watcher is tested with a small stand-in loader, independent of the
// real index: it reads <dir>/a.conf, whose lines "include SUBDIR" add
// every SUBDIR/*.conf (sorted), and fails when a file says BROKEN. Like
// Load it lists the directory of each glob in WatchDirs whether or not it
// exists. The Fingerprint is "name=content" of each file read, joined by
// "|", so a test can wait for exactly the state it expects.

func testLoader(dir string) func() (*Snapshot, error) {
	return func() (*Snapshot, error) {
		snap := &Snapshot{BuiltAt: time.Now(), WatchDirs: []string{dir}}
		var parts []string
		read := func(p string) ([]byte, error) {
			b, err := os.ReadFile(p)
			if err != nil {
				return nil, err
			}
			if bytes.Contains(b, []byte("BROKEN")) {
				return nil, fmt.Errorf("%s:1: BROKEN", p)
			}
			snap.Files = append(snap.Files, p)
			rel, _ := filepath.Rel(dir, p)
			parts = append(parts, filepath.ToSlash(rel)+"="+strings.TrimSpace(string(b)))
			return b, nil
		}
		main, err := read(filepath.Join(dir, "a.conf"))
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(bytes.NewReader(main))
		for sc.Scan() {
			sub, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "include ")
			if !ok {
				continue
			}
			pattern := filepath.Join(dir, sub, "*.conf")
			snap.WatchDirs = append(snap.WatchDirs, filepath.Dir(pattern))
			matches, _ := filepath.Glob(pattern)
			slices.Sort(matches)
			for _, m := range matches {
				if _, err := read(m); err != nil {
					return nil, err
				}
			}
		}
		slices.Sort(snap.Files)
		slices.Sort(snap.WatchDirs)
		snap.Fingerprint = strings.Join(parts, "|")
		return snap, nil
	}
}

// watchEnv is a store over a temp config directory and a running watcher.
type watchEnv struct {
	t       *testing.T
	root    string // temp dir holding dir
	dir     string // the config directory the loader reads
	store   *Store
	reloads atomic.Int64 // attempts, counted by an OnReload hook
}

// newWatchEnv writes files (relative to dir; "dir" itself is root/conf)
// and loads the store once, like serve does before it starts watching.
func newWatchEnv(t *testing.T, files map[string]string) *watchEnv {
	t.Helper()
	root := t.TempDir()
	e := &watchEnv{t: t, root: root, dir: filepath.Join(root, "conf")}
	if err := os.MkdirAll(e.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		e.write(name, content)
	}
	e.store = NewStore(testLoader(e.dir))
	e.store.OnReload(func(ReloadResult, *Snapshot) { e.reloads.Add(1) })
	return e
}

func (e *watchEnv) path(name string) string { return filepath.Join(e.dir, filepath.FromSlash(name)) }

func (e *watchEnv) write(name, content string) {
	e.t.Helper()
	p := e.path(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
}

// writeAtomic saves like an editor: a temp file renamed over the target.
func (e *watchEnv) writeAtomic(name, content string) {
	e.t.Helper()
	p := e.path(name)
	tmp := filepath.Join(filepath.Dir(p), "."+filepath.Base(p)+".swp")
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		e.t.Fatal(err)
	}
}

func (e *watchEnv) mustReload() {
	e.t.Helper()
	if r := e.store.Reload(); !r.Success {
		e.t.Fatalf("initial load: %v", r.Err)
	}
}

// start runs Watch until the test ends and waits until its watches are in
// place; Watch must return nil promptly when its context is cancelled.
func (e *watchEnv) start(opts WatchOptions) {
	e.t.Helper()
	startWatch(e.t, e.store, opts)
}

func startWatch(t *testing.T, s *Store, opts WatchOptions) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	var once sync.Once
	opts.hook = func(ev string) {
		if ev == "ready" {
			once.Do(func() { close(ready) })
		}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(testLogWriter{t}, nil))
	}
	done := make(chan error, 1)
	go func() { done <- Watch(ctx, s, opts) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Watch returned %v, want nil", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Watch did not return after its context was cancelled")
		}
	})
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("Watch returned early: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("Watch not ready after 5s")
	}
}

type testLogWriter struct{ t *testing.T }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// waitFor polls cond until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", timeout, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

const visibleWithin = time.Second

// waitState waits until the served snapshot's fingerprint is want.
func (e *watchEnv) waitState(want string) {
	e.t.Helper()
	waitFor(e.t, visibleWithin, fmt.Sprintf("snapshot %q (have %q)", want, e.fingerprint()), func() bool {
		return e.fingerprint() == want
	})
}

func (e *watchEnv) fingerprint() string {
	if s := e.store.Current(); s != nil {
		return s.Fingerprint
	}
	return "<nil>"
}

// waitFailed waits until the latest reload attempt failed.
func (e *watchEnv) waitFailed() {
	e.t.Helper()
	waitFor(e.t, visibleWithin, "a failed reload", func() bool {
		r := e.store.LastReload()
		return r != nil && !r.Success
	})
}

// watchModes runs f with fsnotify and with polling.
func watchModes(t *testing.T, f func(t *testing.T, opts WatchOptions)) {
	t.Run("fsnotify", func(t *testing.T) { f(t, WatchOptions{Debounce: 20 * time.Millisecond}) })
	t.Run("poll", func(t *testing.T) {
		f(t, WatchOptions{Debounce: 20 * time.Millisecond, PollInterval: 10 * time.Millisecond})
	})
}

func TestWatchInPlaceWrite(t *testing.T) {
	watchModes(t, func(t *testing.T, opts WatchOptions) {
		e := newWatchEnv(t, map[string]string{"a.conf": "v1"})
		e.mustReload()
		e.start(opts)
		e.write("a.conf", "v2")
		e.waitState("a.conf=v2")
		e.write("a.conf", "v3")
		e.waitState("a.conf=v3")
	})
}

func TestWatchAtomicSave(t *testing.T) {
	watchModes(t, func(t *testing.T, opts WatchOptions) {
		e := newWatchEnv(t, map[string]string{"a.conf": "v1"})
		e.mustReload()
		e.start(opts)
		e.writeAtomic("a.conf", "v2")
		e.waitState("a.conf=v2")
		e.writeAtomic("a.conf", "v3")
		e.waitState("a.conf=v3")
	})
}

func TestWatchDeleteThenRecreate(t *testing.T) {
	watchModes(t, func(t *testing.T, opts WatchOptions) {
		e := newWatchEnv(t, map[string]string{"a.conf": "v1"})
		e.mustReload()
		e.start(opts)
		if err := os.Remove(e.path("a.conf")); err != nil {
			t.Fatal(err)
		}
		e.waitFailed()
		if got := e.fingerprint(); got != "a.conf=v1" {
			t.Fatalf("after delete: served %q, want the last good a.conf=v1", got)
		}
		e.write("a.conf", "v2")
		e.waitState("a.conf=v2")
	})
}

func TestWatchMoveDirAwayAndBack(t *testing.T) {
	watchModes(t, func(t *testing.T, opts WatchOptions) {
		e := newWatchEnv(t, map[string]string{"a.conf": "v1"})
		e.mustReload()
		e.start(opts)
		away := filepath.Join(e.root, "conf.away")
		if err := os.Rename(e.dir, away); err != nil {
			t.Fatal(err)
		}
		e.waitFailed()
		if err := os.WriteFile(filepath.Join(away, "a.conf"), []byte("v2"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(away, e.dir); err != nil {
			t.Fatal(err)
		}
		e.waitState("a.conf=v2")
		// The directory is watched again after coming back.
		e.write("a.conf", "v3")
		e.waitState("a.conf=v3")
	})
}

func TestWatchDirReplacedByAnother(t *testing.T) {
	watchModes(t, func(t *testing.T, opts WatchOptions) {
		e := newWatchEnv(t, map[string]string{"a.conf": "v1"})
		e.mustReload()
		e.start(opts)
		next := filepath.Join(e.root, "conf.new")
		if err := os.Mkdir(next, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(next, "a.conf"), []byte("new1"), 0o644); err != nil {
			t.Fatal(err)
		}
		// The deploy pattern: mv conf conf.old && mv conf.new conf.
		if err := os.Rename(e.dir, filepath.Join(e.root, "conf.old")); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(next, e.dir); err != nil {
			t.Fatal(err)
		}
		e.waitState("a.conf=new1")
		// The new directory (another inode under the same name) is watched.
		e.write("a.conf", "new2")
		e.waitState("a.conf=new2")
		// The old one no longer matters.
		if err := os.WriteFile(filepath.Join(e.root, "conf.old", "a.conf"), []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		e.write("a.conf", "new3")
		e.waitState("a.conf=new3")
	})
}

// TestWatchConfigMapSwap reproduces how the kubelet updates a mounted
// ConfigMap: the data lives in a timestamped directory, "..data" links to
// it, each file is a symlink through "..data"; an update writes a new
// timestamped directory, points "..data_tmp" at it, renames "..data_tmp"
// over "..data" and removes the old directory.
func TestWatchConfigMapSwap(t *testing.T) {
	watchModes(t, func(t *testing.T, opts WatchOptions) {
		e := newWatchEnv(t, nil)
		stamp := 0
		publish := func(files map[string]string) {
			t.Helper()
			stamp++
			ts := fmt.Sprintf("..2026_01_01_00_00_%02d.000000000", stamp)
			if err := os.Mkdir(e.path(ts), 0o755); err != nil {
				t.Fatal(err)
			}
			for name, content := range files {
				if err := os.WriteFile(filepath.Join(e.path(ts), name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			old, _ := os.Readlink(e.path("..data"))
			if err := os.Symlink(ts, e.path("..data_tmp")); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(e.path("..data_tmp"), e.path("..data")); err != nil {
				t.Fatal(err)
			}
			for name := range files {
				if _, err := os.Lstat(e.path(name)); err != nil {
					if err := os.Symlink(filepath.Join("..data", name), e.path(name)); err != nil {
						t.Fatal(err)
					}
				}
			}
			if old != "" {
				if err := os.RemoveAll(e.path(old)); err != nil {
					t.Fatal(err)
				}
			}
		}
		publish(map[string]string{"a.conf": "cm1"})
		e.mustReload()
		e.start(opts)
		publish(map[string]string{"a.conf": "cm2"})
		e.waitState("a.conf=cm2")
		publish(map[string]string{"a.conf": "cm3"})
		e.waitState("a.conf=cm3")
	})
}

// TestWatchSymlinkTargetElsewhere: a config file that is a symlink into
// another directory is reloaded when its target is written in place.
func TestWatchSymlinkTargetElsewhere(t *testing.T) {
	watchModes(t, func(t *testing.T, opts WatchOptions) {
		e := newWatchEnv(t, nil)
		real := filepath.Join(e.root, "elsewhere", "real.conf")
		if err := os.MkdirAll(filepath.Dir(real), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(real, []byte("s1"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(real, e.path("a.conf")); err != nil {
			t.Fatal(err)
		}
		e.mustReload()
		e.start(opts)
		if err := os.WriteFile(real, []byte("s2"), 0o644); err != nil {
			t.Fatal(err)
		}
		e.waitState("a.conf=s2")
	})
}

// TestWatchSymlinkRetargetedLoadFailed: a config file that is a symlink
// is pointed at a file elsewhere that does not load; when that file is
// mended in place, the change is seen though no reload succeeded in
// between (the watches follow the link after a failed reload too).
func TestWatchSymlinkRetargetedLoadFailed(t *testing.T) {
	e := newWatchEnv(t, nil)
	var real [2]string
	for i := range real {
		real[i] = filepath.Join(e.root, fmt.Sprintf("elsewhere%d", i), "real.conf")
		if err := os.MkdirAll(filepath.Dir(real[i]), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(real[0], []byte("s1"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(real[1], []byte("BROKEN"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real[0], e.path("a.conf")); err != nil {
		t.Fatal(err)
	}
	e.mustReload()
	e.start(WatchOptions{Debounce: 20 * time.Millisecond})
	tmp := e.path("a.conf.tmp")
	if err := os.Symlink(real[1], tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, e.path("a.conf")); err != nil {
		t.Fatal(err)
	}
	e.waitFailed()
	if err := os.WriteFile(real[1], []byte("s2"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.waitState("a.conf=s2")
}

// TestWatchNewIncludeDir: a directory that only becomes part of the
// configuration after a reload is watched from then on, and a file that
// appears there (matched by the include glob) is picked up.
func TestWatchNewIncludeDir(t *testing.T) {
	watchModes(t, func(t *testing.T, opts WatchOptions) {
		e := newWatchEnv(t, map[string]string{"a.conf": "v1", "sub/x.conf": "x1"})
		e.mustReload()
		e.start(opts)
		e.writeAtomic("a.conf", "v2\ninclude sub")
		e.waitState("a.conf=v2\ninclude sub|sub/x.conf=x1")
		e.write("sub/y.conf", "y1")
		e.waitState("a.conf=v2\ninclude sub|sub/x.conf=x1|sub/y.conf=y1")
		e.write("sub/x.conf", "x2")
		e.waitState("a.conf=v2\ninclude sub|sub/x.conf=x2|sub/y.conf=y1")
	})
}

// TestWatchIncludedDirRemovedAndRecreated: the included directory (two
// levels down) is removed — the glob now matches nothing — then created
// again with new files; both are noticed through the ancestors' watches.
func TestWatchIncludedDirRemovedAndRecreated(t *testing.T) {
	watchModes(t, func(t *testing.T, opts WatchOptions) {
		const a = "a.conf=v1\ninclude sub/deep"
		e := newWatchEnv(t, map[string]string{"a.conf": "v1\ninclude sub/deep", "sub/deep/x.conf": "x1"})
		e.mustReload()
		e.start(opts)
		if err := os.RemoveAll(e.path("sub")); err != nil {
			t.Fatal(err)
		}
		e.waitState(a)
		e.write("sub/deep/x.conf", "x2")
		e.waitState(a + "|sub/deep/x.conf=x2")
		// Watched again: a new file there is seen too.
		e.write("sub/deep/y.conf", "y1")
		e.waitState(a + "|sub/deep/x.conf=x2|sub/deep/y.conf=y1")
	})
}

// TestWatchBrokenKeepsLastGood: a failed reload leaves the last good
// snapshot in place and says so; a later good edit recovers by itself.
func TestWatchBrokenKeepsLastGood(t *testing.T) {
	watchModes(t, func(t *testing.T, opts WatchOptions) {
		e := newWatchEnv(t, map[string]string{"a.conf": "v1"})
		e.mustReload()
		e.start(opts)
		good := e.store.Current()
		e.write("a.conf", "v2 BROKEN")
		e.waitFailed()
		r := e.store.LastReload()
		if r.Err == nil || !strings.Contains(r.Err.Error(), "a.conf:1") {
			t.Errorf("failed reload error = %v, want one naming a.conf:1", r.Err)
		}
		if e.store.Current() != good {
			t.Fatalf("a failed reload replaced the snapshot: now %q", e.fingerprint())
		}
		if r.Generation != good.Generation {
			t.Errorf("failed reload reports generation %d, want %d", r.Generation, good.Generation)
		}
		e.write("a.conf", "v3")
		e.waitState("a.conf=v3")
		if r := e.store.LastReload(); !r.Success {
			t.Errorf("after the fix the last reload failed: %v", r.Err)
		}
	})
}

// TestWatchFirstLoadFailed: with no snapshot yet, the directories in
// WatchOptions.Dirs are watched so fixing the configuration recovers.
func TestWatchFirstLoadFailed(t *testing.T) {
	watchModes(t, func(t *testing.T, opts WatchOptions) {
		e := newWatchEnv(t, map[string]string{"a.conf": "BROKEN"})
		if r := e.store.Reload(); r.Success {
			t.Fatal("the broken first load succeeded")
		}
		opts.Dirs = []string{e.dir}
		e.start(opts)
		e.writeAtomic("a.conf", "v1")
		e.waitState("a.conf=v1")
	})
}

// TestWatchChangeBeforeStart: a change made between the first load and
// the start of Watch is not lost.
func TestWatchChangeBeforeStart(t *testing.T) {
	watchModes(t, func(t *testing.T, opts WatchOptions) {
		e := newWatchEnv(t, map[string]string{"a.conf": "v1"})
		e.mustReload()
		e.write("a.conf", "v2")
		e.start(opts)
		e.waitState("a.conf=v2")
	})
}

// TestWatchStartWaitsForQuiet: the reload that catches up with a change
// made before Watch started is debounced like any other, so a write that
// follows at once (an editor still saving, a deploy still copying) is the
// same burst: one reload of the final state, never one in the middle.
func TestWatchStartWaitsForQuiet(t *testing.T) {
	watchModes(t, func(t *testing.T, opts WatchOptions) {
		// Wide, so that a descheduled test on a loaded CI machine still
		// writes v3 within the start's debounce.
		opts.Debounce = time.Second
		e := newWatchEnv(t, map[string]string{"a.conf": "v1"})
		e.mustReload()
		e.write("a.conf", "v2") // before the start: stale
		before := e.reloads.Load()
		e.start(opts)
		e.write("a.conf", "v3") // within the start's debounce
		waitFor(t, 5*time.Second, "a.conf=v3 served and counted", func() bool {
			return e.fingerprint() == "a.conf=v3" && e.reloads.Load() > before
		})
		if n := e.reloads.Load() - before; n != 1 {
			t.Fatalf("%d reloads, want 1: the start reloaded before the burst was over", n)
		}
	})
}

// TestWatchFollowsExternalReload: a reload made by someone else (SIGHUP)
// that brings in a new directory makes the watcher watch it, although no
// event told it to reload.
func TestWatchFollowsExternalReload(t *testing.T) {
	watchModes(t, func(t *testing.T, opts WatchOptions) {
		e := newWatchEnv(t, map[string]string{"a.conf": "v1", "sub/x.conf": "x1"})
		// What is included is switched from outside the files here, so
		// that only the foreign reload can bring sub/ in.
		var withSub atomic.Bool
		load := testLoader(e.dir)
		e.store.load = func() (*Snapshot, error) {
			snap, err := load()
			if err != nil || !withSub.Load() {
				return snap, err
			}
			b, err := os.ReadFile(e.path("sub/x.conf"))
			if err != nil {
				return nil, err
			}
			snap.Files = append(snap.Files, e.path("sub/x.conf"))
			snap.WatchDirs = append(snap.WatchDirs, e.path("sub"))
			snap.Fingerprint += "|sub/x.conf=" + string(b)
			return snap, nil
		}
		e.mustReload()
		e.start(opts)
		withSub.Store(true)
		e.mustReload() // SIGHUP
		e.waitState("a.conf=v1|sub/x.conf=x1")
		// The watcher resynchronises within a second; keep editing until
		// an edit shows up by itself.
		deadline := time.Now().Add(3 * time.Second)
		for i := 2; ; i++ {
			e.write("sub/x.conf", fmt.Sprintf("x%d", i))
			want := fmt.Sprintf("a.conf=v1|sub/x.conf=x%d", i)
			next := time.Now().Add(200 * time.Millisecond)
			for e.fingerprint() != want && time.Now().Before(next) {
				time.Sleep(2 * time.Millisecond)
			}
			if e.fingerprint() == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("sub/ not watched 3s after an external reload: have %q", e.fingerprint())
			}
		}
	})
}

// TestWatchDebounce: a burst of 20 writes is one reload (two at worst,
// should the scheduler stall mid-burst), not twenty.
func TestWatchDebounce(t *testing.T) {
	e := newWatchEnv(t, map[string]string{"a.conf": "v0"})
	e.mustReload()
	e.start(WatchOptions{}) // default debounce
	before := e.reloads.Load()
	for i := 1; i <= 20; i++ {
		e.write("a.conf", fmt.Sprintf("v%d", i))
	}
	e.waitState("a.conf=v20")
	time.Sleep(3 * DefaultDebounce) // let a trailing reload, if any, happen
	if n := e.reloads.Load() - before; n < 1 || n > 2 {
		t.Fatalf("20 writes in a burst caused %d reloads, want 1 (or 2)", n)
	}
}

// TestWatchBurstNeverStarves: a burst that never pauses (something
// writing every few milliseconds) is still reloaded, after at most ten
// debounce periods, instead of postponing the reload forever.
func TestWatchBurstNeverStarves(t *testing.T) {
	e := newWatchEnv(t, map[string]string{"a.conf": "v0"})
	e.mustReload()
	const debounce = 30 * time.Millisecond
	e.start(WatchOptions{Debounce: debounce})
	before := e.reloads.Load()
	start := time.Now()
	for i := 1; time.Since(start) < 30*debounce; i++ {
		e.write("a.conf", fmt.Sprintf("v%d", i))
		time.Sleep(debounce / 6)
	}
	if e.reloads.Load() == before {
		t.Fatalf("no reload during %v of writes every %v", 30*debounce, debounce/6)
	}
}

// TestWatchEventsDuringReload: events that arrive while a reload runs
// cause exactly one more build once it is done. (The first build may be
// dropped unpublished, its files having changed around it: builds are
// counted, not published reloads.)
func TestWatchEventsDuringReload(t *testing.T) {
	root := t.TempDir()
	load := testLoader(root)
	var gate atomic.Bool
	entered := make(chan struct{})
	release := make(chan struct{})
	var reloads atomic.Int64 // builds
	s := NewStore(func() (*Snapshot, error) {
		reloads.Add(1)
		if gate.CompareAndSwap(true, false) {
			close(entered)
			<-release
		}
		return load()
	})
	write := func(content string) {
		if err := os.WriteFile(filepath.Join(root, "a.conf"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("v0")
	s.Reload()
	opts := WatchOptions{Debounce: 20 * time.Millisecond}
	startWatch(t, s, opts)

	before := reloads.Load()
	gate.Store(true)
	write("v1")
	select {
	case <-entered:
	case <-time.After(visibleWithin):
		t.Fatal("no reload within 1s of a write")
	}
	for i := 2; i <= 6; i++ {
		write(fmt.Sprintf("v%d", i))
	}
	close(release)
	waitFor(t, visibleWithin, "a.conf=v6 and two builds", func() bool {
		return s.Current().Fingerprint == "a.conf=v6" && reloads.Load()-before == 2
	})
	time.Sleep(5 * opts.Debounce)
	if n := reloads.Load() - before; n != 2 {
		t.Fatalf("%d builds, want 2: the gated one and exactly one more", n)
	}
}

// TestWatchDropsBuildOfChangingFiles: a build during which a file it read
// changed may hold half a write, so it is never published: the state
// after the change is, one debounce later.
func TestWatchDropsBuildOfChangingFiles(t *testing.T) {
	watchModes(t, func(t *testing.T, opts WatchOptions) {
		root := t.TempDir()
		load := testLoader(root)
		write := func(content string) {
			if err := os.WriteFile(filepath.Join(root, "a.conf"), []byte(content), 0o644); err != nil {
				t.Error(err)
			}
		}
		var gate atomic.Bool
		s := NewStore(func() (*Snapshot, error) {
			snap, err := load()
			if gate.CompareAndSwap(true, false) {
				write("v3") // a writer still at work while the loader read
			}
			return snap, err
		})
		var mu sync.Mutex
		var served []string
		s.OnReload(func(_ ReloadResult, snap *Snapshot) {
			mu.Lock()
			served = append(served, snap.Fingerprint)
			mu.Unlock()
		})
		write("v1")
		s.Reload()
		startWatch(t, s, opts)
		gate.Store(true)
		write("v2")
		waitFor(t, 5*time.Second, "a.conf=v3", func() bool { return s.Current().Fingerprint == "a.conf=v3" })
		mu.Lock()
		defer mu.Unlock()
		if slices.Contains(served, "a.conf=v2") {
			t.Errorf("the build read while a.conf changed was published: %q", served)
		}
	})
}

// TestWatchPollSameSizeAndMtime: polling compares content hashes, so a
// write that keeps the size and restores the mtime is still seen.
func TestWatchPollSameSizeAndMtime(t *testing.T) {
	e := newWatchEnv(t, map[string]string{"a.conf": "AAAA"})
	mtime := time.Now().Add(-time.Hour).Truncate(time.Second)
	p := e.path("a.conf")
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	e.mustReload()
	e.start(WatchOptions{PollInterval: 10 * time.Millisecond})
	e.write("a.conf", "BBBB")
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(p); err != nil || fi.Size() != 4 || !fi.ModTime().Equal(mtime) {
		t.Fatalf("setup: size and mtime not preserved: %v %v", fi, err)
	}
	e.waitState("a.conf=BBBB")
}

// TestWatchPollWaitsForQuiet: polling debounces too. A change made in
// steps (a directory removed, then recreated with new files, a few polls
// apart) is one reload of the final state: the half-done state in between
// is never served.
func TestWatchPollWaitsForQuiet(t *testing.T) {
	e := newWatchEnv(t, map[string]string{"a.conf": "include sub", "sub/x.conf": "x1"})
	var served []string
	var mu sync.Mutex
	e.store.OnReload(func(_ ReloadResult, s *Snapshot) {
		mu.Lock()
		served = append(served, s.Fingerprint)
		mu.Unlock()
	})
	e.mustReload()
	const poll = 5 * time.Millisecond
	// A debounce far above the gap between the two steps, so a loaded CI
	// machine cannot stretch the gap past it.
	e.start(WatchOptions{PollInterval: poll, Debounce: 200 * poll})
	if err := os.RemoveAll(e.path("sub")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(4 * poll) // a slow writer: several polls see sub/ missing
	e.write("sub/x.conf", "x2")
	waitFor(t, 5*time.Second, "the final state", func() bool { return e.fingerprint() == "a.conf=include sub|sub/x.conf=x2" })
	mu.Lock()
	defer mu.Unlock()
	// Compact: the start may reload x1 again (stale: just written).
	served = slices.Compact(served)
	if want := []string{"a.conf=include sub|sub/x.conf=x1", "a.conf=include sub|sub/x.conf=x2"}; !slices.Equal(served, want) {
		t.Fatalf("served %q, want %q", served, want)
	}
}

// TestWatchPollNoChangeNoReload: polling reloads only when something
// changed.
func TestWatchPollNoChangeNoReload(t *testing.T) {
	e := newWatchEnv(t, map[string]string{"a.conf": "v1", "sub/x.conf": "x"})
	old := time.Now().Add(-time.Hour)
	for _, p := range []string{e.path("a.conf"), e.path("sub/x.conf"), e.path("sub"), e.dir} {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	e.mustReload()
	e.start(WatchOptions{PollInterval: 5 * time.Millisecond})
	before := e.reloads.Load()
	time.Sleep(100 * time.Millisecond)
	if n := e.reloads.Load() - before; n != 0 {
		t.Fatalf("%d reloads without any change", n)
	}
}

// TestWatchLatency measures the time from a write to the new snapshot
// being served, over 50 edits with the default debounce (SPEC §9: under
// 300 ms, debounce included).
func TestWatchLatency(t *testing.T) {
	if testing.Short() {
		t.Skip("a measurement: 50 edits, each waiting out the debounce")
	}
	e := newWatchEnv(t, map[string]string{"a.conf": "v0"})
	e.mustReload()
	e.start(WatchOptions{})
	var lat []time.Duration
	for i := 1; i <= 50; i++ {
		want := fmt.Sprintf("a.conf=v%d", i)
		start := time.Now()
		if i%2 == 0 {
			e.writeAtomic("a.conf", fmt.Sprintf("v%d", i))
		} else {
			e.write("a.conf", fmt.Sprintf("v%d", i))
		}
		for e.fingerprint() != want {
			if time.Since(start) > visibleWithin {
				t.Fatalf("edit %d not visible within %v", i, visibleWithin)
			}
			time.Sleep(500 * time.Microsecond)
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	t.Logf("write -> new snapshot over %d edits (debounce %v): median %v, max %v",
		len(lat), DefaultDebounce, lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
}

func TestWatchPlanRelevant(t *testing.T) {
	root := t.TempDir()
	conf := filepath.Join(root, "conf")
	if err := os.MkdirAll(conf, 0o755); err != nil {
		t.Fatal(err)
	}
	snap := &Snapshot{WatchDirs: []string{conf, filepath.Join(conf, "gone", "deep")}}
	p := planWatches(snap, nil, linkDirs(snap))
	for name, want := range map[string]bool{
		filepath.Join(conf, "a.conf"):              true,  // in a watched dir
		filepath.Join(conf, ".a.conf.swp"):         true,  // any event there
		conf:                                       true,  // the dir itself
		filepath.Join(root, "conf"):                true,  // its entry in the parent
		filepath.Join(root, "other"):               false, // a sibling
		filepath.Join(conf, "gone"):                true,  // a missing dir's nearest ancestor
		filepath.Join(conf, "gone", "deep", "x"):   true,
		filepath.Join(conf, "gone", "other", "x"):  false,
		filepath.Join(filepath.Dir(root), "other"): false,
	} {
		if got := p.relevant(name); got != want {
			t.Errorf("relevant(%s) = %v, want %v", name, got, want)
		}
	}
	dirs := p.dirs()
	for _, d := range []string{root, conf} {
		if !slices.Contains(dirs, d) {
			t.Errorf("dirs %v lack %s", dirs, d)
		}
	}
}

// TestWatchPlanSymlinkTargets: a configuration file that is a symlink
// into another directory has that directory watched for content (its
// target is written there); one into its own directory, a regular file
// or a dangling link add nothing.
func TestWatchPlanSymlinkTargets(t *testing.T) {
	root := t.TempDir()
	conf, other, same := filepath.Join(root, "conf"), filepath.Join(root, "other"), filepath.Join(root, "conf", "real.conf")
	for _, d := range []string{conf, other} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{filepath.Join(other, "target.conf"), same, filepath.Join(conf, "plain.conf")} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{"away.conf": filepath.Join(other, "target.conf"), "near.conf": same, "dangling.conf": filepath.Join(root, "gone", "x.conf")}
	var files []string
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(conf, name)); err != nil {
			t.Fatal(err)
		}
		files = append(files, filepath.Join(conf, name))
	}
	files = append(files, filepath.Join(conf, "plain.conf"))
	snap := &Snapshot{WatchDirs: []string{conf}, Files: files}
	p := planWatches(snap, nil, linkDirs(snap))
	if !p.content[other] {
		t.Errorf("the symlink target's directory is not watched: %v", p.content)
	}
	for d := range p.content {
		if d != conf && d != other {
			t.Errorf("unexpected content dir %s", d)
		}
	}
}

// TestReadDirNames: every name of a directory, sorted.
func TestReadDirNames(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"c", "a", "b"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := readDirNames(dir); err != nil || !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("readDirNames = %q, %v", got, err)
	}
}
