package audit

import (
	"encoding/json"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/internal/pbxgen"
	"github.com/astapi/astapi/parser"
)

func v(name, value string, line int, inherited bool) parser.Var {
	return parser.Var{Name: name, Value: value, Pos: parser.Pos{File: "sip.conf", Line: line}, Inherited: inherited}
}

// peer builds a registering peer of tenant Acme with a strong secret and
// an ACL; each case below spoils one thing.
func peer(name, secret string, extra ...parser.Var) *index.Peer {
	vars := []parser.Var{v("type", "friend", 2, true), v("host", "dynamic", 3, true), v("permit", "10.0.0.0/8", 4, true)}
	p := &index.Peer{Name: name, Tech: "SIP", Source: "sip.conf", Type: "friend", Host: "dynamic", TenantID: "1",
		Pos: parser.Pos{File: "sip.conf", Line: 10}, SecretPos: parser.Pos{File: "sip.conf", Line: 11}}
	if secret != "" {
		p.Secret, p.SecretKind = secret, index.SecretPlain
		vars = append(vars, v("secret", secret, 11, false))
	}
	p.Vars = append(vars, extra...)
	return p
}

func snapshot(general *parser.Section, peers ...*index.Peer) *index.Snapshot {
	var exts []*index.Extension
	for i, p := range peers {
		num := strings.SplitN(p.Name, "-", 2)[0]
		exts = append(exts, &index.Extension{ID: string(rune('1' + i)), TenantID: p.TenantID, Number: num, Peers: []*index.Peer{p}})
	}
	return index.NewSnapshot(&index.Snapshot{
		Tenants:    []*index.Tenant{{ID: "1", Key: "Acme", Name: "Acme", Code: "Acme"}, {ID: "2", Key: "Globex", Name: "Globex", Code: "Globex"}},
		Extensions: exts,
		SIPGeneral: general,
		Dialplan:   parser.BuildDialplan(&parser.Config{}),
	})
}

func rulesOf(fs []Finding, peer string) map[string]bool {
	out := map[string]bool{}
	for _, f := range fs {
		if f.Peer == peer {
			out[f.Rule] = true
		}
	}
	return out
}

const strong = "Vq7#pLm2-Xz9!tRw4sKd"

func TestPeerRules(t *testing.T) {
	cases := []struct {
		name string
		peer *index.Peer
		want []string // rules that must fire
		not  []string // rules that must not fire
	}{
		{"strong secret, ACL", peer("201-Acme", strong), nil, []string{"S1", "S2", "S3", "S4", "S5", "S6", "S8", "S9"}},
		{"S1 no secret on dynamic", peer("202-Acme", ""), []string{"S1"}, nil},
		{"S1 not for fixed host", func() *index.Peer { p := peer("203-Acme", ""); p.Host = "10.1.1.1"; return p }(), nil, []string{"S1"}},
		{"S1 not with md5secret", func() *index.Peer {
			p := peer("204-Acme", "")
			p.Secret, p.SecretKind = "5f4dcc3b5aa765d61d8327deb882cf99", index.SecretMD5
			return p
		}(), nil, []string{"S1", "S2", "S3", "S5", "S6"}},
		{"S2 short", peer("205-Acme", "Aa1!bB2@c"), []string{"S2"}, []string{"S3"}},
		{"S3 digits only", peer("206-Acme", "739104628351"), []string{"S3", "S6"}, []string{"S2"}},
		{"S4 peer number", peer("207-Acme", "Xx207!qwPLmn45zz"), []string{"S4"}, nil},
		{"S4 tenant code", peer("208-Acme", "myacme!Secret#2024x"), []string{"S4"}, nil},
		{"S4 defaultuser", peer("209-Acme", "jdoe-Q8#kLm2!pPz", v("defaultuser", "jdoe", 5, true)), []string{"S4"}, nil},
		{"S5 common", peer("210-Acme", "password123"), []string{"S5"}, nil},
		{"S5 common with suffix", peer("211-Acme", "Letmein2024!"), []string{"S5"}, nil},
		{"S6 one class", peer("212-Acme", "bluewhalestaplerrecess"), []string{"S6"}, []string{"S2"}},
		{"S6 low entropy", peer("213-Acme", "aaaaaaaaaaaaaaab1!"), []string{"S6"}, nil},
		{"S8 insecure=invite inherited", peer("214-Acme", strong, v("insecure", "port,invite", 6, true)), []string{"S8"}, nil},
		{"S8 not on fixed host", func() *index.Peer {
			p := peer("215-Acme", strong, v("insecure", "invite", 6, false))
			p.Host = "sip.example.net"
			return p
		}(), nil, []string{"S8"}},
		{"S9 no ACL", func() *index.Peer { p := peer("216-Acme", strong); p.Vars = p.Vars[:2]; return p }(), []string{"S9"}, nil},
		{"S9 satisfied by inherited deny", func() *index.Peer {
			p := peer("217-Acme", strong)
			p.Vars = append(p.Vars[:2], v("deny", "0.0.0.0/0", 4, true))
			return p
		}(), nil, []string{"S9"}},
	}
	a := New()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := rulesOf(a.Run(snapshot(nil, c.peer)), c.peer.Name)
			for _, r := range c.want {
				if !got[r] {
					t.Errorf("%s should fire, got %v", r, got)
				}
			}
			for _, r := range c.not {
				if got[r] {
					t.Errorf("%s should not fire, got %v", r, got)
				}
			}
		})
	}
}

