package main

import (
	"fmt"
	"math"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/astapi/astapi/index"
)

// applyMemoryLimit sets the soft memory limit: the --memory-limit flag when
// given, else GOMEMLIMIT when set (the runtime has applied it already),
// else index.DefaultMemoryLimit. It returns the limit in force, in bytes
// (math.MaxInt64: none).
func applyMemoryLimit(flagValue, env string) (int64, error) {
	switch {
	case flagValue != "":
		n, err := parseMemoryLimit(flagValue)
		if err != nil {
			return 0, fmt.Errorf("--memory-limit %q: %w", flagValue, err)
		}
		debug.SetMemoryLimit(n)
	case env == "":
		debug.SetMemoryLimit(index.DefaultMemoryLimit)
	}
	return debug.SetMemoryLimit(-1), nil
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
