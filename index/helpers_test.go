package index_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/parser"
)

// testHash is the bcrypt hash (cost 10) of the fixtures' published demo
// password "admin-demo" (fixtures/README.md): the only kind of password
// astapi.ini accepts.
const testHash = "$2a$10$ERQwhVMZfE5y8W5PhrHbbuNG/F3o15RY3uWk0trXjps0hwKKcGSna"

// fixturesINI is the demo configuration the golden and ID tests read.
const fixturesINI = "../fixtures/astapi.ini"

// writePBX writes an astapi.ini (iniBody after a [server] section whose
// asterisk_dir is "asterisk") and the Asterisk files (names relative to
// asterisk_dir) into a fresh temp dir, and returns the ini's path.
func writePBX(t testing.TB, iniBody string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	ast := filepath.Join(dir, "asterisk")
	if err := os.MkdirAll(ast, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		p := filepath.Join(ast, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ini := filepath.Join(dir, "astapi.ini")
	body := "[server]\nasterisk_dir = asterisk\n\n" + iniBody
	if err := os.WriteFile(ini, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return ini
}

// loadPBX is writePBX then index.Load, failing the test on a load error.
func loadPBX(t testing.TB, iniBody string, files map[string]string) *index.Snapshot {
	t.Helper()
	snap, err := index.Load(writePBX(t, iniBody, files))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return snap
}

// discoverContexts asks for one discovered tenant per phone context (the
// discovery of the first versions, which these tests were written for).
const discoverContexts = "[server]\ndiscover = contexts\n\n"

// user is an [user NAME] section with a valid hash.
func user(name, extra string) string {
	return "[user " + name + "]\npassword = " + testHash + "\n" + extra + "\n"
}

// tenantByKey returns the tenant or fails.
func tenantByKey(t testing.TB, s *index.Snapshot, key string) *index.Tenant {
	t.Helper()
	te := s.TenantByKey(key)
	if te == nil {
		var keys []string
		for _, x := range s.Tenants {
			keys = append(keys, x.Key)
		}
		t.Fatalf("no tenant %q (have %v)", key, keys)
	}
	return te
}

// extOfPeer returns the extension holding the peer called name, or nil.
func extOfPeer(s *index.Snapshot, name string) *index.Extension {
	for _, e := range s.Extensions {
		for _, p := range e.Peers {
			if p.Name == name {
				return e
			}
		}
	}
	return nil
}

// mustExtOfPeer is extOfPeer failing the test when there is none.
func mustExtOfPeer(t testing.TB, s *index.Snapshot, name string) *index.Extension {
	t.Helper()
	e := extOfPeer(s, name)
	if e == nil {
		t.Fatalf("no extension has peer %q; extensions: %s; diags: %v", name, describeExts(s), s.Diags)
	}
	return e
}

// peerOf returns the peer called name among extensions and trunks, or nil.
func peerOf(s *index.Snapshot, name string) *index.Peer {
	if e := extOfPeer(s, name); e != nil {
		for _, p := range e.Peers {
			if p.Name == name {
				return p
			}
		}
	}
	return trunkOf(s, name)
}

func trunkOf(s *index.Snapshot, name string) *index.Peer {
	for _, p := range s.Trunks {
		if p.Name == name {
			return p
		}
	}
	return nil
}

func describeExts(s *index.Snapshot) string {
	var b strings.Builder
	for _, e := range s.Extensions {
		b.WriteString("[")
		b.WriteString(e.Number)
		b.WriteString(":")
		for _, p := range e.Peers {
			b.WriteString(" " + p.Name)
		}
		b.WriteString("] ")
	}
	return b.String()
}

// hasDiag reports whether a diagnostic's message holds every one of parts.
func hasDiag(diags parser.Diagnostics, sev parser.Severity, parts ...string) bool {
	for _, d := range diags {
		if d.Severity != sev {
			continue
		}
		ok := true
		for _, p := range parts {
			if !strings.Contains(d.Message, p) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// destsFrom returns the destinations with that source type and source.
func destsFrom(s *index.Snapshot, typeSrc, src string) []*index.Destination {
	var out []*index.Destination
	for _, d := range s.Destinations {
		if d.TypeSrc == typeSrc && d.Src == src {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b *index.Destination) int { return a.Ord - b.Ord })
	return out
}

func describeDests(s *index.Snapshot) string {
	var b strings.Builder
	for _, d := range s.Destinations {
		b.WriteString("\n\t" + d.TypeSrc + " " + d.Src + " -> " + d.TypeDst + " " + d.Dst)
	}
	return b.String()
}

// Vocabulary of SPEC §4.
var (
	dstTypes = map[string]bool{"EXT": true, "HUNTLIST": true, "QUEUE": true, "VOICEMAIL": true, "IVR": true,
		"CONDITION": true, "DISA": true, "MEETME": true, "PLAYBACK": true, "SPECIAL": true, "CUSTOM": true}
	srcTypes = map[string]bool{"DID": true, "CONDITION": true, "NOTCONDITION": true,
		"IVR_0": true, "IVR_1": true, "IVR_2": true, "IVR_3": true, "IVR_4": true, "IVR_5": true, "IVR_6": true,
		"IVR_7": true, "IVR_8": true, "IVR_9": true, "IVR_STAR": true, "IVR_SHARP": true, "IVR_TIMEOUT": true,
		"IVR_WRONG": true, "EXT-NOANSWER": true, "EXT-BUSY": true, "HUNTLIST-TIMEOUT": true, "QUEUE-TIMEOUT": true}
)
