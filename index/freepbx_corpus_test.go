package index_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/internal/testcorpus"
	"github.com/astapi/astapi/parser"
)

// withCustomFiles copies a corpus directory to a temporary one and adds
// the empty files its #include lines name but the corpus lacks (the
// *_custom.conf files every real FreePBX has, usually empty).
func withCustomFiles(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Skipf("corpus directory: %v", err)
	}
	include := regexp.MustCompile(`(?m)^\s*#(?:try)?include\s+"?([^"\s]+)"?`)
	var wanted []string
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, m := range include.FindAllSubmatch(data, -1) {
			wanted = append(wanted, string(m[1]))
		}
	}
	for _, name := range wanted {
		if strings.ContainsAny(name, "*?[/") {
			continue
		}
		p := filepath.Join(dst, name)
		if _, err := os.Stat(p); os.IsNotExist(err) {
			if err := os.WriteFile(p, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dst
}

// TestFreePBXCorpusPJSIP: the FreePBX install of the corpus (03, with its
// empty custom files supplied) has four phones numbered by name, the
// registering ITEL trunk, and dpma_endpoint left out with an info
// diagnostic; the peer dump lists all six endpoints.
func TestFreePBXCorpusPJSIP(t *testing.T) {
	t.Parallel()
	dir := withCustomFiles(t, filepath.Join(testcorpus.Dir(t), "real-world", "03-freepbx-pjsip-split"))
	ini := filepath.Join(t.TempDir(), "astapi.ini")
	if err := os.WriteFile(ini, []byte("[server]\nasterisk_dir = "+dir+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Tenants) != 1 {
		t.Fatalf("%d tenants, want 1", len(s.Tenants))
	}
	var numbers []string
	for _, e := range s.Extensions {
		if e.Number != e.Peers[0].Name {
			t.Errorf("peer %s numbered %s", e.Peers[0].Name, e.Number)
		}
		numbers = append(numbers, e.Number)
	}
	slices.Sort(numbers)
	if !slices.Equal(numbers, []string{"100", "101", "30", "31"}) {
		t.Errorf("phones %v, want 100 101 30 31", numbers)
	}
	if p := trunkOf(s, "ITEL"); p == nil || p.TenantID != s.Tenants[0].ID {
		t.Errorf("ITEL = %+v, want the tenant's trunk", p)
	}
	if !hasDiagAt(s, parser.Info, "pjsip.endpoint.conf", "[dpma_endpoint] is not a phone") {
		t.Errorf("no info diagnostic for dpma_endpoint")
	}
	dump, _, err := index.LoadPeers(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range dump.Peers {
		names = append(names, p.Name)
	}
	if !slices.Equal(names, []string{"30", "31", "100", "101", "ITEL", "dpma_endpoint"}) {
		t.Errorf("dumped peers %v", names)
	}
}
