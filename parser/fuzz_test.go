package parser

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzRoot makes the config directory the fuzzed top file lives in: a few
// small files its #include lines may reach (plain, nested, a cycle, a glob,
// a dialplan fragment). The fuzz functions only read it.
func fuzzRoot(f *testing.F) string {
	f.Helper()
	root := f.TempDir()
	files := map[string]string{
		"a.conf":            "[a](!)\nk=1\n#include b.conf\n",
		"b.conf":            "k2=2\n[b](a)\nexten => 1,1,NoOp()\n",
		"loop.conf":         "[loop]\n#include loop.conf\n",
		"bad.conf":          "[bad\nk=1\n",
		"peers/1.conf":      "[1](a)\nsecret=x\n",
		"peers/2.conf":      "[2]\ntype=friend\n;-- open\n",
		"extensions.conf":   "[ctx]\nexten => s,1,Answer()\nsame => n(l),Goto(l)\n",
		"users.conf":        "[general]\nhassip=yes\n[100]\n",
		"sub/inner.conf":    "#include a.conf\n[inner]\n",
		"dir.conf/ignored":  "",
		"extensions_x.conf": "exten => _X.,hint,SIP/${EXTEN}\n",
	}
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			f.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	return root
}

// addSeeds adds every golden input and a few hand-made lines to the corpus.
func addSeeds(f *testing.F) {
	f.Helper()
	_ = filepath.Walk(goldenDir, func(path string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() && !strings.HasSuffix(path, ".json") {
			if data, err := os.ReadFile(path); err == nil && len(data) < 64<<10 {
				f.Add(data)
			}
		}
		return nil
	})
	for _, s := range []string{
		"",
		"[s]\n#include a.conf\n#include loop.conf\n#include peers/*.conf\n#include {a,b}.conf\n#tryinclude bad.conf\n",
		"[s]\n#include sub/inner.conf\n#include dir.conf\n#include *\n",
		"[s](a,+,!)\nk+=x\n;-- a ;-- b --; c --;\nk--;\n",
		"[c]\nexten => 1/555,1(a),NoOp()\nsame => a+1,Dial(x)\nexten => ${X:-3:2},hint,${Y}\n",
		"[globals]\nX=${X}${X}\n[c]\nexten => ${X},1,NoOp(${X})\ninclude => ${X}\n",
	} {
		f.Add([]byte(s))
	}
}

// confine rewrites the few bytes through which an #include could leave the
// fuzz root: an argument starting with '/' (after a blank, a quote, '<', a
// brace or comma of a glob, or the ';' of a block comment that joins two
// pieces of a line) and "..", also when a block comment would join two dots
// (".;"). The fuzzer must not read /proc, /sys or the rest of the machine:
// Options.AllowedRoots refuses such files too, but only after the glob and
// the stat, and a glob like /*/*/* would walk the whole machine.
func confine(data []byte) []byte {
	out := append([]byte(nil), data...)
	for i, c := range out {
		switch {
		case c == '/' && (i == 0 || out[i-1] <= ' ' || strings.IndexByte("\"<;{,", out[i-1]) >= 0):
			out[i] = '_'
		case c == '.' && i+1 < len(out) && (out[i+1] == '.' || out[i+1] == ';'):
			out[i] = '_'
		}
	}
	return out
}

// checkConfig asserts what must hold for any input.
func checkConfig(t *testing.T, cfg *Config) {
	t.Helper()
	files := map[string]bool{}
	for _, f := range cfg.Files {
		files[f] = true
	}
	for _, d := range cfg.Diags {
		if d.Pos.File == "" || d.Pos.Line < 1 {
			t.Fatalf("diagnostic without a position: %v", d)
		}
		if d.Message == "" {
			t.Fatalf("diagnostic without a message at %s", d.Pos)
		}
	}
	for _, s := range cfg.Sections {
		if s.Pos.Line < 1 || !files[s.Pos.File] {
			t.Fatalf("[%q] at %q: not a line of a file read (%q)", s.Name, s.Pos, cfg.Files)
		}
		if len(s.Name) > maxSectionName {
			t.Fatalf("section name of %d bytes", len(s.Name))
		}
		for _, v := range s.Vars {
			if v.Pos.Line < 1 || !files[v.Pos.File] {
				t.Fatalf("[%q] %q at %q: not a line of a file read", s.Name, v.Name, v.Pos)
			}
			if v.Name == "" || trimBlanks(v.Name) != v.Name || trimBlanks(v.Value) != v.Value {
				t.Fatalf("[%q] variable %q = %q is not stripped", s.Name, v.Name, v.Value)
			}
		}
	}
	if cfg.Invalid && len(cfg.Diags.Errors()) == 0 {
		t.Fatal("invalid without an error diagnostic")
	}
	if _, err := json.Marshal(cfg.Dump()); err != nil {
		t.Fatalf("dump: %v", err)
	}
}

