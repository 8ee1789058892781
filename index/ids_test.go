package index_test

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/astapi/astapi/index"
)

// IDs (SPEC §5): the documented function of (kind, natural key), pins
// first, stable across restarts, processes, reordering and unrelated
// additions, unique within a kind.

// docID is the formula documented in index/ids.go:
// FNV-1a-64("<kind>\x00<natural key>") mod (2^53-1) + 1, in decimal.
func docID(kind, key string) string {
	h := fnv.New64a()
	h.Write([]byte(kind + "\x00" + key))
	return strconv.FormatUint(h.Sum64()%(1<<53-1)+1, 10)
}

// idMap is every ID of a snapshot by kind and natural key.
type idMap map[string]string

func idsOf(s *index.Snapshot) idMap {
	m := idMap{}
	keyOf := map[string]string{}
	for _, t := range s.Tenants {
		m["tenant\x00"+t.Key] = t.ID
		keyOf[t.ID] = t.Key
	}
	for _, u := range s.Users {
		m["user\x00"+u.Name] = u.ID
	}
	for _, e := range s.Extensions {
		m["extension\x00"+keyOf[e.TenantID]+"\x00"+e.Number] = e.ID
	}
	for _, d := range s.Destinations {
		m["destination\x00"+destKey(keyOf[d.TenantID], d)] = d.ID
	}
	if s.Flow != nil {
		for _, o := range s.Flow.Objects {
			m["object\x00"+keyOf[o.TenantID]+"\x00"+o.Type+"\x00"+o.Entry] = o.ID
		}
	}
	return m
}

// destKey is a destination's documented natural key.
func destKey(tenantKey string, d *index.Destination) string {
	return strings.Join([]string{tenantKey, d.TypeSrc, d.Src, d.TypeDst, d.Dst, strconv.Itoa(d.Ord)}, "\x00")
}

// diffIDs reports the keys of a whose ID differs in b (or is missing).
func diffIDs(t *testing.T, what string, a, b idMap) {
	t.Helper()
	n := 0
	for _, k := range slices.Sorted(maps.Keys(a)) {
		if b[k] != a[k] {
			if n < 10 {
				t.Errorf("%s: %q: %s then %s", what, strings.ReplaceAll(k, "\x00", "/"), a[k], b[k])
			}
			n++
		}
	}
	if n > 10 {
		t.Errorf("%s: %d more differences", what, n-10)
	}
}

// TestIDFormula: unpinned IDs are the documented function of the key.
func TestIDFormula(t *testing.T) {
	t.Parallel()
	s := loadFixtures(t)
	keyOf := map[string]string{}
	for _, te := range s.Tenants {
		keyOf[te.ID] = te.Key
		want := docID("tenant", te.Key)
		if te.Key == "Acme" {
			want = "80" // pinned
		}
		if te.ID != want {
			t.Errorf("tenant %s: ID %s, want %s", te.Key, te.ID, want)
		}
	}
	for _, u := range s.Users {
		want := docID("user", u.Name)
		if u.Name == "admin" {
			want = "97" // pinned
		}
		if u.ID != want {
			t.Errorf("user %s: ID %s, want %s", u.Name, u.ID, want)
		}
	}
	for _, e := range s.Extensions {
		if want := docID("extension", keyOf[e.TenantID]+"\x00"+e.Number); e.ID != want {
			t.Errorf("extension %s/%s: ID %s, want %s", keyOf[e.TenantID], e.Number, e.ID, want)
		}
	}
	for _, d := range s.Destinations {
		if want := docID("destination", destKey(keyOf[d.TenantID], d)); d.ID != want {
			t.Errorf("destination %s %s: ID %s, want %s", d.TypeSrc, d.Src, d.ID, want)
		}
	}
	for _, o := range s.Flow.Objects {
		if want := docID("object", keyOf[o.TenantID]+"\x00"+o.Type+"\x00"+o.Entry); o.ID != want {
			t.Errorf("call-flow object %s %s: ID %s, want %s", o.Type, o.Entry, o.ID, want)
		}
	}
	// Below 2^53 (exact in JavaScript), positive, canonical decimal.
	for k, id := range idsOf(s) {
		n, err := strconv.ParseUint(id, 10, 64)
		if err != nil || n == 0 || n >= 1<<53 || strconv.FormatUint(n, 10) != id {
			t.Errorf("%q: bad ID %q", k, id)
		}
	}
}

