package index

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// pbxDir writes astapi.ini ([server] plus extra) and the Asterisk files
// into a temp dir and returns the ini's path and asterisk_dir.
func pbxDir(t *testing.T, extra string, files map[string]string) (ini, ast string) {
	t.Helper()
	dir := t.TempDir()
	ast = filepath.Join(dir, "asterisk")
	if err := os.MkdirAll(ast, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(ast, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ini = filepath.Join(dir, "astapi.ini")
	if err := os.WriteFile(ini, []byte("[server]\nasterisk_dir = asterisk\n"+extra), 0o644); err != nil {
		t.Fatal(err)
	}
	return ini, ast
}

// watchedPBX loads ini into a store and starts a real watcher on it.
func watchedPBX(t *testing.T, ini string) *Store {
	t.Helper()
	st := NewStore(func() (*Snapshot, error) { return Load(ini) })
	if r := st.Reload(); !r.Success {
		t.Fatalf("initial load: %v", r.Err)
	}
	startWatch(t, st, WatchOptions{Debounce: 20 * time.Millisecond, Dirs: []string{filepath.Dir(ini)}})
	return st
}

// waitReload waits until the latest reload attempt is the one want
// accepts.
func waitReload(t *testing.T, st *Store, within time.Duration, what string, want func(*ReloadResult) bool) *ReloadResult {
	t.Helper()
	var last *ReloadResult
	waitFor(t, within, what, func() bool {
		last = st.LastReload()
		return last != nil && want(last)
	})
	return last
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skip("no mkfifo:", err)
	}
}

const fifoSIP = "[general]\ncontext=default\n\n[201]\ntype=friend\nhost=dynamic\nsecret=abcd1234\n"

// TestWatchFIFOAtTopLevelFile: a FIFO put at users.conf (and at
// astapi.ini) fails its reload at once, visibly, instead of wedging the
// watcher; putting the file back is served again, and the watcher still
// stops when asked (startWatch's cleanup checks that).
func TestWatchFIFOAtTopLevelFile(t *testing.T) {
	ini, ast := pbxDir(t, "", map[string]string{"sip.conf": fifoSIP, "users.conf": "[general]\n"})
	st := watchedPBX(t, ini)
	gen := st.Current().Generation

	for _, target := range []string{filepath.Join(ast, "users.conf"), ini} {
		saved, err := os.ReadFile(target)
		if err != nil {
			t.Fatal(err)
		}
		mkfifo(t, target)
		r := waitReload(t, st, 5*time.Second, "a failed reload for the FIFO at "+filepath.Base(target), func(r *ReloadResult) bool { return !r.Success })
		if !strings.Contains(r.Err.Error(), "not a regular file") {
			t.Errorf("FIFO at %s: error %v", filepath.Base(target), r.Err)
		}
		if err := os.Remove(target); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, append(saved, "\n; back\n"...), 0o644); err != nil {
			t.Fatal(err)
		}
		waitReload(t, st, 5*time.Second, "a successful reload once "+filepath.Base(target)+" is back", func(r *ReloadResult) bool {
			return r.Success && r.Generation > gen
		})
		gen = st.Current().Generation
	}
}

