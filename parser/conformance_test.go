package parser

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/astapi/astapi/internal/testcorpus"
)

// oracle is what Asterisk 20.20.1 made of one corpus directory.
type oracle struct {
	Files    map[string]json.RawMessage `json:"files"`
	Dialplan map[string]struct {
		Includes   []string `json:"includes"`
		Extensions []struct {
			Exten      string  `json:"exten"`
			CID        string  `json:"cid"`
			Hint       string  `json:"hint"`
			Priorities [][]any `json:"priorities"`
		} `json:"extensions"`
	} `json:"dialplan"`
}

type oracleSection struct {
	Name     string     `json:"name"`
	Template bool       `json:"template"`
	Inherits []string   `json:"inherits"`
	Vars     [][]string `json:"vars"`
}

// knownDifferences lists deliberate departures from Asterisk, by
// "dir/file" (files) or "dir" (dialplan), with the reason.
var knownDifferences = map[string]string{}

// globLineOffsets: when one #include glob reads several files, Asterisk
// does not reset its line counter between them, so the second file's lines
// are numbered after the first's (plus one for the EOF read). The parser
// reports the real lines; this gives the offset to Asterisk's numbering.
func globLineOffsets(dir string, cfg *Config) map[string]int {
	off := map[string]int{}
	for _, inc := range cfg.Includes {
		sum := 0
		for _, f := range inc.Files {
			off[f] = sum
			data, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				continue
			}
			sum += strings.Count(string(data), "\n") + 1
		}
	}
	return off
}

