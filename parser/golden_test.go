package parser

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/astapi/astapi/internal/golden"
)

var update = flag.Bool("update", false, "rewrite golden files")

// A golden case is a directory under testdata/golden holding the top file
// (main.conf, or extensions.conf for a dialplan case, plus users.conf when
// present) and whatever it includes. Its expected output is
// testdata/golden/<case>.json; `go test -run TestGolden -update` rewrites it.

const goldenDir = "testdata/golden"

// goldenOutput is what a golden file holds.
type goldenOutput struct {
	Top      string          `json:"top"`
	Invalid  bool            `json:"invalid"`
	Includes []goldenInclude `json:"includes"`
	Conf     ConfDump        `json:"conf"`
	Users    *ConfDump       `json:"users,omitempty"`
	Dialplan *DialplanDump   `json:"dialplan,omitempty"`
}

type goldenInclude struct {
	File  string   `json:"file"`
	Line  int      `json:"line"`
	Name  string   `json:"name"`
	Files []string `json:"files"`
}

// goldenCases lists the case directories, sorted.
func goldenCases(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	var cases []string
	for _, e := range entries {
		if e.IsDir() {
			cases = append(cases, e.Name())
		}
	}
	sort.Strings(cases)
	return cases
}

// runGolden parses one case directory and returns its output.
func runGolden(t testing.TB, dir string) goldenOutput {
	t.Helper()
	top := "main.conf"
	dialplan := false
	if _, err := os.Stat(filepath.Join(dir, "extensions.conf")); err == nil {
		top, dialplan = "extensions.conf", true
	}
	cfg, err := ParseFile(filepath.Join(dir, top), Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	out := goldenOutput{Top: top, Invalid: cfg.Invalid, Includes: []goldenInclude{}, Conf: cfg.Dump()}
	for _, inc := range cfg.Includes {
		out.Includes = append(out.Includes, goldenInclude{inc.Pos.File, inc.Pos.Line, inc.Name, nonNil(inc.Files)})
	}
	if dialplan {
		dp := BuildDialplan(cfg)
		diags := cfg.Diags
		if _, err := os.Stat(filepath.Join(dir, "users.conf")); err == nil {
			users, err := ParseFile(filepath.Join(dir, "users.conf"), Options{Root: dir})
			if err != nil {
				t.Fatal(err)
			}
			ud := users.Dump()
			out.Users = &ud
			dp.AddUsers(users)
			diags = append(append(Diagnostics{}, diags...), users.Diags...)
		}
		dd := dp.Dump(diags)
		out.Dialplan = &dd
	}
	return out
}

func encodeGolden(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	cases := goldenCases(t)
	if len(cases) == 0 {
		t.Fatal("no golden cases")
	}
	known := map[string]bool{}
	for _, name := range cases {
		known[name+".json"] = true
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(goldenDir, name)
			got := encodeGolden(t, runGolden(t, dir))
			// The output must not depend on map order or other chance.
			if again := encodeGolden(t, runGolden(t, dir)); !bytes.Equal(got, again) {
				t.Fatalf("two runs differ:\n%s", golden.FirstDiff(got, again))
			}
			file := filepath.Join(goldenDir, name+".json")
			if *update {
				if err := os.WriteFile(file, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the parser's output (go test -run TestGolden -update rewrites it):\n%s",
					file, golden.FirstDiff(want, got))
			}
		})
	}
	// A golden file without a case directory is stale.
	files, _ := filepath.Glob(filepath.Join(goldenDir, "*.json"))
	for _, f := range files {
		if !known[filepath.Base(f)] {
			if *update {
				_ = os.Remove(f)
				continue
			}
			t.Errorf("%s has no case directory", f)
		}
	}
}

// TestGoldenCasesCoverTheDialect guards the list of syntax points the golden
// cases are meant to exercise: each needle must appear in some case input.
func TestGoldenCasesCoverTheDialect(t *testing.T) {
	var all bytes.Buffer
	err := filepath.Walk(goldenDir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.Mode().IsRegular() && !strings.HasSuffix(path, ".json") {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			all.Write(data)
			all.WriteByte('\n')
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	needles := []string{
		";", `\;`, `\\;`, ";--", "--;", ";---", "(!)", "(tpl-a,tpl-b)", "(!,tpl-a)", "(+)", "[d] (!)", "(!, t)",
		"=>", "+=", "K+=", "#include", "#tryinclude", `"quoted.conf"`, "<angled.conf>", "*.conf", "{b,a}",
		"sub/", "#exec", "#frobnicate", "\r\n", "\t", "\xef\xbb\xbf", "日本", "\x00",
		"same =>", "n(loop)", "hint", "start+2", "/5551212", "(555) 121-3", "include =>", "switch =>",
		"ignorepat =>", "[globals]", "${PREFIX}", "userscontext", "tT(r)M(x^y)", `"quoted, with comma"`,
		"Answer\n", "DAHDI/${PHONE}", "alternateexts",
	}
	for _, n := range needles {
		if !bytes.Contains(all.Bytes(), []byte(n)) {
			t.Errorf("no golden case contains %q", n)
		}
	}
}
