package parser

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/astapi/astapi/internal/testcorpus"
)

// corpusTimeout bounds the parse of one corpus file: a hang (a loop on an
// include cycle, a quadratic corner) fails the test instead of stalling it.
const corpusTimeout = 5 * time.Second

// withTimeout runs f in a goroutine and fails t if it takes too long. A
// panic in f is reported as a failure of t.
func withTimeout(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		f()
	}()
	select {
	case p := <-done:
		if p != nil {
			t.Fatalf("%s: panic: %v", what, p)
		}
	case <-time.After(corpusTimeout):
		t.Fatalf("%s: still running after %v", what, corpusTimeout)
	}
}

// lineReader returns line n (1-based) of a file, caching the files read.
type lineReader struct {
	files map[string][]string
}

func (r *lineReader) line(path string, n int) (string, error) {
	lines, ok := r.files[path]
	if !ok {
		data, err := os.ReadFile(path)
		if err != nil {
			return "", err
		}
		lines = strings.Split(string(data), "\n")
		r.files[path] = lines
	}
	if n < 1 || n > len(lines) {
		return "", fmt.Errorf("line %d out of range (%d lines)", n, len(lines))
	}
	// Compare against the text as the comment scan leaves it: `\;` is `;`.
	return strings.ReplaceAll(lines[n-1], `\;`, ";"), nil
}

func posPath(cfg *Config, p Pos) string {
	if filepath.IsAbs(p.File) {
		return p.File
	}
	return filepath.Join(cfg.Dir, filepath.FromSlash(p.File))
}

// TestCorpus parses every regular file of the shared corpus (whatever its
// name: samples, real-world configs, the oracle's JSON, READMEs) with its
// directory as the config root, and checks that nothing panics or hangs and
// that the positions point at the right lines.
func TestCorpus(t *testing.T) {
	corpus := testcorpus.Dir(t)
	var paths []string
	err := filepath.WalkDir(corpus, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			paths = append(paths, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 100 {
		t.Fatalf("only %d files under %s", len(paths), corpus)
	}
	var sections, vars, priorities, dialplans int
	for _, path := range paths {
		rel, _ := filepath.Rel(corpus, path)
		t.Run(filepath.ToSlash(rel), func(t *testing.T) {
			var cfg *Config
			var err error
			withTimeout(t, "parse", func() {
				cfg, err = ParseFile(path, Options{Root: filepath.Dir(path)})
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := json.Marshal(cfg.Dump()); err != nil {
				t.Fatalf("dump: %v", err)
			}
			r := &lineReader{files: map[string][]string{}}
			s, v := checkConfPositions(t, r, cfg)
			sections += s
			vars += v
			base := filepath.Base(path)
			if strings.HasPrefix(base, "extensions") {
				var dp *Dialplan
				withTimeout(t, "dialplan", func() { dp = BuildDialplan(cfg) })
				if _, err := json.Marshal(dp.Dump(cfg.Diags)); err != nil {
					t.Fatalf("dialplan dump: %v", err)
				}
				priorities += checkDialplanPositions(t, r, cfg, dp)
				dialplans++
			}
		})
	}
	t.Logf("%d files: %d sections, %d own variables, %d priorities in %d dialplans checked",
		len(paths), sections, vars, priorities, dialplans)
	if dialplans < 20 || priorities < 1000 {
		t.Errorf("too little dialplan checked: %d files, %d priorities", dialplans, priorities)
	}
}

// checkConfPositions checks every section header line and every own
// variable line. It returns how many of each it checked.
func checkConfPositions(t *testing.T, r *lineReader, cfg *Config) (sections, vars int) {
	t.Helper()
	for _, f := range cfg.Files {
		if _, err := os.Stat(posPath(cfg, Pos{File: f})); err != nil {
			t.Errorf("Files lists %s: %v", f, err)
		}
	}
	for _, s := range cfg.Sections {
		if s.Pos.Line < 1 || s.Pos.File == "" {
			t.Errorf("[%s] has no position: %q", s.Name, s.Pos)
			continue
		}
		line, err := r.line(posPath(cfg, s.Pos), s.Pos.Line)
		if err != nil {
			t.Errorf("[%s] at %s: %v", s.Name, s.Pos, err)
			continue
		}
		sections++
		if !strings.Contains(line, "["+s.Name) {
			t.Errorf("[%s] at %s: the line is %q", s.Name, s.Pos, line)
		}
		for _, v := range s.Vars {
			if v.Pos.Line < 1 || v.Pos.File == "" {
				t.Errorf("[%s] %s has no position", s.Name, v.Name)
				continue
			}
			if v.Inherited {
				continue
			}
			line, err := r.line(posPath(cfg, v.Pos), v.Pos.Line)
			if err != nil {
				t.Errorf("[%s] %s at %s: %v", s.Name, v.Name, v.Pos, err)
				continue
			}
			vars++
			if !strings.Contains(line, v.Name) {
				t.Errorf("[%s] %s at %s: the line is %q", s.Name, v.Name, v.Pos, line)
			}
		}
	}
	return sections, vars
}

// checkDialplanPositions checks that every priority points at an exten =>
// or same => line holding its application name.
func checkDialplanPositions(t *testing.T, r *lineReader, cfg *Config, dp *Dialplan) int {
	t.Helper()
	n := 0
	for _, c := range dp.Contexts {
		for _, e := range c.Extensions {
			for _, p := range e.Priorities {
				line, err := r.line(posPath(cfg, p.Pos), p.Pos.Line)
				if err != nil {
					t.Errorf("%s,%s,%d at %s: %v", c.Name, e.Exten, p.Priority, p.Pos, err)
					continue
				}
				n++
				lower := strings.ToLower(line)
				if !strings.Contains(lower, "exten") && !strings.Contains(lower, "same") {
					t.Errorf("%s,%s,%d at %s: not an exten/same line: %q", c.Name, e.Exten, p.Priority, p.Pos, line)
				}
				if p.App != "" && !strings.Contains(line, p.App) {
					t.Errorf("%s,%s,%d at %s: %q not on the line %q", c.Name, e.Exten, p.Priority, p.Pos, p.App, line)
				}
			}
		}
	}
	return n
}
