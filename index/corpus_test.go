package index_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/internal/testcorpus"
	"github.com/astapi/astapi/parser"
)

// TestCorpusRealWorld builds the index from every directory of the shared
// corpus of real configurations, with tenants discovered (no [tenant]
// sections): no panic, no load error, no error-level diagnostic that the
// parser did not already report, and a model that keeps the invariants.
func TestCorpusRealWorld(t *testing.T) {
	t.Parallel()
	root := filepath.Join(testcorpus.Dir(t), "real-world")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Skipf("no real-world corpus: %v", err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		n++
		dir, err := filepath.Abs(filepath.Join(root, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		t.Run(e.Name(), func(t *testing.T) {
			t.Parallel()
			ini := filepath.Join(t.TempDir(), "astapi.ini")
			body := "[server]\nasterisk_dir = " + dir + "\n\n" + user("admin", "role = admin")
			if err := os.WriteFile(ini, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := index.Load(ini)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			checkCorpusSnapshot(t, s)
			checkErrorsFromParser(t, dir, s.Diags)
			t.Logf("%d tenants, %d extensions, %d trunks, %d destinations, %d diagnostics",
				len(s.Tenants), len(s.Extensions), len(s.Trunks), len(s.Destinations), len(s.Diags))
		})
	}
	if n == 0 {
		t.Skip("the real-world corpus is empty")
	}
}

func checkCorpusSnapshot(t *testing.T, s *index.Snapshot) {
	t.Helper()
	tenants := map[string]*index.Tenant{}
	for _, te := range s.Tenants {
		tenants[te.ID] = te
		if te.Declared {
			t.Errorf("tenant %s declared, but astapi.ini declares none", te.Key)
		}
	}
	for _, e := range s.Extensions {
		if tenants[e.TenantID] == nil {
			t.Errorf("extension %s (%s): unknown tenant %q", e.ID, e.Number, e.TenantID)
		}
		if e.Number == "" {
			t.Errorf("extension %s: empty number", e.ID)
		}
		if e.Name == "" || e.CIDName == "" {
			t.Errorf("extension %s (%s): empty name %q or cidname %q", e.ID, e.Number, e.Name, e.CIDName)
		}
		switch e.CallWaiting {
		case "", "yes", "no":
		default:
			t.Errorf("extension %s: callwaiting %q", e.ID, e.CallWaiting)
		}
		if len(e.Peers) == 0 {
			t.Errorf("extension %s without peers", e.ID)
		}
		for _, p := range e.Peers {
			if p.Trunk {
				t.Errorf("trunk %s listed in extension %s", p.Name, e.Number)
			}
			if p.TenantID != e.TenantID {
				t.Errorf("peer %s of tenant %s in an extension of %s", p.Name, p.TenantID, e.TenantID)
			}
			if (p.Secret == "") != (p.SecretKind == "") {
				t.Errorf("peer %s: secret kind %q with secret set=%v", p.Name, p.SecretKind, p.Secret != "")
			}
		}
		if got := s.ExtensionByID(e.ID); got != e {
			t.Errorf("ExtensionByID(%s) = %p, want %p", e.ID, got, e)
		}
	}
	for _, p := range s.Trunks {
		// Discovery lists a trunk it cannot place under no tenant, and
		// says so.
		if p.TenantID == "" && hasDiag(s.Diags, parser.Warning, "trunk "+p.Name+" belongs to no tenant") {
			continue
		}
		if tenants[p.TenantID] == nil {
			t.Errorf("trunk %s: unknown tenant %q", p.Name, p.TenantID)
		}
	}
	for _, d := range s.Destinations {
		if tenants[d.TenantID] == nil {
			t.Errorf("destination %s: unknown tenant %q", d.ID, d.TenantID)
		}
		if !srcTypes[d.TypeSrc] || !dstTypes[d.TypeDst] {
			t.Errorf("destination %s: types %q -> %q outside the vocabulary", d.ID, d.TypeSrc, d.TypeDst)
		}
		if d.Ord < 1 || d.Src == "" || d.Dst == "" || d.File == "" || d.Line < 1 {
			t.Errorf("destination %s incomplete: %+v", d.ID, *d)
		}
		if filepath.IsAbs(d.File) {
			t.Errorf("destination %s: absolute file %q", d.ID, d.File)
		}
	}
	checkUniqueIDs(t, s)
}

// checkErrorsFromParser: every error-level diagnostic of the snapshot is
// one the parser reports for the same files: the index adds warnings only.
func checkErrorsFromParser(t *testing.T, dir string, diags parser.Diagnostics) {
	t.Helper()
	known := map[string]bool{}
	for _, name := range []string{"sip.conf", "pjsip.conf", "users.conf", "extensions.conf"} {
		cfg, err := parser.ParseFile(filepath.Join(dir, name), parser.Options{Root: dir, AllowedRoots: []string{dir}})
		if err != nil {
			continue
		}
		for _, d := range append(cfg.Diags, cfg.ReadErrors...) {
			known[d.String()] = true
		}
		if name == "extensions.conf" {
			for _, d := range parser.BuildDialplan(cfg).Diags {
				known[d.String()] = true
			}
		}
	}
	for _, d := range diags.Errors() {
		if !known[d.String()] && !strings.Contains(d.Message, "Asterisk would reject") {
			t.Errorf("error diagnostic not from the parser: %s", d)
		}
	}
}

// TestLookups: the O(1)/O(log n) lookups the API uses.
func TestLookups(t *testing.T) {
	t.Parallel()
	s := loadFixtures(t)
	if u := s.UserByName("admin"); u == nil || u.ID != "97" {
		t.Errorf("UserByName(admin) = %+v", u)
	}
	if u := s.UserByName("Admin"); u != nil {
		t.Errorf("UserByName is case-sensitive (Basic Auth user names are): got %s", u.Name)
	}
	if s.UserByName("nobody") != nil {
		t.Errorf("UserByName(nobody) != nil")
	}
	if u := s.UserByEmail("IT@Acme.Example"); u == nil || u.Name != "acme" {
		t.Errorf("UserByEmail case-insensitive = %+v", u)
	}
	if s.UserByEmail("nobody@example.com") != nil || s.UserByEmail("") != nil {
		t.Errorf("UserByEmail of an unknown address found someone")
	}
	acme := s.TenantByID("80")
	if acme == nil || acme.Key != "Acme" || s.TenantByKey("Acme") != acme {
		t.Fatalf("TenantByID(80) = %+v", acme)
	}
	if s.TenantByID("81") != nil || s.TenantByID("") != nil || s.TenantByKey("acme") != nil {
		t.Errorf("unknown tenant found")
	}
	total := 0
	for _, te := range s.Tenants {
		exts := s.ExtensionsByTenant(te.ID)
		total += len(exts)
		if len(exts) == 0 {
			t.Errorf("tenant %s has no extensions", te.Key)
		}
		prev := uint64(0)
		for _, e := range exts {
			if e.TenantID != te.ID {
				t.Errorf("ExtensionsByTenant(%s) holds %s of %s", te.Key, e.Number, e.TenantID)
			}
			if s.ExtensionByID(e.ID) != e {
				t.Errorf("ExtensionByID(%s) is not the listed extension", e.ID)
			}
			n := mustUint(t, e.ID)
			if n < prev {
				t.Errorf("ExtensionsByTenant(%s) not sorted by numeric ID", te.Key)
			}
			prev = n
		}
		prev = 0
		ds := s.DestinationsByTenant(te.ID)
		if len(ds) == 0 {
			t.Errorf("tenant %s has no destinations", te.Key)
		}
		for _, d := range ds {
			if d.TenantID != te.ID {
				t.Errorf("DestinationsByTenant(%s) holds one of %s", te.Key, d.TenantID)
			}
			n := mustUint(t, d.ID)
			if n < prev {
				t.Errorf("DestinationsByTenant(%s) not sorted by numeric ID", te.Key)
			}
			prev = n
		}
		if len(s.TrunksByTenant(te.ID)) != 1 {
			t.Errorf("tenant %s: %d trunks, want 1", te.Key, len(s.TrunksByTenant(te.ID)))
		}
	}
	if total != len(s.Extensions) {
		t.Errorf("ExtensionsByTenant covers %d of %d extensions", total, len(s.Extensions))
	}
	if s.ExtensionByID("1") != nil || s.ExtensionsByTenant("1") != nil || s.DestinationsByTenant("1") != nil {
		t.Errorf("lookups of unknown IDs found something")
	}
	acmeUser := s.UserByName("acme")
	if ts := s.TenantsOf(acmeUser); len(ts) != 1 || ts[0] != acme {
		t.Errorf("TenantsOf(acme) = %v", ts)
	}
	if ts := s.TenantsOf(s.UserByName("admin")); len(ts) != len(s.Tenants) {
		t.Errorf("TenantsOf(admin): %d of %d", len(ts), len(s.Tenants))
	}
}

func mustUint(t testing.TB, id string) uint64 {
	t.Helper()
	var n uint64
	for _, c := range id {
		if c < '0' || c > '9' {
			t.Fatalf("ID %q is not decimal", id)
		}
		n = n*10 + uint64(c-'0')
	}
	return n
}

// TestNewSnapshotByHand: NewSnapshot sorts by numeric ID (not by string)
// and builds the lookups of a hand-made snapshot.
func TestNewSnapshotByHand(t *testing.T) {
	t.Parallel()
	s := index.NewSnapshot(&index.Snapshot{
		Tenants: []*index.Tenant{{ID: "10", Key: "b"}, {ID: "9", Key: "a"}},
		Users:   []*index.User{{ID: "3", Name: "u", Email: "U@x.example"}},
		Extensions: []*index.Extension{
			{ID: "100", TenantID: "9", Number: "1"}, {ID: "20", TenantID: "9", Number: "2"}, {ID: "3", TenantID: "10", Number: "3"},
		},
		Destinations: []*index.Destination{{ID: "5", TenantID: "10"}, {ID: "40", TenantID: "10"}},
	})
	if s.Tenants[0].ID != "9" || s.Extensions[0].ID != "3" || s.Extensions[2].ID != "100" {
		t.Errorf("not sorted by numeric ID: tenants %s.., extensions %s..%s", s.Tenants[0].ID, s.Extensions[0].ID, s.Extensions[2].ID)
	}
	if es := s.ExtensionsByTenant("9"); len(es) != 2 || es[0].ID != "20" {
		t.Errorf("ExtensionsByTenant(9) = %v", es)
	}
	if ds := s.DestinationsByTenant("10"); len(ds) != 2 || ds[0].ID != "5" {
		t.Errorf("DestinationsByTenant(10) = %v", ds)
	}
	if s.UserByEmail("u@X.example") == nil || s.TenantByKey("b").ID != "10" {
		t.Errorf("lookups of a hand-made snapshot")
	}
}
