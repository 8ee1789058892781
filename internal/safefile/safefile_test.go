package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"
)

func TestSpecialFilesRefusedWithoutBlocking(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "users.conf")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no mkfifo:", err)
	}
	link := filepath.Join(dir, "zero.conf")
	if err := os.Symlink("/dev/zero", link); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 2)
	go func() { _, err := ReadFile(fifo, 1<<20); done <- err }()
	go func() { _, err := ReadFile(link, 1<<20); done <- err }()
	for range 2 {
		select {
		case err := <-done:
			if !errors.Is(err, ErrNotRegular) {
				t.Errorf("special file: %v, want ErrNotRegular", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("reading a FIFO blocked")
		}
	}
	if _, err := ReadFile(dir, 1<<20); !errors.Is(err, ErrNotRegular) {
		t.Errorf("directory: %v", err)
	}
}

func TestReadFileLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.conf")
	if err := os.WriteFile(p, []byte("0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFile(p, 10); err != nil || string(b) != "0123456789" {
		t.Errorf("at the limit: %q %v", b, err)
	}
	if _, err := ReadFile(p, 9); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing"), 9); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
}

// TestStampOf: only a regular file has a stamp; a missing path, a
// directory and no stat at all have the zero Stamp, which matches none.
func TestStampOf(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a.conf")
	if err := os.WriteFile(file, []byte("[a]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" && (StatStamp(file) == Stamp{} || StampOf(st) != StatStamp(file)) {
		t.Errorf("a file's stamp: %+v from its stat, %+v from its path", StampOf(st), StatStamp(file))
	}
	dirSt, _ := os.Stat(dir)
	for name, s := range map[string]Stamp{"missing": StatStamp(filepath.Join(dir, "none")), "directory": StatStamp(dir),
		"directory's stat": StampOf(dirSt), "no stat": StampOf(nil)} {
		if s != (Stamp{}) {
			t.Errorf("%s: stamp %+v, want none", name, s)
		}
	}
}