func TestDuplicateSecrets(t *testing.T) {
	a := peer("201-Acme", strong)
	b := peer("202-Acme", strong)
	c := peer("401-Globex", strong)
	c.TenantID = "2"
	d := peer("203-Acme", strong+"x")
	fs := New().Run(snapshot(nil, a, b, c, d))
	for _, p := range []string{"201-Acme", "202-Acme", "401-Globex"} {
		if !rulesOf(fs, p)["S7"] {
			t.Errorf("S7 missing for %s", p)
		}
	}
	if rulesOf(fs, "203-Acme")["S7"] {
		t.Error("S7 on a unique secret")
	}
	for _, f := range fs {
		if f.Peer == "401-Globex" && f.Rule == "S7" && !strings.Contains(f.Detail, "across tenants") {
			t.Errorf("cross-tenant reuse not said: %q", f.Detail)
		}
	}
}

func TestGeneralRules(t *testing.T) {
	sec := func(vars ...parser.Var) *parser.Section { return &parser.Section{Name: "general", Vars: vars} }
	cases := []struct {
		name    string
		general *parser.Section
		g1, g2  bool
	}{
		{"defaults: allowguest yes, alwaysauthreject yes", sec(), true, false},
		{"hardened", sec(v("allowguest", "no", 2, false), v("alwaysauthreject", "yes", 3, false)), false, false},
		{"open", sec(v("allowguest", "yes", 2, false), v("alwaysauthreject", "no", 3, false)), true, true},
		{"last value wins", sec(v("allowguest", "yes", 2, false), v("allowguest", "no", 4, false)), false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := rulesOf(New().Run(snapshot(c.general)), "")
			if got["G1"] != c.g1 || got["G2"] != c.g2 {
				t.Errorf("G1=%v G2=%v, want %v %v", got["G1"], got["G2"], c.g1, c.g2)
			}
		})
	}
}

func TestG3OutsideDialling(t *testing.T) {
	src := "[phones]\ninclude => out\nexten => 100,1,Dial(SIP/100-Acme)\n[out]\nexten => _9X.,1,Dial(SIP/trunk/${EXTEN:1})\n" +
		"[safe]\nexten => _9X.,1,Authenticate(1234)\n same => n,Dial(SIP/trunk/${EXTEN:1})\n"
	dp := parser.BuildDialplan(parser.Parse("extensions.conf", []byte(src), parser.Options{Root: t.TempDir()}))
	open := peer("201-Acme", strong)
	open.Context = "phones"
	safe := peer("202-Acme", strong)
	safe.Context = "safe"
	s := snapshot(nil, open, safe)
	s.Dialplan = dp
	fs := New().Run(s)
	if !rulesOf(fs, "201-Acme")["G3"] {
		t.Error("G3 missing for a phone whose context includes an outbound trunk Dial")
	}
	if rulesOf(fs, "202-Acme")["G3"] {
		t.Error("G3 reported although Authenticate() comes first")
	}
}

// TestFixtures: the demo shows every rule at least once, and no finding
// (text or JSON) contains any secret of the fixtures, not even a part.
func TestFixtures(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	snap, err := index.Load(filepath.Join(filepath.Dir(file), "..", "fixtures", "astapi.ini"))
	if err != nil {
		t.Fatal(err)
	}
	fs := New().Run(snap)
	seen := map[string]bool{}
	for _, f := range fs {
		seen[f.Rule] = true
	}
	for _, r := range Rules {
		if !seen[r.ID] {
			t.Errorf("no finding of %s on the fixtures", r.ID)
		}
	}
	// The reasons are fixed texts of Rules; everything else is derived
	// from the configuration and is what could leak.
	derived := make([]Finding, len(fs))
	for i, f := range fs {
		f.Reason = ""
		derived[i] = f
	}
	out, _ := json.Marshal(derived)
	var secrets []string
	for _, e := range snap.Extensions {
		for _, p := range e.Peers {
			secrets = append(secrets, p.Secret)
		}
	}
	for _, p := range snap.Trunks {
		secrets = append(secrets, p.Secret)
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		// The whole secret, and every 8-byte window of a longer one.
		windows := []string{s}
		for i := 0; i+8 <= len(s); i++ {
			windows = append(windows, s[i:i+8])
		}
		for _, w := range windows {
			if strings.Contains(string(out), w) {
				t.Fatalf("a finding contains (part of) a secret: %q", w)
			}
		}
	}
}