// corpusDirFor returns the directory the oracle entry was made from. The
// samples are .conf.sample files that Asterisk read renamed to .conf, so
// they are copied under their .conf names into a temporary directory.
func corpusDirFor(t *testing.T, corpus, name string) string {
	if name != "asterisk-samples" {
		return filepath.Join(corpus, "real-world", name)
	}
	src := filepath.Join(corpus, "asterisk-samples")
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".conf.sample") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, strings.TrimSuffix(e.Name(), ".sample")), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func TestConformanceWithAsterisk(t *testing.T) {
	corpus := testcorpus.Dir(t)
	oracles, _ := filepath.Glob(filepath.Join(corpus, "oracle", "*.json"))
	if len(oracles) == 0 {
		t.Skip("no oracle files")
	}
	var filesTotal, filesOK, prioTotal, prioOK int
	for _, of := range oracles {
		name := strings.TrimSuffix(filepath.Base(of), ".json")
		raw, err := os.ReadFile(of)
		if err != nil {
			t.Fatal(err)
		}
		var o oracle
		if err := json.Unmarshal(raw, &o); err != nil {
			t.Fatalf("%s: %v", of, err)
		}
		dir := corpusDirFor(t, corpus, name)
		for _, file := range sortedKeys(o.Files) {
			filesTotal++
			key := name + "/" + file
			msg := compareFile(dir, file, o.Files[file])
			if msg == "" {
				filesOK++
				continue
			}
			if reason, ok := knownDifferences[key]; ok {
				t.Logf("known difference %s: %s (%s)", key, reason, msg)
				continue
			}
			t.Errorf("%s: %s", key, msg)
		}
		if len(o.Dialplan) > 0 {
			total, ok, msgs := compareDialplan(dir, o)
			prioTotal += total
			prioOK += ok
			for _, m := range msgs {
				if reason, known := knownDifferences[name]; known {
					t.Logf("known difference %s: %s (%s)", name, reason, m)
					continue
				}
				t.Errorf("%s dialplan: %s", name, m)
			}
		}
	}
	fileRate := float64(filesOK) / float64(filesTotal)
	prioRate := float64(prioOK) / float64(max(prioTotal, 1))
	t.Logf("conformance: files %d/%d (%.1f%%), priorities %d/%d (%.1f%%)",
		filesOK, filesTotal, 100*fileRate, prioOK, prioTotal, 100*prioRate)
	if fileRate < 0.98 || prioRate < 0.99 {
		t.Fatalf("conformance below target: files %.1f%% (>= 98%%), priorities %.1f%% (>= 99%%)", 100*fileRate, 100*prioRate)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// compareFile returns "" when the parser agrees with Asterisk on file.
func compareFile(dir, file string, want json.RawMessage) string {
	cfg, err := ParseFile(filepath.Join(dir, file), Options{Root: dir})
	if err != nil {
		return err.Error()
	}
	var rejected struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(want, &rejected) == nil && rejected.Error != "" {
		if len(cfg.Diags.Errors()) == 0 || !cfg.Invalid {
			return "Asterisk rejects this file; the parser reports no error"
		}
		return ""
	}
	var sections []oracleSection
	if err := json.Unmarshal(want, &sections); err != nil {
		return err.Error()
	}
	if cfg.Invalid {
		return fmt.Sprintf("Asterisk accepts this file; the parser marks it invalid: %v", cfg.Diags.Errors())
	}
	if len(sections) != len(cfg.Sections) {
		return fmt.Sprintf("%d sections, Asterisk has %d (%s)", len(cfg.Sections), len(sections), firstSectionDiff(cfg, sections))
	}
	for i, w := range sections {
		got := cfg.Sections[i]
		gotVars := make([][]string, 0, len(got.Vars))
		for _, v := range got.Vars {
			gotVars = append(gotVars, []string{v.Name, v.Value})
		}
		if w.Vars == nil {
			w.Vars = [][]string{}
		}
		if got.Name != w.Name || got.Template != w.Template || !reflect.DeepEqual(nonNil(got.Inherits), nonNil(w.Inherits)) {
			return fmt.Sprintf("section %d at %s: got [%s] template=%v inherits=%v, Asterisk [%s] template=%v inherits=%v",
				i, got.Pos, got.Name, got.Template, got.Inherits, w.Name, w.Template, w.Inherits)
		}
		if !reflect.DeepEqual(gotVars, w.Vars) {
			return fmt.Sprintf("section [%s] at %s: variables differ: %s", got.Name, got.Pos, firstVarDiff(gotVars, w.Vars))
		}
	}
	return ""
}

func firstSectionDiff(cfg *Config, want []oracleSection) string {
	for i := range want {
		if i >= len(cfg.Sections) {
			return "missing [" + want[i].Name + "]"
		}
		if cfg.Sections[i].Name != want[i].Name {
			return fmt.Sprintf("at %d got [%s] at %s, want [%s]", i, cfg.Sections[i].Name, cfg.Sections[i].Pos, want[i].Name)
		}
	}
	return fmt.Sprintf("extra [%s] at %s", cfg.Sections[len(want)].Name, cfg.Sections[len(want)].Pos)
}

func firstVarDiff(got, want [][]string) string {
	for i := range want {
		if i >= len(got) {
			return fmt.Sprintf("missing %q", want[i])
		}
		if !reflect.DeepEqual(got[i], want[i]) {
			return fmt.Sprintf("var %d: got %q, want %q", i, got[i], want[i])
		}
	}
	return fmt.Sprintf("extra %q", got[len(want)])
}

// compareDialplan compares extensions.conf (plus users.conf) of dir with
// the oracle's `dialplan show`, priority by priority.
func compareDialplan(dir string, o oracle) (total, ok int, msgs []string) {
	cfg, err := ParseFile(filepath.Join(dir, "extensions.conf"), Options{Root: dir})
	if err != nil {
		return 0, 0, []string{err.Error()}
	}
	dp := BuildDialplan(cfg)
	offsets := globLineOffsets(dir, cfg)
	if users, err := ParseFile(filepath.Join(dir, "users.conf"), Options{Root: dir}); err == nil && !users.Invalid {
		dp.AddUsers(users)
	}
	for _, ctxName := range sortedKeys(o.Dialplan) {
		wc := o.Dialplan[ctxName]
		gc := dp.Context(ctxName)
		if gc == nil {
			for _, e := range wc.Extensions {
				total += len(e.Priorities)
			}
			msgs = append(msgs, fmt.Sprintf("context %q missing", ctxName))
			continue
		}
		var incs []string
		for _, inc := range gc.Includes {
			incs = append(incs, inc.Context)
		}
		if !reflect.DeepEqual(nonNil(incs), nonNil(wc.Includes)) {
			msgs = append(msgs, fmt.Sprintf("context %q includes %v, Asterisk %v", ctxName, incs, wc.Includes))
		}
		seen := map[*Extension]bool{}
		for _, we := range wc.Extensions {
			ge := gc.Extension(we.Exten, we.CID)
			total += len(we.Priorities)
			if ge == nil {
				msgs = append(msgs, fmt.Sprintf("context %q extension %q/%q missing", ctxName, we.Exten, we.CID))
				continue
			}
			seen[ge] = true
			if ge.Hint != we.Hint {
				msgs = append(msgs, fmt.Sprintf("context %q extension %q hint %q, Asterisk %q", ctxName, we.Exten, ge.Hint, we.Hint))
			}
			for _, wp := range we.Priorities {
				n := int(wp[0].(float64))
				gp := ge.Priority(n)
				want := fmt.Sprintf("%d %v %v %v", n, wp[1], wp[2], wp[3])
				if gp == nil {
					msgs = append(msgs, fmt.Sprintf("context %q extension %q: missing %s", ctxName, we.Exten, want))
					continue
				}
				where := filepath.Base(gp.Pos.File) + ":" + fmt.Sprint(gp.Pos.Line+offsets[gp.Pos.File])
				if gp.Pos.File == "users.conf" {
					where = "pbx_config" // generated from users.conf; we point at the user's section
				}
				label := gp.Label
				if gp == &ge.Priorities[0] && wp[1] == "" {
					// `dialplan show` prints no label on an extension's first line.
					label = ""
				}
				got := fmt.Sprintf("%d %v %s(%s) %s", gp.Priority, label, gp.App, gp.Args, where)
				if got != want {
					msgs = append(msgs, fmt.Sprintf("context %q extension %q: got %s, Asterisk %s", ctxName, we.Exten, got, want))
					continue
				}
				ok++
			}
			if len(ge.Priorities) > len(we.Priorities) {
				msgs = append(msgs, fmt.Sprintf("context %q extension %q: %d priorities, Asterisk %d", ctxName, we.Exten, len(ge.Priorities), len(we.Priorities)))
			}
		}
		for _, ge := range gc.Extensions {
			if !seen[ge] {
				msgs = append(msgs, fmt.Sprintf("context %q: extra extension %q/%q", ctxName, ge.Exten, ge.CID))
			}
		}
	}
	for _, gc := range dp.Contexts {
		if _, ok := o.Dialplan[gc.Name]; !ok {
			msgs = append(msgs, fmt.Sprintf("extra context %q at %s", gc.Name, gc.Pos))
		}
	}
	return total, ok, msgs
}
