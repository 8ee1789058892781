package api

import (
	"bytes"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/internal/demofixtures"
	"github.com/astapi/astapi/parser"
)

// syncBuffer is a bytes.Buffer safe for concurrent log writes (the
// tests' log and access-log sinks).
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// minLeakLen: shorter secrets (voicemail PINs like 5512) are not looked
// for, since four digits turn up by chance in IDs and hex ETags.
const minLeakLen = 6

// secretLine finds the values of secret-bearing keys in a .conf file:
// sip.conf/users.conf secret, md5secret, remotesecret, vmsecret, pjsip
// password and md5_cred.
var secretLine = regexp.MustCompile(`(?im)^[ \t]*(secret|md5secret|remotesecret|vmsecret|password|md5_cred)[ \t]*=>?[ \t]*([^;\s]+)`)

// registerLine finds the password of a sip.conf register => user:password@host.
var registerLine = regexp.MustCompile(`(?im)^[ \t]*register[ \t]*=>[ \t]*[^:;\s]+:([^@;\s]+)@`)

// fixtureSecrets gathers every secret of the fixtures: from the raw files
// (whatever the index keeps of them), from every peer of the snapshot
// (the values /extension/user returns to permitted users, and the
// variables the peers were built from), and the demo API passwords and
// their bcrypt hashes.
func fixtureSecrets(t *testing.T, snap *index.Snapshot) []string {
	t.Helper()
	set := map[string]bool{}
	add := func(s string) {
		if s = strings.TrimSpace(s); len(s) >= minLeakLen {
			set[s] = true
		}
	}
	files, _ := filepath.Glob("../fixtures/asterisk/*.conf")
	files = append(files, "../fixtures/astapi.ini")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range secretLine.FindAllStringSubmatch(string(b), -1) {
			add(m[2])
		}
		for _, m := range registerLine.FindAllStringSubmatch(string(b), -1) {
			add(m[1])
		}
	}
	for _, p := range append(peersOf(snap), snap.Trunks...) {
		add(p.Secret)
		for _, v := range p.Vars {
			switch strings.ToLower(v.Name) {
			case "secret", "md5secret", "remotesecret", "password", "md5_cred":
				add(v.Value)
			}
		}
	}
	for _, u := range snap.Users {
		add(u.Name + "-demo")
		add(string(u.PasswordHash))
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// TestNoSecretLeaks runs every endpoint as every role on the fixtures
// (every tenant, extension and e-mail as parameter), plus /status,
// /metrics, /audit/secrets, the operational endpoints, routing errors,
// rate limiting and a failed reload whose diagnostic quotes a secret, and
// checks that no response body or header, no line of the server's log and
// no metric holds any secret of the fixtures.
//
// The one deliberate exception is what the specification wants: the 200
// answers of /extension/user to users with `secrets = yes` (the fixtures'
// auditor; their admin has secrets = no). Those must hold the peers'
// secrets, which also shows that the list searched for is the right one.
func TestNoSecretLeaks(t *testing.T) {
	fail := false
	var failMsg string
	ini := demofixtures.Copy(t, "../fixtures") // cheap hashes: many wrong passwords are sent
	st := index.NewStore(func() (*index.Snapshot, error) {
		if fail {
			return nil, &index.LoadError{Diags: parser.Diagnostics{{
				Pos: parser.Pos{File: "sip.conf", Line: 96}, Severity: parser.Error, Message: failMsg,
			}}}
		}
		return index.Load(ini)
	})
	if res := st.Reload(); !res.Success {
		t.Fatal(res.Err)
	}
	snap := st.Current()
	secrets := fixtureSecrets(t, snap)
	if len(secrets) < 10 {
		t.Fatalf("only %d secrets found in the fixtures: %v", len(secrets), secrets)
	}
	codes := codeFinders(fixtureCodes(t, snap)) // PINs, passcodes: nosecrets_codes_test.go
	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := New(st, Options{Logger: logger, AccessLog: &logs, LoginFailureLimit: -1})

	var (
		admin   = caller{"admin", "admin", "admin-demo"}
		acme    = caller{"acme", "acme", "acme-demo"}
		globex  = caller{"globex", "globex", "globex-demo"}
		auditor = caller{"auditor", "auditor", "auditor-demo"}
		wrong   = caller{"wrong", "auditor", "not-auditor-demo"}
		unknown = caller{"unknown", "nobody", "acme-demo"}
		noauth  = caller{"noauth", "", ""}
	)
	full := []caller{admin, acme, globex, auditor}
	tenantIDs := []string{"999"}
	for _, ten := range snap.Tenants {
		tenantIDs = append(tenantIDs, ten.ID)
	}
	var reqs []req
	reqs = append(reqs, req{method: "GET", path: "/user/login"}, req{method: "GET", path: "/user/get"})
	for _, u := range snap.Users {
		reqs = append(reqs, form("/user/tenants", "user", u.Email))
	}
	reqs = append(reqs, req{method: "GET", path: "/audit/secrets"})
	for _, id := range tenantIDs {
		reqs = append(reqs,
			form("/destination/all", "tenant_id", id),
			form("/extension/bytenant", "tenant_id", id),
			req{method: "GET", path: "/audit/secrets", enc: "query", params: [][2]string{{"tenant_id", id}}})
	}
	for _, e := range snap.Extensions {
		reqs = append(reqs, form("/extension/byid", "extension_id", e.ID))
		for _, id := range tenantIDs {
			reqs = append(reqs, form("/extension/user", "tenant_id", id, "extension_id", e.ID))
		}
	}
	reqs = append(reqs, readAPIRequests(snap, tenantIDs)...)
	reqs = append(reqs,
		req{method: "GET", path: "/status"}, req{method: "GET", path: "/metrics"},
		req{method: "GET", path: "/healthz"}, req{method: "GET", path: "/readyz"},
		req{method: "GET", path: "/nope"}, req{method: "GET", path: "/extension/user"},
		form("/extension/user", "tenant_id", "x"), req{method: "POST", path: "/extension/bytenant", enc: "raw", ctype: "text/plain", body: "x"},
	)

	allowed := 0
	check := func(what string, c caller, r req, w *http.Response, body string) {
		t.Helper()
		permitted := (r.path == "/extension/user" || r.path == "/extension/usersecret") && w.StatusCode == http.StatusOK && c == auditor
		var hdr, hdrNoTag strings.Builder
		for k, vs := range w.Header {
			hdr.WriteString(k + ": " + strings.Join(vs, ",") + "\n")
			if k != "Etag" { // hex: four digits in a row by chance
				hdrNoTag.WriteString(k + ": " + strings.Join(vs, ",") + "\n")
			}
		}
		// No answer, permitted ones included, holds a PIN or passcode.
		if holdsCode(codes, body) || holdsCode(codes, hdrNoTag.String()) {
			t.Errorf("%s: answer %d holds a PIN or passcode", what, w.StatusCode)
		}
		if permitted {
			allowed++
			if body == `{"status":"success","data":[]}` {
				return
			}
			found := false
			for _, sec := range secrets {
				found = found || strings.Contains(body, sec)
			}
			if !found && !strings.Contains(body, `"secret":""`) && body != `{"status":"success","data":""}` {
				t.Errorf("%s: the permitted answer holds none of the secrets searched for: %s", what, body)
			}
			return
		}
		for _, sec := range secrets {
			if strings.Contains(body, sec) || strings.Contains(hdr.String(), sec) {
				t.Errorf("%s: answer %d holds a secret (%d bytes long)", what, w.StatusCode, len(sec))
			}
		}
	}
	run := func(c caller, r req) {
		t.Helper()
		for range 2 { // the second comes from the response cache
			w := do(s, r.build(c))
			check(r.method+" "+r.path+" "+string(paramsOf(r))+" as "+c.name, c, r, w.Result(), w.Body.String())
		}
	}
	for _, c := range full {
		for _, r := range reqs {
			run(c, r)
		}
	}
	// Failed logins pay bcrypt each time (and answer alike on a second
	// try): one request per route.
	seen := map[string]bool{}
	for _, r := range reqs {
		if seen[r.path] {
			continue
		}
		seen[r.path] = true
		for _, c := range []caller{wrong, unknown, noauth} {
			w := do(s, r.build(c))
			check(r.method+" "+r.path+" as "+c.name, c, r, w.Result(), w.Body.String())
		}
	}
	if allowed == 0 {
		t.Error("no /extension/user answer for the auditor was checked")
	}

	// Rate limiting, with another server on the same store and logger.
	limited := New(st, Options{Logger: logger, AccessLog: &logs, LoginFailureLimit: 1})
	do(limited, req{method: "GET", path: "/user/login"}.build(wrong))
	for _, r := range []req{{method: "GET", path: "/status"}, form("/extension/user", "tenant_id", "80", "extension_id", snap.Extensions[0].ID)} {
		w := do(limited, r.build(auditor))
		if w.Code != http.StatusTooManyRequests {
			t.Errorf("%s: %d, want 429", r.path, w.Code)
		}
		check(r.path+" rate limited", auditor, r, w.Result(), w.Body.String())
	}

	// A failed reload whose diagnostic quotes a secret: /status masks it,
	// /metrics never had it.
	// Every SIP secret is quoted with its key (masked by pattern); those
	// the snapshot holds also bare (masked by value). A secret the
	// snapshot does not hold (trunk-initech's outbound_auth password)
	// cannot be masked when a message quotes it bare.
	fail = true
	known := map[string]bool{}
	for _, p := range append(append([]*index.Peer(nil), snap.Trunks...), peersOf(snap)...) {
		known[p.Secret] = true
	}
	for _, sec := range secrets {
		if strings.HasPrefix(sec, "$2") || strings.HasSuffix(sec, "-demo") {
			continue
		}
		failMsg += "near secret=" + sec + "; no '=' in line: \"password " + sec + "\" ignored; register => u:" + sec + "@host; "
		if known[sec] {
			failMsg += "Foo(" + sec + "); "
		}
	}
	if res := st.Reload(); res.Success {
		t.Fatal("the failing reload succeeded")
	}
	for _, r := range []req{{method: "GET", path: "/status"}, {method: "GET", path: "/metrics"}, {method: "GET", path: "/audit/secrets"}} {
		for _, c := range []caller{admin, auditor, noauth} {
			w := do(s, r.build(c))
			check(r.path+" after a failed reload as "+c.name, c, r, w.Result(), w.Body.String())
		}
	}
	w := do(s, req{method: "GET", path: "/status"}.build(admin))
	if !strings.Contains(w.Body.String(), mask) {
		t.Errorf("/status after the failed reload masks nothing: %s", w.Body)
	}

	// The metrics, scraped with and without credentials.
	withAuth := New(st, Options{Logger: logger, AccessLog: &logs, MetricsRequireAuth: true})
	for _, h := range []http.Handler{s, withAuth} {
		w := do(h, req{method: "GET", path: "/metrics"}.build(admin))
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), mSecretFindings) {
			t.Fatalf("/metrics: %d", w.Code)
		}
		check("/metrics", admin, req{path: "/metrics"}, w.Result(), w.Body.String())
	}

	// The log: one line per request at least, and no secret.
	for _, srv := range []*Server{s, limited, withAuth} {
		srv.Close() // the access log lines still buffered
	}
	out := logs.String()
	if strings.Count(out, "\n") < len(reqs) {
		t.Errorf("only %d log lines", strings.Count(out, "\n"))
	}
	for _, sec := range secrets {
		if strings.Contains(out, sec) {
			t.Errorf("the log holds a secret (%d bytes long)", len(sec))
		}
	}
	if holdsCode(codes, out) {
		t.Errorf("the log holds a PIN or passcode")
	}
}

