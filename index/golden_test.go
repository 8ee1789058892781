package index_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/internal/golden"
	"github.com/astapi/astapi/parser"
)

// go test ./index -run TestGoldenFixtures -update rewrites the golden file.
var update = flag.Bool("update", false, "rewrite index/testdata/golden/*.json")

const goldenFixtures = "testdata/golden/fixtures.json"

func loadFixtures(t testing.TB) *index.Snapshot {
	t.Helper()
	s, err := index.Load(fixturesINI)
	if err != nil {
		t.Fatalf("Load(%s): %v", fixturesINI, err)
	}
	return s
}

func dumpJSON(t testing.TB, d index.IndexDump) []byte {
	t.Helper()
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// TestGoldenFixtures: the redacted dump of the fixtures is byte for byte
// the golden file, on every machine.
func TestGoldenFixtures(t *testing.T) {
	t.Parallel()
	got := dumpJSON(t, loadFixtures(t).Dump(false))
	if *update {
		if err := os.MkdirAll(filepath.Dir(goldenFixtures), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenFixtures, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", goldenFixtures)
		return
	}
	want, err := os.ReadFile(goldenFixtures)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("dump differs from %s (run with -update after checking the change):\n%s", goldenFixtures, golden.FirstDiff(want, got))
	}
}

// TestDumpMachineIndependent: nothing in the dump depends on where the
// repository lives: positions are relative to asterisk_dir.
func TestDumpMachineIndependent(t *testing.T) {
	t.Parallel()
	s := loadFixtures(t)
	abs, err := filepath.Abs("../fixtures")
	if err != nil {
		t.Fatal(err)
	}
	for _, str := range jsonStrings(t, dumpJSON(t, s.Dump(true))) {
		if strings.HasPrefix(str, "/") || strings.Contains(str, abs) || strings.Contains(str, `:\`) {
			t.Errorf("machine-dependent string in the dump: %q", str)
		}
	}
	// The same files copied elsewhere give the same dump.
	dir := t.TempDir()
	copyTree(t, "../fixtures", dir)
	s2, err := index.Load(filepath.Join(dir, "astapi.ini"))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := dumpJSON(t, s.Dump(false)), dumpJSON(t, s2.Dump(false)); !bytes.Equal(a, b) {
		t.Errorf("the dump depends on the directory:\n%s", golden.FirstDiff(a, b))
	}
}

func copyTree(t testing.TB, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// jsonStrings returns every string (keys aside) in a JSON document.
func jsonStrings(t testing.TB, doc []byte) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// fixtureSecrets reads every secret-like value of the fixtures: SIP and
// PJSIP secrets and passwords, voicemail PINs, the register => secret and
// the API users' password hashes.
func fixtureSecrets(t testing.TB) []string {
	t.Helper()
	names := map[string]bool{"secret": true, "md5secret": true, "password": true, "md5_cred": true, "vmsecret": true,
		"inbound_auth/password": true, "outbound_auth/password": true, "remotesecret": true}
	var out []string
	dir := "../fixtures/asterisk"
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		cfg, err := parser.ParseFile(filepath.Join(dir, e.Name()), parser.Options{Root: dir})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range cfg.Sections {
			for _, v := range s.Vars {
				switch {
				case names[strings.ToLower(v.Name)]:
					out = append(out, v.Value)
				case strings.EqualFold(v.Name, "register"):
					// user:secret@host/exten
					if _, rest, ok := strings.Cut(v.Value, ":"); ok {
						sec, _, _ := strings.Cut(rest, "@")
						out = append(out, sec)
					}
				case e.Name() == "voicemail.conf" && strings.Contains(v.Value, ","):
					// A PIN equal to its box number (audit rule V1) is the
					// box number, no secret of its own.
					if pin, _, _ := strings.Cut(v.Value, ","); strings.TrimSpace(pin) != v.Name {
						out = append(out, strings.TrimSpace(pin))
					}
				}
			}
		}
	}
	ini, err := os.ReadFile(fixturesINI)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(ini), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok && strings.TrimSpace(k) == "password" {
			out = append(out, strings.TrimSpace(v))
		}
	}
	for _, p := range []string{"admin-demo", "acme-demo", "globex-demo", "auditor-demo"} {
		out = append(out, p)
	}
	if len(out) < 15 {
		t.Fatalf("only %d secrets found in the fixtures: the reader is broken", len(out))
	}
	return out
}

// TestDumpRedactsSecrets: no fixture secret appears anywhere in the dump
// made without --secrets, and every peer's secret shows as <redacted>.
func TestDumpRedactsSecrets(t *testing.T) {
	t.Parallel()
	s := loadFixtures(t)
	secrets := fixtureSecrets(t)
	redacted := dumpJSON(t, s.Dump(false))
	strs := jsonStrings(t, redacted)
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		if len(sec) >= 6 && bytes.Contains(redacted, []byte(sec)) {
			t.Errorf("secret %.3s… appears in the redacted dump", sec)
		}
		for _, str := range strs {
			if str == sec {
				t.Errorf("secret %.3s… is a value of the redacted dump", sec)
			}
		}
	}
	if bytes.Contains(redacted, []byte("$2a$")) {
		t.Errorf("a password hash appears in the dump")
	}
	// Not vacuous: the unredacted dump has them.
	full := dumpJSON(t, s.Dump(true))
	for _, sec := range []string{"Kp9mZ2x", "password123", "bluewhalestaplerrecess", "6e8a3cfaf88d3b9a29e19df0f4b3fcf0"} {
		if !bytes.Contains(full, []byte(sec)) {
			t.Errorf("Dump(true) lacks the secret %.3s…", sec)
		}
	}
	d := s.Dump(false)
	check := func(p index.PeerDump) {
		if p.SecretKind != "" && p.Secret != index.Redacted {
			t.Errorf("peer %s: secret %q kind %q", p.Name, p.Secret, p.SecretKind)
		}
		if p.SecretKind == "" && p.Secret != "" {
			t.Errorf("peer %s: secret without kind", p.Name)
		}
	}
	for _, e := range d.Extensions {
		for _, p := range e.Peers {
			check(p)
		}
	}
	for _, p := range d.Trunks {
		check(p)
	}
	// The Snapshot itself never serialises secrets or hashes either.
	raw, err := json.Marshal(s.Extensions)
	if err != nil {
		t.Fatal(err)
	}
	users, _ := json.Marshal(s.Users)
	for _, sec := range []string{"Kp9mZ2x", "password123", "$2a$"} {
		if bytes.Contains(raw, []byte(sec)) || bytes.Contains(users, []byte(sec)) {
			t.Errorf("json.Marshal of the snapshot leaks %.3s…", sec)
		}
	}
}

// TestFixturesREADME: the extension table of fixtures/README.md.
func TestFixturesREADME(t *testing.T) {
	t.Parallel()
	s := loadFixtures(t)
	type row struct {
		tenant string
		extFields
		host string
	}
	want := map[string]row{
		"201-Acme":    {"Acme", extFields{"201", "Alice Anders", "5145550100", "Acme Corp", "yes"}, "dynamic"},
		"202-Acme":    {"Acme", extFields{"202", "Bob Baker", "5145550102", "Bob Baker", "no"}, "dynamic"},
		"203-Acme":    {"Acme", extFields{"203", "Conference room (Polycom Trio)", "5145550100", "Conference room (Polycom Trio)", ""}, "dynamic"},
		"204-Acme":    {"Acme", extFields{"204", "Warehouse", "5145550100", "Acme Warehouse", ""}, "dynamic"},
		"401-Globex":  {"Globex", extFields{"401", "Grace Green", "4165550200", "Globex", "yes"}, "dynamic"},
		"402-Globex":  {"Globex", extFields{"402", "Gordon Gray", "4165550200", "Gordon Gray", "no"}, "dynamic"},
		"403-Globex":  {"Globex", extFields{"403", "Globex Lobby", "", "Globex Lobby", ""}, "dynamic"},
		"410":         {"Globex", extFields{"410", "Hannah Hughes", "4165550210", "Hannah Hughes", "yes"}, "dynamic"},
		"411":         {"Globex", extFields{"411", "Ivan Ingram", "4165550211", "Ivan Ingram", "no"}, "dynamic"},
		"301-Initech": {"Initech", extFields{"301", "Peter Park", "2125550300", "Initech", ""}, "dynamic"},
		"302-Initech": {"Initech", extFields{"302", "Priya Patel", "", "Priya Patel", ""}, "dynamic"},
		"303-Initech": {"Initech", extFields{"303", "Quinn Quarles", "", "Quinn Quarles", ""}, "dynamic"},
	}
	if len(s.Extensions) != len(want) {
		t.Errorf("%d extensions, want %d: %s", len(s.Extensions), len(want), describeExts(s))
	}
	for peer, w := range want {
		e := extOfPeer(s, peer)
		if e == nil {
			t.Errorf("%s: not listed", peer)
			continue
		}
		if got := fieldsOf(e); got != w.extFields {
			t.Errorf("%s:\n got %+v\nwant %+v", peer, got, w.extFields)
		}
		if te := s.TenantByID(e.TenantID); te == nil || te.Key != w.tenant {
			t.Errorf("%s: tenant %v, want %s", peer, te, w.tenant)
		}
		if len(e.Peers) != 1 || e.Peers[0].Host != w.host {
			t.Errorf("%s: peers %d host %q", peer, len(e.Peers), e.Peers[0].Host)
		}
	}
	trunks := map[string]struct{ tenant, host string }{
		"trunk-acme":    {"Acme", "sip.provider.example"},
		"trunk-globex":  {"Globex", "203.0.113.10"},
		"trunk-initech": {"Initech", "sip.carrier.example:5060"},
	}
	if len(s.Trunks) != len(trunks) {
		t.Errorf("%d trunks, want %d", len(s.Trunks), len(trunks))
	}
	for name, w := range trunks {
		p := trunkOf(s, name)
		if p == nil {
			t.Errorf("trunk %s missing", name)
			continue
		}
		if te := s.TenantByID(p.TenantID); te == nil || te.Key != w.tenant || p.Host != w.host {
			t.Errorf("trunk %s: tenant %v host %q", name, te, p.Host)
		}
	}
	if p := peerOf(s, "402-Globex"); p == nil || p.SecretKind != "" {
		t.Errorf("402-Globex should have no secret")
	}
	if p := peerOf(s, "403-Globex"); p == nil || p.SecretKind != index.SecretMD5 {
		t.Errorf("403-Globex should have an md5secret")
	}
	if p := peerOf(s, "302-Initech"); p == nil || p.SecretKind != index.SecretPassword || p.SecretPos.File != "pjsip.conf" {
		t.Errorf("302-Initech secret from its auth: %+v", p)
	}
	// Every error-level diagnostic would make `validate` fail.
	if errs := s.Diags.Errors(); len(errs) > 0 {
		t.Errorf("error diagnostics on the fixtures: %v", errs)
	}
	// The destinations the README names.
	for _, c := range []struct{ typeSrc, src, typeDst string }{
		{"EXT-BUSY", "acme-internal,201,1", "VOICEMAIL"},
		{"CONDITION", "acme-tc,s,1", "IVR"},
		{"NOTCONDITION", "acme-tc,s,1", "DISA"},
		{"CONDITION", "globex-tc,s,1", "HUNTLIST"},
		{"NOTCONDITION", "globex-tc,s,1", "VOICEMAIL"},
		{"IVR_0", "acme-ivr,0,1", "HUNTLIST"},
		{"IVR_2", "acme-ivr,2,1", "QUEUE"},
		{"IVR_TIMEOUT", "acme-ivr,t,1", "HUNTLIST"},
		{"IVR_WRONG", "acme-ivr,i,1", "IVR"},
		{"IVR_STAR", "initech-ivr,*,1", "VOICEMAIL"},
		{"IVR_SHARP", "initech-ivr,#,1", "PLAYBACK"},
		{"QUEUE-TIMEOUT", "acme-internal,700,2", "VOICEMAIL"},
		{"HUNTLIST-TIMEOUT", "globex-internal,600,1", "VOICEMAIL"},
		{"DID", "acme-inbound,5145550199,1", "PLAYBACK"},
		{"DID", "initech-inbound,2125550300,1", "IVR"},
	} {
		ds := destsFrom(s, c.typeSrc, c.src)
		if len(ds) != 1 || ds[0].TypeDst != c.typeDst {
			t.Errorf("%s %s: %+v, want one %s", c.typeSrc, c.src, ds, c.typeDst)
		}
	}
}
