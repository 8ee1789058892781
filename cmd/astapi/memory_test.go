package main

import (
	"bytes"
	"log/slog"
	"math"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/astapi/astapi/index"
)

func TestParseMemoryLimit(t *testing.T) {
	for in, want := range map[string]int64{
		"1GiB": 1 << 30, "800MiB": 800 << 20, "512KiB": 512 << 10, "1048576": 1 << 20, "4096B": 4096, "2TiB": 2 << 40, "off": math.MaxInt64,
	} {
		if got, err := parseMemoryLimit(in); err != nil || got != want {
			t.Errorf("%q: %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0", "-1GiB", "1GB", "1.5GiB", "lots", "9999999TiB", "GiB"} {
		if _, err := parseMemoryLimit(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestApplyMemoryLimit: the flag wins over GOMEMLIMIT, which wins over the
// default.
func TestApplyMemoryLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	const fromEnv = 3 << 30
	for _, c := range []struct {
		flag, env string
		preset    int64 // what the runtime applied from the environment
		want      int64
	}{
		{"", "", math.MaxInt64, index.DefaultMemoryLimit},
		{"", "3GiB", fromEnv, fromEnv},
		{"700MiB", "3GiB", fromEnv, 700 << 20},
		{"off", "", math.MaxInt64, math.MaxInt64},
	} {
		debug.SetMemoryLimit(c.preset)
		got, err := applyMemoryLimit(c.flag, c.env)
		if err != nil || got != c.want || debug.SetMemoryLimit(-1) != c.want {
			t.Errorf("flag %q env %q: %d, %v; want %d", c.flag, c.env, got, err, c.want)
		}
	}
	if _, err := applyMemoryLimit("1GB", ""); err == nil {
		t.Error("a bad flag was accepted")
	}
}

// TestWarnTightLimit: a live heap over 40% of the limit is logged once per
// reload, with both figures; a roomy limit or a failed reload says nothing.
func TestWarnTightLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	ok := index.ReloadResult{Success: true}
	runtime.GC() // the live heap is the last collection's figure, as after MemoryTuning.Release
	debug.SetMemoryLimit(math.MaxInt64)
	warnTightLimit(logger, ok)
	debug.SetMemoryLimit(1) // below any live heap
	warnTightLimit(logger, index.ReloadResult{})
	if buf.Len() != 0 {
		t.Fatalf("warned without cause: %s", &buf)
	}
	warnTightLimit(logger, ok)
	if out := buf.String(); !strings.Contains(out, "level=WARN") || !strings.Contains(out, "live_heap=") || !strings.Contains(out, "memory_limit=0MiB") {
		t.Errorf("no warning: %q", out)
	}
}
