package index

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/astapi/astapi/parser"
)

// Limits bound one build, so that a hostile or broken configuration fails
// its reload (keeping the last good one) instead of wedging or exhausting
// the process. They are astapi.ini [server] keys; 0 means no limit for
// the counts and sizes.
type Limits struct {
	// MaxConfigBytes (max_config_bytes): bytes of Asterisk files read by
	// one build, includes and repeats counted.
	MaxConfigBytes int64
	// MaxConfigFiles (max_config_files): file reads of one build (a file
	// included ten times counts ten).
	MaxConfigFiles int64
	// ReloadTimeout (reload_timeout): a build still running after this
	// is reported as failed and its result dropped.
	ReloadTimeout time.Duration
	// MaxDiagnostics (max_diagnostics) and MaxDiagnosticsPerFile
	// (max_diagnostics_per_file): diagnostics kept, with one more saying
	// how many were dropped.
	MaxDiagnostics        int
	MaxDiagnosticsPerFile int
}

// DefaultLimits are well above what real installs need (the
// 10,000-tenant scale benchmark, ~1.1 million dialplan lines, loads in
// about a second) and far below what exhausts a small host.
func DefaultLimits() Limits {
	return Limits{
		MaxConfigBytes:        256 << 20,
		MaxConfigFiles:        100_000,
		ReloadTimeout:         60 * time.Second,
		MaxDiagnostics:        5_000,
		MaxDiagnosticsPerFile: 500,
	}
}

// limitKeys are the astapi.ini [server] keys of Limits.
var limitKeys = []string{"max_config_bytes", "max_config_files", "reload_timeout", "max_diagnostics", "max_diagnostics_per_file"}

// parseLimits reads Limits from [server] values (get returns "" for an
// absent key); problems are returned one per key.
func parseLimits(get func(key string) string) (Limits, []string) {
	l := DefaultLimits()
	var errs []string
	count := func(key string, dst *int64) {
		v := strings.TrimSpace(get(key))
		if v == "" {
			return
		}
		n, err := parseSize(v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", key, err))
			return
		}
		*dst = n
	}
	count("max_config_bytes", &l.MaxConfigBytes)
	count("max_config_files", &l.MaxConfigFiles)
	var diags, perFile = int64(l.MaxDiagnostics), int64(l.MaxDiagnosticsPerFile)
	count("max_diagnostics", &diags)
	count("max_diagnostics_per_file", &perFile)
	l.MaxDiagnostics, l.MaxDiagnosticsPerFile = int(min(diags, 1<<31)), int(min(perFile, 1<<31))
	if v := strings.TrimSpace(get("reload_timeout")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, "reload_timeout: not a positive duration such as 60s or 2m")
		} else {
			l.ReloadTimeout = d
		}
	}
	return l, errs
}

// parseSize reads a non-negative integer with an optional binary suffix
// K, M or G (KiB, MiB, GiB).
func parseSize(v string) (int64, error) {
	mult := int64(1)
	switch strings.ToUpper(v[len(v)-1:]) {
	case "K":
		mult = 1 << 10
	case "M":
		mult = 1 << 20
	case "G":
		mult = 1 << 30
	}
	if mult > 1 {
		v = v[:len(v)-1]
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("not a non-negative integer (with an optional K, M or G)")
	}
	return n * mult, nil
}

// budget is the read budget of a build started at start.
func (l Limits) budget(start time.Time) *parser.Budget {
	b := &parser.Budget{MaxFiles: l.MaxConfigFiles, MaxBytes: l.MaxConfigBytes}
	if l.ReloadTimeout > 0 {
		b.Deadline = start.Add(l.ReloadTimeout)
	}
	return b
}

// ReloadTimeout is how long a reload may run while s is served: its
// astapi.ini reload_timeout, else the default (also when s is nil: no
// configuration loaded yet).
func (s *Snapshot) ReloadTimeout() time.Duration {
	if s != nil && s.Server.Limits.ReloadTimeout > 0 {
		return s.Server.Limits.ReloadTimeout
	}
	return DefaultLimits().ReloadTimeout
}
