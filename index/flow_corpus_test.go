package index_test

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/astapi/astapi/flow"
	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/internal/testcorpus"
)

// freepbxSkeleton is the part of a FreePBX / Issabel extensions.conf the
// generated files rely on (../shared/FREEPBX.md "Inbound"): real installs
// have it as a symlink into the GUI's templates, absent from the corpus.
// %s is the override file (extensions_override_freepbx.conf or, on
// Issabel, extensions_override_issabel.conf); the includes follow.
const freepbxSkeleton = `[general]
static=yes
writeprotect=no

[from-trunk]
include => from-pstn

[from-pstn]
include => from-pstn-custom
include => ext-did
include => ext-did-post-custom
include => from-did-direct
include => ext-did-catchall

[from-did-direct]
include => ext-findmefollow
include => ext-local

[from-internal]
include => from-internal-xfer
include => bad-number

[from-internal-xfer]
include => from-internal-custom
include => from-internal-additional

[from-pstn-custom]
[ext-did-post-custom]

`

// corpusDir returns an Asterisk directory for a corpus directory: the
// directory itself, or, for a FreePBX/Issabel one whose extensions.conf is
// absent, a temporary copy with the skeleton and the empty *_custom.conf
// files a real install has.
func corpusDir(t *testing.T, dir string) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "extensions.conf")); err == nil {
		return dir
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var extFiles []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "extensions_") && strings.HasSuffix(e.Name(), ".conf") {
			extFiles = append(extFiles, e.Name())
		}
	}
	if len(extFiles) == 0 {
		return dir
	}
	tmp := t.TempDir()
	included := map[string]bool{}
	incRE := regexp.MustCompile(`(?m)^\s*#(?:try)?include\s+"?([^"\s]+)"?`)
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, m := range incRE.FindAllStringSubmatch(string(data), -1) {
			included[filepath.Base(m[1])] = true
		}
	}
	override := "extensions_override_freepbx.conf"
	for _, f := range extFiles {
		if strings.HasPrefix(f, "extensions_override_") {
			override = f
		}
	}
	// The override file first, then the generated file, then the rest.
	sort.SliceStable(extFiles, func(i, j int) bool { return rank(extFiles[i], override) < rank(extFiles[j], override) })
	var b strings.Builder
	b.WriteString(freepbxSkeleton)
	tops := []string{override, "extensions_additional.conf", "extensions_custom.conf"}
	for _, f := range extFiles {
		if !included[f] && !slices.Contains(tops, f) {
			tops = append(tops, f)
		}
	}
	for _, f := range tops {
		fmt.Fprintf(&b, "#include %s\n", f)
		included[f] = true
	}
	if err := os.WriteFile(filepath.Join(tmp, "extensions.conf"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	// chan_sip loads nothing without sip.conf: the GUI's one includes its
	// generated files.
	if _, err := os.Stat(filepath.Join(tmp, "sip.conf")); err != nil {
		if _, err := os.Stat(filepath.Join(tmp, "sip_additional.conf")); err == nil {
			sip := "[general]\n#include sip_general_additional.conf\n#include sip_general_custom.conf\n" +
				"#include sip_registrations.conf\n#include sip_additional.conf\n#include sip_custom.conf\n"
			if err := os.WriteFile(filepath.Join(tmp, "sip.conf"), []byte(sip), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"sip_general_additional.conf", "sip_general_custom.conf", "sip_registrations.conf", "sip_custom.conf"} {
				included[f] = true
			}
		}
	}
	// Every included file a real install has, empty when absent.
	for f := range included {
		p := filepath.Join(tmp, f)
		if strings.ContainsAny(f, "*?[") {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			if err := os.WriteFile(p, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return tmp
}

func rank(f, override string) int {
	switch f {
	case override:
		return 0
	case "extensions_additional.conf":
		return 1
	}
	return 2
}

// notSource reports whether a context may never be a source (SPEC §4
// "Sources"): macros, subroutines, feature codes and the GUI's system
// contexts (from-internal* in a FreePBX dialplan only: a plain Asterisk
// box may call its phones' context so).
func notSource(ctx string, freepbx bool) bool {
	n := strings.ToLower(ctx)
	if freepbx && strings.HasPrefix(n, "from-internal") {
		return true
	}
	switch {
	case strings.HasPrefix(n, "macro-"), strings.HasPrefix(n, "sub-"):
		return true
	case strings.HasPrefix(n, "app-"):
		return !(strings.HasPrefix(n, "app-announcement-") || n == "app-blackhole" || n == "app-daynight")
	case strings.HasPrefix(n, "outrt-"):
		return true
	}
	switch n {
	case "from-sip-external", "bad-number", "outbound-allroutes", "ext-featurecodes", "from-did-direct-ivr":
		return true
	}
	return false
}

// TestCorpusCallFlow reads the call flow of every corpus directory (FreePBX
// and Issabel ones with the skeleton a real install has): no macro,
// subroutine or feature-code context is ever a source, every de_dst is an
// object's entry, every edge joins two objects of the graph, and an
// edge's tenant owns its target; and reading the dialplan in independent
// parts gives what reading it whole gives.
func TestCorpusCallFlow(t *testing.T) {
	t.Parallel()
	root := filepath.Join(testcorpus.Dir(t), "real-world")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Skipf("no real-world corpus: %v", err)
	}
	dirs := map[string]string{}
	for _, e := range entries {
		if e.IsDir() {
			dirs[e.Name()] = filepath.Join(root, e.Name())
		}
	}
	// Asterisk's own samples, under the names Asterisk reads.
	samples := filepath.Join(testcorpus.Dir(t), "asterisk-samples")
	if _, err := os.Stat(filepath.Join(samples, "extensions.conf.sample")); err == nil {
		tmp := t.TempDir()
		for _, f := range []string{"extensions.conf", "sip.conf", "users.conf", "pjsip.conf", "voicemail.conf"} {
			if data, err := os.ReadFile(filepath.Join(samples, f+".sample")); err == nil {
				if err := os.WriteFile(filepath.Join(tmp, f), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		dirs["asterisk-samples"] = tmp
	}
	for _, name := range slices.Sorted(maps.Keys(dirs)) {
		dir, err := filepath.Abs(dirs[name])
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ast := corpusDir(t, dir)
			ini := filepath.Join(t.TempDir(), "astapi.ini")
			body := "[server]\nasterisk_dir = " + ast + "\n\n" + user("admin", "role = admin")
			if err := os.WriteFile(ini, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := index.Load(ini)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			checkFlowInvariants(t, s)
			checkSplitUnchanged(t, ini, s)
			t.Log(flowSummary(s))
		})
	}
}

// checkFlowInvariants checks what every graph keeps.
func checkFlowInvariants(t *testing.T, s *index.Snapshot) {
	t.Helper()
	if s.Flow == nil {
		t.Fatal("no call-flow graph")
	}
	freepbx := s.Dialplan != nil && s.Dialplan.Context("from-internal-xfer") != nil
	objs := map[*flow.Object]bool{}
	entries := map[string]bool{}
	ids := map[string]bool{}
	for _, e := range s.Flow.Edges {
		if ids["e"+e.ID] {
			t.Errorf("two destinations with ID %s", e.ID)
		}
		ids["e"+e.ID] = true
	}
	for _, o := range s.Flow.Objects {
		if ids["o"+o.ID] {
			t.Errorf("two objects with ID %s (%s %s)", o.ID, o.Type, o.Entry)
		}
		ids["o"+o.ID] = true
		objs[o] = true
		entries[o.Entry] = true
		if s.TenantByID(o.TenantID) == nil {
			t.Errorf("object %s %s: unknown tenant %q", o.Type, o.Entry, o.TenantID)
		}
	}
	for _, e := range s.Flow.Edges {
		if !objs[e.From] || !objs[e.To] {
			t.Errorf("edge %s %s: an end outside the graph", e.TypeSrc, e.Src)
		}
		if ctx, _, _ := strings.Cut(e.Src, ","); notSource(ctx, freepbx) || notSource(e.From.Context, freepbx) {
			t.Errorf("edge %s from %s: a system context is a source", e.TypeSrc, e.Src)
		}
		if !entries[e.Dst()] {
			t.Errorf("edge %s %s: de_dst %s is no object's entry", e.TypeSrc, e.Src, e.Dst())
		}
		if e.TenantID != e.To.TenantID {
			t.Errorf("edge %s %s: tenant %s, its target's %s", e.TypeSrc, e.Src, e.TenantID, e.To.TenantID)
		}
	}
}

// flowSummary is "objects by type; destinations; DIDs" of a snapshot.
func flowSummary(s *index.Snapshot) string {
	byType := map[string]int{}
	for _, o := range s.Flow.Objects {
		byType[o.Type]++
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(byType)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, byType[k]))
	}
	return fmt.Sprintf("objects %d (%s); destinations %d; DIDs %d; read in %d parts (whole: %v)", len(s.Flow.Objects), strings.Join(parts, " "),
		len(s.Flow.Edges), byType[flow.TypeDID], s.Flow.Reuse.Parts, s.Flow.Reuse.Whole)
}