// TestIDsUnique: no two objects of a kind share an ID (fixtures).
func TestIDsUnique(t *testing.T) {
	t.Parallel()
	checkUniqueIDs(t, loadFixtures(t))
}

func checkUniqueIDs(t testing.TB, s *index.Snapshot) {
	t.Helper()
	check := func(kind string, ids []string) {
		seen := make(map[string]bool, len(ids))
		for _, id := range ids {
			if id == "" {
				t.Errorf("%s without an ID", kind)
			}
			if seen[id] {
				t.Errorf("two %ss with ID %s", kind, id)
			}
			seen[id] = true
		}
	}
	var ids []string
	for _, x := range s.Tenants {
		ids = append(ids, x.ID)
	}
	check("tenant", ids)
	ids = ids[:0]
	for _, x := range s.Users {
		ids = append(ids, x.ID)
	}
	check("user", ids)
	ids = ids[:0]
	for _, x := range s.Extensions {
		ids = append(ids, x.ID)
	}
	check("extension", ids)
	ids = ids[:0]
	for _, x := range s.Destinations {
		ids = append(ids, x.ID)
	}
	check("destination", ids)
	// Lists sorted by numeric ID.
	sorted := func(kind string, ids []string) {
		for i := 1; i < len(ids); i++ {
			a, _ := strconv.ParseUint(ids[i-1], 10, 64)
			b, _ := strconv.ParseUint(ids[i], 10, 64)
			if a > b {
				t.Errorf("%ss not sorted by numeric ID: %s before %s", kind, ids[i-1], ids[i])
				return
			}
		}
	}
	ids = ids[:0]
	for _, x := range s.Extensions {
		ids = append(ids, x.ID)
	}
	sorted("extension", ids)
	ids = ids[:0]
	for _, x := range s.Tenants {
		ids = append(ids, x.ID)
	}
	sorted("tenant", ids)
}

// TestIDsUniqueLarge: a generated PBX of 10,000 extensions (and as many
// destinations) has no duplicate ID.
func TestIDsUniqueLarge(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("large config skipped with -short")
	}
	const tenants, perTenant = 100, 100
	var ini, sip, ext strings.Builder
	for ti := range tenants {
		code := fmt.Sprintf("Co%03d", ti)
		fmt.Fprintf(&ini, "[tenant %s]\ncode = %s\ncontexts = %s-*\n\n", code, code, strings.ToLower(code))
		fmt.Fprintf(&sip, "[%s-phone](!)\ntype=friend\nhost=dynamic\ncontext=%s-internal\n\n", code, strings.ToLower(code))
		fmt.Fprintf(&ext, "[%s-internal]\n", strings.ToLower(code))
		for p := range perTenant {
			num := 1000 + p
			fmt.Fprintf(&sip, "[%d-%s](%s-phone)\ncallerid=\"User %d\" <%d>\nsecret=s%d%s\n\n", num, code, code, num, num, num, code)
			fmt.Fprintf(&ext, "exten => %d,1,Dial(SIP/%d-%s,20)\n same => n,VoiceMail(%d@%s,u)\n", num, num, code, num, code)
		}
		fmt.Fprintf(&ext, "\n[%s-inbound]\nexten => 5550000,1,Goto(%s-internal,1000,1)\n\n", strings.ToLower(code), strings.ToLower(code))
	}
	s := loadPBX(t, ini.String(), map[string]string{"sip.conf": sip.String(), "extensions.conf": ext.String()})
	if len(s.Extensions) != tenants*perTenant {
		t.Fatalf("%d extensions, want %d", len(s.Extensions), tenants*perTenant)
	}
	if len(s.Destinations) < tenants*perTenant {
		t.Fatalf("%d destinations, want at least %d", len(s.Destinations), tenants*perTenant)
	}
	checkUniqueIDs(t, s)
	for _, te := range s.Tenants {
		if n := len(s.ExtensionsByTenant(te.ID)); n != perTenant {
			t.Errorf("tenant %s: %d extensions", te.Key, n)
		}
	}
}

// stableConfig is a small PBX the stability tests reorder and extend.
type stableConfig struct {
	tenants []string // [tenant] sections
	users   []string // [user] sections
	sip     []string // sip.conf sections
	sipInc  []string // sections of sip-more.conf (#included at the end of sip.conf)
	ext     []string // extensions.conf contexts
}