// TestWatchIncludeFanOut: includes that fan out (ten levels, each
// including the next ten times) fail the reload within the read budget,
// quickly, instead of growing without end; fixed, it is served again.
func TestWatchIncludeFanOut(t *testing.T) {
	extra := ""
	if testing.Short() {
		// The default budget costs seconds of CPU to reach; a smaller one
		// takes the same path (mutation runs use -short).
		extra = "max_config_files = 1000\n"
	}
	ini, ast := pbxDir(t, extra, map[string]string{"sip.conf": fifoSIP, "extensions.conf": "[default]\nexten => 201,1,Dial(SIP/201)\n"})
	st := watchedPBX(t, ini)
	gen := st.Current().Generation
	for lvl := range 10 {
		body := fmt.Sprintf("exten => %d,1,NoOp()\n", 300+lvl)
		if lvl < 9 {
			body += strings.Repeat(fmt.Sprintf("#include \"fan%d.conf\"\n", lvl+1), 10)
		}
		if err := os.WriteFile(filepath.Join(ast, fmt.Sprintf("fan%d.conf", lvl)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	if err := os.WriteFile(filepath.Join(ast, "extensions.conf"), []byte("[default]\n#include \"fan0.conf\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := waitReload(t, st, 30*time.Second, "the fan-out reload to fail", func(r *ReloadResult) bool { return !r.Success })
	t.Logf("fan-out refused after %v: %v", time.Since(start), r.Err)
	if !strings.Contains(r.Err.Error(), "file reads in one build") && !strings.Contains(fmt.Sprint(r.Diags), "file reads in one build") {
		t.Errorf("fan-out: error %v / %v, want the file-read limit named", r.Err, r.Diags)
	}
	if st.Current().Generation != gen {
		t.Errorf("the fan-out build was published")
	}
	if err := os.WriteFile(filepath.Join(ast, "extensions.conf"), []byte("[default]\nexten => 202,1,NoOp()\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitReload(t, st, 5*time.Second, "a successful reload once fixed", func(r *ReloadResult) bool { return r.Success && r.Generation > gen })
}

// TestLoadLimits: each [server] limit fails the build that goes over it.
func TestLoadLimits(t *testing.T) {
	files := map[string]string{"sip.conf": fifoSIP, "extensions.conf": "[default]\n#include \"a.conf\"\n#include \"a.conf\"\n", "a.conf": "exten => 1,1,NoOp()\n"}
	for _, tc := range []struct{ extra, want string }{
		{"max_config_files = 2\n", "more than 2 file reads"},
		{"max_config_bytes = 60\n", "more than 60 bytes"},
		{"max_config_files = 4\n", ""},
	} {
		ini, _ := pbxDir(t, tc.extra, files)
		_, err := Load(ini)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.extra, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want %q", tc.extra, err, tc.want)
		}
	}
	for _, bad := range []string{"max_config_files = -1\n", "reload_timeout = soon\n", "max_config_bytes = 12Q\n"} {
		ini, _ := pbxDir(t, bad, files)
		if _, err := Load(ini); err == nil || !strings.Contains(err.Error(), strings.Fields(bad)[0]) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

// TestDiagnosticsCapped: a file of a hundred thousand bad lines keeps
// max_diagnostics_per_file diagnostics and says how many more there were.
func TestDiagnosticsCapped(t *testing.T) {
	bad := "[default]\n" + strings.Repeat("not a setting\n", 100_000)
	ini, _ := pbxDir(t, "max_diagnostics_per_file = 50\nmax_diagnostics = 80\n", map[string]string{
		"sip.conf": fifoSIP + strings.Repeat("junk\n", 100), "users.conf": bad})
	snap, err := Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	perFile := map[string]int{}
	dropped := ""
	for _, d := range snap.Diags {
		perFile[d.Pos.File]++
		if strings.Contains(d.Message, "dropped") {
			dropped += d.Message + "; "
		}
	}
	if len(snap.Diags) > 80+3 || perFile["users.conf"] > 51 {
		t.Errorf("%d diagnostics (%v), want at most 50 per file and 80 in all", len(snap.Diags), perFile)
	}
	if !strings.Contains(dropped, "99950 more diagnostics in this file dropped") {
		t.Errorf("dropped notes: %q", dropped)
	}
	// The default keeps a bounded number too.
	ini, _ = pbxDir(t, "", map[string]string{"users.conf": bad})
	if snap, err = Load(ini); err != nil || len(snap.Diags) > DefaultLimits().MaxDiagnosticsPerFile+5 {
		t.Errorf("default limits: %d diagnostics, %v", len(snap.Diags), err)
	}
}

// TestStoreReloadTimeout: a build stuck past reload_timeout fails the
// reload (visible in LastReload and Running), later reloads fail at once
// instead of piling up, and once it ends reloads work again.
func TestStoreReloadTimeout(t *testing.T) {
	block := make(chan struct{})
	calls := 0
	st := NewStore(func() (*Snapshot, error) {
		calls++
		if calls == 2 {
			<-block
		}
		s := &Snapshot{BuiltAt: time.Now()}
		s.Server.Limits.ReloadTimeout = 100 * time.Millisecond
		return s, nil
	})
	if r := st.Reload(); !r.Success {
		t.Fatal(r.Err)
	}
	start := time.Now()
	r := st.Reload()
	if r.Success || !errors.Is(r.Err, ErrReloadTimeout) || time.Since(start) > 5*time.Second {
		t.Fatalf("stuck build: %+v after %v", r, time.Since(start))
	}
	if _, running := st.Running(); !running {
		t.Error("Running() false while the stuck build runs")
	}
	if r := st.Reload(); r.Success || !strings.Contains(r.Err.Error(), "still running") {
		t.Errorf("reload during the stuck build: %+v", r)
	}
	if st.LastReload().Success {
		t.Error("LastReload says success")
	}
	close(block)
	waitFor(t, 5*time.Second, "the stuck build to end", func() bool { _, running := st.Running(); return !running })
	if r := st.Reload(); !r.Success || r.Generation != 2 {
		t.Errorf("after the stuck build ended: %+v", r)
	}
}

// TestINISafeRead: astapi.ini as a symlink to /dev/zero or a FIFO fails
// the load at once; a syntax error names its line, never quotes it.
func TestINISafeRead(t *testing.T) {
	ini, _ := pbxDir(t, "", nil)
	if err := os.Remove(ini); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", ini); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := Load(ini); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("astapi.ini -> /dev/zero: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("astapi.ini -> /dev/zero did not fail within 5s")
	}

	ini, _ = pbxDir(t, "\n[user bob]\npassword MyPlainPw_4411\n", nil)
	_, err := Load(ini)
	if err == nil || !strings.Contains(err.Error(), "astapi.ini:5: syntax error") || strings.Contains(err.Error(), "MyPlainPw") {
		t.Errorf("syntax error: %v", err)
	}
}

// TestMissingSIPConfWarns: a load without sip.conf succeeds with a
// warning that says so.
func TestMissingSIPConfWarns(t *testing.T) {
	ini, _ := pbxDir(t, "", map[string]string{"extensions.conf": "[default]\nexten => 1,1,NoOp()\n"})
	snap, err := Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range snap.Diags {
		if d.Pos.File == "sip.conf" && strings.Contains(d.Message, "not found") {
			return
		}
	}
	t.Errorf("no warning about the missing sip.conf: %v", snap.Diags)
}