func TestConfine(t *testing.T) {
	for in, want := range map[string]string{
		"#include /etc/passwd":         "#include _etc/passwd",
		"#include \"/x\"":              "#include \"_x\"",
		"#include <../x>":              "#include <_./x>",
		"#include ;-- c --;/proc/kmsg": "#include ;-- c --;_proc/kmsg",
		"#include {a,/x}":              "#include {a,_x}",
		"#include .;-- --;./x":         "#include _;-- --;./x",
		"/x":                           "_x",
		"exten => 1,1,Dial(SIP/a/b)":   "exten => 1,1,Dial(SIP/a/b)",
		"#include peers/*.conf":        "#include peers/*.conf",
	} {
		if got := string(confine([]byte(in))); got != want {
			t.Errorf("confine(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	root := fuzzRoot(f)
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := Parse(filepath.Join(root, "main.conf"), confine(data), Options{Root: root, AllowedRoots: []string{root}})
		checkConfig(t, cfg)
		if len(cfg.Files) == 0 || cfg.Files[0] != "main.conf" {
			t.Fatalf("files %q", cfg.Files)
		}
	})
}

func FuzzDialplan(f *testing.F) {
	root := fuzzRoot(f)
	addSeeds(f)
	users, err := ParseFile(filepath.Join(root, "users.conf"), Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := Parse(filepath.Join(root, "main.conf"), confine(data), Options{Root: root, AllowedRoots: []string{root}})
		dp := BuildDialplan(cfg)
		// pbx.c drops blanks from extension names (outside the brackets of
		// a pattern). Checked before AddUsers: see TestBugUsersExtensionBlanks.
		for _, c := range dp.Contexts {
			for _, e := range c.Extensions {
				if strings.Contains(e.Exten, " ") && !strings.Contains(e.Exten, "[") {
					t.Fatalf("%s: extension %q keeps a blank", c.Name, e.Exten)
				}
			}
		}
		dp.AddUsers(users)
		dp.AddUsers(cfg) // any parsed file is a possible users.conf
		names := map[string]bool{}
		for _, c := range dp.Contexts {
			if names[c.Name] {
				t.Fatalf("context %q twice", c.Name)
			}
			names[c.Name] = true
			if dp.Context(c.Name) != c {
				t.Fatalf("Context(%q) does not find it", c.Name)
			}
			for _, e := range c.Extensions {
				if len(e.Priorities) == 0 && e.Hint == "" && e.HintPos.Line == 0 {
					t.Fatalf("%s: extension %q has neither priorities nor a hint", c.Name, e.Exten)
				}
				last := 0
				for _, p := range e.Priorities {
					if p.Priority <= last {
						t.Fatalf("%s,%s: priority %d after %d (must be > 0 and ascending)", c.Name, e.Exten, p.Priority, last)
					}
					last = p.Priority
					if p.Pos.Line < 1 {
						t.Fatalf("%s,%s,%d: no position", c.Name, e.Exten, p.Priority)
					}
					if e.Priority(p.Priority) == nil {
						t.Fatalf("%s,%s: Priority(%d) not found", c.Name, e.Exten, p.Priority)
					}
				}
			}
		}
		for _, d := range dp.Diags {
			if d.Pos.Line < 1 || d.Message == "" {
				t.Fatalf("dialplan diagnostic without a position or message: %v", d)
			}
		}
		if _, err := json.Marshal(dp.Dump(cfg.Diags)); err != nil {
			t.Fatalf("dump: %v", err)
		}
		for _, c := range dp.Contexts {
			for _, e := range c.Extensions {
				for _, p := range e.Priorities {
					_ = SplitArgs(p.Args)
				}
			}
		}
	})
}

// FuzzSplitArgs checks SplitArgs on arbitrary input: it never panics, and
// input free of quotes and backslashes loses no byte but the separating
// commas.
func FuzzSplitArgs(f *testing.F) {
	for _, s := range []string{"", "a,b", `"a,b",c`, `a\,b`, "f(g(h,i)),[x,y]", `"(",)`, "\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		args := SplitArgs(s)
		if len(args) == 0 {
			t.Fatal("no argument")
		}
		if !strings.ContainsAny(s, `"\`) {
			if joined := strings.Join(args, ","); joined != s {
				t.Fatalf("SplitArgs(%q) = %q: joining gives %q", s, args, joined)
			}
		}
	})
}