func TestFilter(t *testing.T) {
	fs := []Finding{{Rule: "S2", Severity: Warning, TenantID: "1"}, {Rule: "S3", Severity: Error, TenantID: "2"}, {Rule: "G1", Severity: Warning}}
	if got := Filter(fs, map[string]bool{"1": true}, Warning); len(got) != 2 {
		t.Errorf("tenant 1 sees %d findings, want 2 (its own + global)", len(got))
	}
	if got := Filter(fs, nil, Error); len(got) != 1 || got[0].Rule != "S3" {
		t.Errorf("error threshold: %v", got)
	}
}

func TestFilterUnownedPeer(t *testing.T) {
	fs := []Finding{{Rule: "S9", Severity: Warning, Peer: "trunk-x"}, {Rule: "G1", Severity: Warning}}
	if got := Filter(fs, map[string]bool{"1": true}, Warning); len(got) != 1 || got[0].Rule != "G1" {
		t.Errorf("a tenant filter keeps %v, want the global finding only", got)
	}
	if got := Filter(fs, nil, Warning); len(got) != 2 {
		t.Errorf("no tenant filter keeps %v, want both", got)
	}
}

// TestForViewer: a reader who sees only some tenants gets their findings,
// the global ones, and S7 only about the sharing peers it may see.
func TestForViewer(t *testing.T) {
	a := peer("201-Acme", strong)
	b := peer("202-Acme", strong)
	c := peer("401-Globex", strong)
	c.TenantID = "2"
	d := peer("203-Acme", strong+"y")
	e := peer("402-Globex", strong+"y")
	e.TenantID = "2"
	fs := New().Run(snapshot(&parser.Section{Name: "general"}, a, b, c, d, e))
	acmeOnly := func(id string) bool { return id == "1" }
	got := map[string]string{} // peer/rule -> detail
	for _, f := range fs {
		if g, ok := f.ForViewer(acmeOnly); ok {
			got[g.Peer+"/"+g.Rule] = g.Detail
		}
	}
	want := map[string]string{
		"201-Acme/S7": "also used by 202-Acme",
		"202-Acme/S7": "also used by 201-Acme",
		"/G1":         "allowguest is unset (default yes)",
	}
	for k, w := range want {
		if d, ok := got[k]; !ok || d != w {
			t.Errorf("%s: got %q (present %v), want %q", k, d, ok, w)
		}
	}
	for k := range got {
		if strings.Contains(k, "Globex") {
			t.Errorf("Acme's reader sees %s", k)
		}
		if strings.Contains(got[k], "Globex") {
			t.Errorf("Acme's reader is told about a Globex peer: %s %q", k, got[k])
		}
	}
	// 203-Acme shares its secret with a Globex peer only: dropped for Acme.
	if _, ok := got["203-Acme/S7"]; ok {
		t.Error("S7 about a secret shared only with another tenant is shown to a tenant reader")
	}
	// Everything, unchanged, for an admin.
	for _, f := range fs {
		g, ok := f.ForViewer(nil)
		if !ok || g.Detail != f.Detail {
			t.Errorf("admin view of %+v: %+v %v", f, g, ok)
		}
		if f.Peer == "203-Acme" && f.Rule == "S7" && !strings.Contains(f.Detail, "402-Globex (across tenants)") {
			t.Errorf("admin detail %q", f.Detail)
		}
	}
	// A peer of no tenant: admins only.
	if _, ok := (Finding{Rule: "S9", Peer: "trunk-x"}).ForViewer(acmeOnly); ok {
		t.Error("a finding about a peer of no tenant is shown to a tenant reader")
	}
}

// TestLargeTenantAuditsFast: one tenant of 3000 phones sharing a context.
// G3 walks that context once, not once per phone (which was quadratic: two
// minutes for 10k phones).
func TestLargeTenantAuditsFast(t *testing.T) {
	ini, err := pbxgen.Write(t.TempDir(), pbxgen.Spec{Tenants: 1, PeersPerTenant: 3000, DialplanPerPeer: 5})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := index.Load(ini)
	if err != nil {
		t.Fatal(err)
	}
	r := &run{a: New(), s: snap}
	contexts := map[string]bool{}
	for _, e := range snap.Extensions {
		for _, p := range e.Peers {
			r.dialsOutUnauthenticated(p.Context)
			contexts[p.Context] = true
		}
	}
	if len(r.dialsOut) != len(contexts) || len(contexts) > 10 {
		t.Errorf("%d memoised walks for %d peer contexts", len(r.dialsOut), len(contexts))
	}
	start := time.Now()
	if fs := New().Run(snap); len(fs) == 0 {
		t.Error("no findings on a generated PBX")
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("audit of 3000 phones took %v", d)
	}
}