func (c stableConfig) write(t *testing.T) string {
	sip := strings.Join(c.sip, "\n")
	if len(c.sipInc) > 0 {
		sip += "\n#include sip-more.conf\n"
	}
	files := map[string]string{
		"sip.conf":        sip,
		"sip-more.conf":   strings.Join(c.sipInc, "\n"),
		"extensions.conf": strings.Join(c.ext, "\n"),
	}
	return writePBX(t, strings.Join(c.tenants, "\n")+"\n"+strings.Join(c.users, "\n"), files)
}

func baseStable() stableConfig {
	return stableConfig{
		tenants: []string{
			"[tenant Acme]\nid = 80\ncode = Acme\ncontexts = acme-*\n",
			"[tenant Globex]\ncode = Globex\ncontexts = globex-*\n",
		},
		users: []string{
			user("admin", "id = 97\nrole = admin"),
			user("acme", "role = tenant\ntenants = Acme"),
			user("globex", "role = tenant\ntenants = Globex"),
		},
		sip: []string{
			"[201-Acme]\ntype=friend\nhost=dynamic\ncontext=acme-internal\n",
			"[202-Acme]\ntype=friend\nhost=dynamic\ncontext=acme-internal\n",
			"[401-Globex]\ntype=friend\nhost=dynamic\ncontext=globex-internal\n",
			"[402-Globex]\ntype=friend\nhost=dynamic\ncontext=globex-internal\n",
		},
		ext: []string{
			"[acme-internal]\nexten => 201,1,Dial(SIP/201-Acme,20)\n same => n,VoiceMail(201@acme)\n" +
				"exten => 202,1,Dial(SIP/202-Acme,20)\n same => n,VoiceMail(202@acme)\n" +
				"exten => 600,1,Dial(SIP/201-Acme&SIP/202-Acme)\n same => n,Hangup()\n",
			"[acme-inbound]\nexten => 5550100,1,Goto(acme-internal,600,1)\n",
			"[globex-internal]\nexten => 401,1,Dial(SIP/401-Globex,20)\n same => n,VoiceMail(401@globex)\n" +
				"exten => 402,1,Dial(SIP/402-Globex,20)\n same => n,Hangup()\n",
			"[globex-inbound]\nexten => 4165550200,1,Goto(globex-internal,401,1)\n",
		},
	}
}

func loadIDs(t *testing.T, c stableConfig) idMap {
	t.Helper()
	s, err := index.Load(c.write(t))
	if err != nil {
		t.Fatal(err)
	}
	return idsOf(s)
}

func TestIDsStable(t *testing.T) {
	t.Parallel()
	base := loadIDs(t, baseStable())
	if len(base) < 15 {
		t.Fatalf("only %d objects: the config is broken: %v", len(base), base)
	}
	cases := []struct {
		name   string
		change func(*stableConfig)
		same   bool // the object set stays the same (else: base ⊂ new)
	}{
		{"restart (same files)", func(*stableConfig) {}, true},
		{"sections of sip.conf reversed", func(c *stableConfig) { slices.Reverse(c.sip) }, true},
		{"a peer moved into an included file", func(c *stableConfig) {
			c.sipInc = append(c.sipInc, c.sip[0])
			c.sip = c.sip[1:]
		}, true},
		{"contexts of extensions.conf reversed", func(c *stableConfig) { slices.Reverse(c.ext) }, true},
		{"tenant sections swapped", func(c *stableConfig) { slices.Reverse(c.tenants) }, true},
		{"user sections reversed", func(c *stableConfig) { slices.Reverse(c.users) }, true},
		{"comments and blank lines added", func(c *stableConfig) {
			for i := range c.sip {
				c.sip[i] = "; edited\n\n" + c.sip[i]
			}
			for i := range c.ext {
				c.ext[i] = ";---- moved ----\n\n\n" + c.ext[i]
			}
		}, true},
		{"an unrelated peer added (or, read backwards, removed)", func(c *stableConfig) {
			c.sip = append([]string{"[203-Acme]\ntype=friend\nhost=dynamic\ncontext=acme-internal\n"}, c.sip...)
			c.ext = append(c.ext, "[acme-extra]\nexten => 203,1,Dial(SIP/203-Acme)\n same => n,Hangup()\n")
		}, false},
		{"an unrelated tenant, user and dialplan added", func(c *stableConfig) {
			c.tenants = append([]string{"[tenant Initech]\ncode = Initech\ncontexts = initech-*\n"}, c.tenants...)
			c.users = append([]string{user("initech", "role = tenant\ntenants = Initech")}, c.users...)
			c.sip = append([]string{"[301-Initech]\ntype=friend\nhost=dynamic\ncontext=initech-internal\n"}, c.sip...)
			c.ext = append([]string{"[initech-internal]\nexten => 301,1,Dial(SIP/301-Initech)\n same => n,VoiceMail(301@i)\n"}, c.ext...)
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := baseStable()
			c.sip, c.ext, c.tenants, c.users = slices.Clone(c.sip), slices.Clone(c.ext), slices.Clone(c.tenants), slices.Clone(c.users)
			tc.change(&c)
			got := loadIDs(t, c)
			diffIDs(t, tc.name, base, got)
			if tc.same && len(got) != len(base) {
				t.Errorf("%d objects, want %d", len(got), len(base))
			}
		})
	}
}

