package main

import (
	"fmt"
	"log/slog"
	"math"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/astapi/astapi/index"
)

// applyMemoryLimit sets the soft memory limit: the --memory-limit flag when
// given, else GOMEMLIMIT when set (the runtime has applied it already),
// else (or with --memory-limit auto) index.DefaultMemoryLimit, which then
// follows the live heap after each reload. It returns the limit in force, in bytes
// (math.MaxInt64: none).
func applyMemoryLimit(flagValue, env string) (limit int64, auto bool, err error) {
	switch {
	case flagValue == "auto" || flagValue == "" && env == "":
		debug.SetMemoryLimit(index.DefaultMemoryLimit)
		auto = true
	case flagValue != "":
		n, err := parseMemoryLimit(flagValue)
		if err != nil {
			return 0, false, fmt.Errorf("--memory-limit %q: %w", flagValue, err)
		}
		debug.SetMemoryLimit(n)
	}
	return debug.SetMemoryLimit(-1), auto, nil
}

// parseMemoryLimit reads a size as GOMEMLIMIT does (bytes, or a number
// with B, KiB, MiB, GiB or TiB); "off" means no limit.
func parseMemoryLimit(s string) (int64, error) {
	if s == "off" {
		return math.MaxInt64, nil
	}
	units := []struct {
		suffix string
		shift  uint
	}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}, {"B", 0}}
	num, shift := s, uint(0)
	for _, u := range units {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			num, shift = v, u.shift
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64>>shift {
		return 0, fmt.Errorf("want a positive size such as 1GiB or 800MiB, or off")
	}
	return n << shift, nil
}

// formatBytes renders a limit for the log.
func formatBytes(n int64) string {
	if n == math.MaxInt64 {
		return "off"
	}
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 0, 64) + "MiB"
}

// warnTightLimit is an OnReload hook run after index.MemoryTuning.Release
// when the limit was set by hand: it warns when the live heap of the
// served snapshot leaves too little room under the limit for the next
// reload.
func warnTightLimit(logger *slog.Logger, res index.ReloadResult) {
	if !res.Success {
		return
	}
	limit := debug.SetMemoryLimit(-1)
	if live := index.LiveHeap(); float64(live)*index.LimitHeadroom > float64(limit) {
		logger.Warn("the memory limit is tight for this configuration: reloads will be slow; raise --memory-limit (or GOMEMLIMIT) to about 3 times the live heap (3.5 for the fastest full rebuilds)",
			"live_heap", formatBytes(int64(live)), "memory_limit", formatBytes(limit))
	}
}