func peersOf(snap *index.Snapshot) []*index.Peer {
	var out []*index.Peer
	for _, e := range snap.Extensions {
		out = append(out, e.Peers...)
	}
	return out
}

func paramsOf(r req) []byte {
	var b []byte
	for _, p := range r.params {
		b = append(b, p[0]+"="+p[1]+" "...)
	}
	return b
}

func TestMaskAssignments(t *testing.T) {
	for in, want := range map[string]string{
		`include cycle near secret=hunter22`:            `include cycle near secret=` + mask,
		`md5secret => 0123abcd, next`:                   `md5secret => ` + mask,
		`no '=' in line: "password hunter22" ignored`:   `no '=' in line: "password ` + mask,
		`bad register => acme:hunter22@sip.example/100`: `bad register => acme:` + mask + `@sip.example/100`,
		`Password=x;y`: `Password=` + mask,
		// Quoted, escaped or blank-holding values: the rest of the line goes.
		`variable "secret=\"a b\"" ignored`:                      `variable "secret=` + mask,
		`secret = 'hunter 22'`:                                   `secret = ` + mask,
		`secret = hunter 22` + "\nnext line":                     `secret = ` + mask + "\nnext line",
		`sip.conf [201-Acme] has no type=: Asterisk skips it`:    `sip.conf [201-Acme] has no type=: Asterisk skips it`,
		`secret shorter than 12 characters`:                      `secret shorter than 12 characters`,
		`context "acme-internal" already includes "acme-secret"`: `context "acme-internal" already includes "acme-secret"`,
	} {
		if got := maskAssignments(in); got != want {
			t.Errorf("maskAssignments(%q) = %q, want %q", in, got, want)
		}
	}
}