// TestIDPins: a pin wins, and an unpinned object whose ID a pin took gets
// the documented next choice instead of a duplicate.
func TestIDPins(t *testing.T) {
	t.Parallel()
	clash := docID("tenant", "Foo")
	userClash := docID("user", "carol")
	s := loadPBX(t, "[tenant Foo]\ncode = Foo\n\n[tenant Bar]\nid = "+clash+"\ncode = Bar\n\n[tenant Baz]\nid = 7\n\n"+
		user("carol", "role = admin")+user("dave", "id = "+userClash+"\nrole = admin"), nil)
	if got := tenantByKey(t, s, "Bar").ID; got != clash {
		t.Errorf("pinned Bar: %s, want %s", got, clash)
	}
	if got := tenantByKey(t, s, "Baz").ID; got != "7" {
		t.Errorf("pinned Baz: %s, want 7", got)
	}
	if got, want := tenantByKey(t, s, "Foo").ID, docID("tenant", "Foo\x001"); got != want {
		t.Errorf("Foo, whose first choice is pinned by Bar: %s, want %s", got, want)
	}
	if got := s.UserByName("dave").ID; got != userClash {
		t.Errorf("pinned dave: %s", got)
	}
	if got, want := s.UserByName("carol").ID, docID("user", "carol\x001"); got != want {
		t.Errorf("carol, whose first choice is pinned: %s, want %s", got, want)
	}
	checkUniqueIDs(t, s)
}

// TestIDsAcrossProcesses: other processes (as replicas would be: other
// GOMAXPROCS, the files at another path) give every object the same ID.
func TestIDsAcrossProcesses(t *testing.T) {
	if os.Getenv("ASTAPI_IDS_HELPER") != "" {
		t.Skip("in the helper process")
	}
	if testing.Short() {
		t.Skip("spawns processes")
	}
	t.Parallel()
	here := idsOf(loadFixtures(t))
	elsewhere := t.TempDir()
	copyTree(t, "../fixtures", elsewhere)
	for _, run := range []struct{ procs, ini string }{
		{"1", mustAbs(t, fixturesINI)},
		{"4", filepath.Join(elsewhere, "astapi.ini")},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestIDsHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), "ASTAPI_IDS_HELPER="+run.ini, "GOMAXPROCS="+run.procs)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("helper process: %v\n%s", err, out)
		}
		var got idMap
		for _, l := range strings.Split(string(out), "\n") {
			if j, ok := strings.CutPrefix(l, "IDS "); ok {
				if err := json.Unmarshal([]byte(j), &got); err != nil {
					t.Fatal(err)
				}
			}
		}
		if len(got) != len(here) {
			t.Fatalf("helper (GOMAXPROCS=%s) saw %d objects, this process %d", run.procs, len(got), len(here))
		}
		diffIDs(t, "GOMAXPROCS="+run.procs, here, got)
	}
}

// TestIDsHelperProcess prints the IDs of the configuration named by
// ASTAPI_IDS_HELPER; it does nothing in a normal run.
func TestIDsHelperProcess(t *testing.T) {
	ini := os.Getenv("ASTAPI_IDS_HELPER")
	if ini == "" {
		t.Skip("helper for TestIDsAcrossProcesses")
	}
	s, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(idsOf(s))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("\nIDS %s\n", b)
}

func mustAbs(t testing.TB, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
