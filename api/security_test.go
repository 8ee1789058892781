package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/astapi/astapi/index"
)

// getAs sends GET path to srv as user:password from the client address
// xff (the test server trusts the loopback proxy).
func getAs(t *testing.T, client *http.Client, srv *httptest.Server, path, user, password, xff string) int {
	t.Helper()
	r, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.SetBasicAuth(user, password)
	r.Header.Set("X-Forwarded-For", xff)
	resp, err := client.Do(r)
	if err != nil {
		t.Errorf("GET %s: %v", path, err)
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestLoginLimitUnderConcurrency: 200 simultaneous wrong logins from one
// address, over real connections, run at most the limit's worth of bcrypt
// (401) and get 429 for the rest, and a real user's first login from
// elsewhere is not queued behind them.
func TestLoginLimitUnderConcurrency(t *testing.T) {
	const cost = 8
	hash, err := bcrypt.GenerateFromPassword([]byte("admin-pw"), cost)
	if err != nil {
		t.Fatal(err)
	}
	snap := testSnapshot()
	snap.UserByName("admin").PasswordHash = hash
	st := loadedStore(t, func() *index.Snapshot { return snap })
	// A long BcryptWait: under -race on a busy machine one bcrypt takes
	// seconds, and this test is about counts, not the 503 of a full queue.
	s := New(st, Options{LoginFailureLimit: 10, TrustedProxies: []string{"127.0.0.1"}, BcryptWait: 5 * time.Minute})
	srv := httptest.NewServer(s)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: time.Minute}

	one := time.Now()
	_ = bcrypt.CompareHashAndPassword(hash, []byte("x"))
	bcryptTime := time.Since(one)

	const n = 200
	codes := make(chan int, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Go(func() {
			start.Wait()
			codes <- getAs(t, client, srv, "/user/login", "admin", fmt.Sprintf("guess-%d", i), "203.0.113.5")
		})
	}
	start.Done()
	time.Sleep(20 * time.Millisecond) // the guesses are under way
	t0 := time.Now()
	real := getAs(t, client, srv, "/user/login", "admin", "admin-pw", "198.51.100.9")
	realTime := time.Since(t0)
	done.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	if count[http.StatusUnauthorized] > 10 || count[http.StatusTooManyRequests] != n-count[http.StatusUnauthorized] {
		t.Errorf("200 parallel wrong logins: %v, want at most 10 × 401 and the rest 429", count)
	}
	if real != http.StatusOK {
		t.Errorf("real user's login: %d", real)
	}
	// At most the attacker's 10 checks run before it, two at a time or
	// more; without the limit it queues behind ~200 (about 100 bcrypt
	// times on two cores).
	if limit := 40*bcryptTime + 2*time.Second; realTime > limit {
		t.Errorf("real user's login took %v (one bcrypt: %v), want under %v", realTime, bcryptTime, limit)
	}
	t.Logf("one bcrypt %v; real user's login during the attack %v; %v", bcryptTime, realTime, count)
}

// TestBcryptSlotsBounded: with every bcrypt slot taken, a password check
// waits BcryptWait and gets 503 (the try is not counted against the
// client).
func TestBcryptSlotsBounded(t *testing.T) {
	st := loadedStore(t, testSnapshot)
	s := New(st, Options{BcryptSlots: 1, BcryptWait: 50 * time.Millisecond, LoginFailureLimit: 1})
	s.auth.slots <- struct{}{} // the only slot is busy
	login := req{method: "GET", path: "/user/login", remote: "198.51.100.7:1"}
	for range 3 {
		if w := do(s, login.build(cWrongPW)); w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
			t.Fatalf("no slot: %d %s", w.Code, w.Body)
		}
	}
	<-s.auth.slots
	if w := do(s, login.build(cAdmin)); w.Code != http.StatusOK {
		t.Errorf("slot free again: %d %s", w.Code, w.Body)
	}
}

// TestDummyHashHighestCost: an unknown user is checked against a hash of
// the highest cost among users, not the first user's.
func TestDummyHashHighestCost(t *testing.T) {
	snap := testSnapshot()
	h, err := bcrypt.GenerateFromPassword([]byte("x"), bcrypt.MinCost+2)
	if err != nil {
		t.Fatal(err)
	}
	snap.Users[len(snap.Users)-1].PasswordHash = h // not the first user
	if c := costOf(snap); c != bcrypt.MinCost+2 {
		t.Errorf("dummy cost %d, want %d", c, bcrypt.MinCost+2)
	}
}

// TestTwoAuthorizationHeaders: a request with two Authorization headers
// is refused rather than judged on the first.
func TestTwoAuthorizationHeaders(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	r := req{method: "GET", path: "/user/login"}.build(cAdmin)
	r.Header.Add("Authorization", "Basic Z2xvYmV4Omdsb2JleC1wdw==")
	if w := do(s, r); w.Code != http.StatusBadRequest {
		t.Errorf("two Authorization headers: %d %s", w.Code, w.Body)
	}
}

// TestSecretAnswersNoStore: answers that carry secrets may not be kept by
// any cache; others stay revalidatable.
func TestSecretAnswersNoStore(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	for _, r := range []struct {
		req  req
		want string
	}{
		{req{method: "POST", path: "/extension/user", enc: "query", params: [][2]string{{"tenant_id", idAcme}, {"extension_id", "1001"}}}, "no-store"},
		{req{method: "GET", path: "/audit/secrets"}, "no-store"},
		{req{method: "GET", path: "/user/login"}, "private, no-cache"},
	} {
		w := do(s, r.req.build(cRoot))
		if w.Code != http.StatusOK || w.Header().Get("Cache-Control") != r.want {
			t.Errorf("%s: %d Cache-Control %q, want %q", r.req.path, w.Code, w.Header().Get("Cache-Control"), r.want)
		}
	}
}

// TestCanonicalPathsAndHead: over a real connection, escaped spellings
// of a route are not served, and HEAD answers like GET without a body.
func TestCanonicalPathsAndHead(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	srv := httptest.NewServer(s)
	defer srv.Close()
	send := func(method, rawPath string) (*http.Response, string) {
		t.Helper()
		r, err := http.NewRequest(method, srv.URL+"/", nil)
		if err != nil {
			t.Fatal(err)
		}
		r.URL.Opaque = rawPath // sent as written
		r.SetBasicAuth("root", "root-pw")
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		_, _ = io.Copy(&b, resp.Body)
		return resp, b.String()
	}
	for _, p := range []string{"/audit%2Fsecrets", "/%6detrics", "/%61udit/secrets", "/user/log%69n"} {
		if resp, body := send("GET", p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d %.80s", p, resp.StatusCode, body)
		}
	}
	for _, p := range []string{"/status", "/user/login", "/healthz", "/metrics"} {
		get, gbody := send("GET", p)
		head, hbody := send("HEAD", p)
		if head.StatusCode != get.StatusCode || hbody != "" || head.Header.Get("Content-Type") != get.Header.Get("Content-Type") {
			t.Errorf("HEAD %s: %d body %q; GET: %d", p, head.StatusCode, hbody, get.StatusCode)
		}
		_ = gbody
	}
}

// TestContentEncodingRefused: a compressed request body is 415, not a
// 400 about its (unreadable) content.
func TestContentEncodingRefused(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	r := req{method: "POST", path: "/extension/bytenant", enc: "form", params: [][2]string{{"tenant_id", idAcme}}}.build(cRoot)
	r.Header.Set("Content-Encoding", "gzip")
	if w := do(s, r); w.Code != http.StatusUnsupportedMediaType {
		t.Errorf("Content-Encoding: gzip: %d %s", w.Code, w.Body)
	}
}

// TestStatusTenantView: over a real load, a tenant user's /status holds
// the diagnostics of their own contexts and peers only, and no message
// quotes a line or names a host directory.
func TestStatusTenantView(t *testing.T) {
	dir := t.TempDir()
	ast := filepath.Join(dir, "asterisk")
	if err := os.MkdirAll(ast, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"sip.conf": "[general]\ncontext=default\n\n[201-acme]\ntype=friend\nhost=dynamic\nsecret=AcmePeerPw1\ncontext=acme-internal\n\n" +
			"[401-globex]\ntype=friend\nhost=dynamic\nsecret=GlobexPeerPw\ncontext=globex-internal\nsecret:GlobexColonPw\n",
		"extensions.conf": "[acme-internal]\nexten => 201,1,Dial(SIP/201-acme)\nexten => 202,1,Dial(SIP/nobody-acme)\n\n" +
			"[globex-internal]\nexten => 401,1,Dial(SIP/401-globex)\nexten => 402,1,Authenticate(4321\nregister user:GlobexRegPw@host\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(ast, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ini := filepath.Join(dir, "astapi.ini")
	iniBody := "[server]\nasterisk_dir = asterisk\n\n[tenant acme]\ncode = acme\ncontexts = acme-*\n\n[tenant globex]\ncode = globex\ncontexts = globex-*\n\n" +
		"[user admin]\nrole = admin\npassword = " + string(passwordHash("admin")) + "\n\n" +
		"[user acme]\nrole = tenant\ntenants = acme\npassword = " + string(passwordHash("acme")) + "\n"
	if err := os.WriteFile(ini, []byte(iniBody), 0o644); err != nil {
		t.Fatal(err)
	}
	st := index.NewStore(func() (*index.Snapshot, error) { return index.Load(ini) })
	if r := st.Reload(); !r.Success {
		t.Fatal(r.Err)
	}
	s := New(st, Options{})
	status := func(c caller) (statusData, string) {
		w := do(s, req{method: "GET", path: "/status"}.build(c))
		var d statusData
		if err := json.Unmarshal(decode(t, w).Data, &d); err != nil {
			t.Fatal(err)
		}
		return d, w.Body.String()
	}
	admin, adminBody := status(caller{"admin", "admin", "admin-pw"})
	acme, acmeBody := status(caller{"acme", "acme", "acme-pw"})
	for _, body := range []string{adminBody, acmeBody} {
		for _, leak := range []string{"4321", "GlobexColonPw", "GlobexRegPw", "AcmePeerPw1", "GlobexPeerPw", dir} {
			if strings.Contains(body, leak) {
				t.Errorf("/status holds %q: %s", leak, body)
			}
		}
	}
	lines := func(d statusData) map[string]bool {
		m := map[string]bool{}
		for _, x := range d.Diagnostics {
			m[fmt.Sprintf("%s:%d", x.File, x.Line)] = true
		}
		return m
	}
	if a := lines(admin); !a["extensions.conf:3"] || !a["extensions.conf:7"] || !a["sip.conf:15"] {
		t.Errorf("admin's diagnostics %v", admin.Diagnostics)
	}
	if a := lines(acme); !a["extensions.conf:3"] || a["extensions.conf:7"] || a["extensions.conf:8"] || a["sip.conf:15"] || len(a) != 1 {
		t.Errorf("acme's diagnostics %v", acme.Diagnostics)
	}
	if slices.Contains(acme.Files, "astapi.ini") {
		t.Errorf("acme's files %v", acme.Files)
	}
}

// TestMetricsS7PerTenantView: astapi_secret_findings counts, per tenant,
// only the findings that tenant's own /audit/secrets shows: 402-Globex
// shares its secret with Acme peers only, so Globex has no S7 series (it
// would tell whoever sets Globex's secrets that one matches Acme's).
func TestMetricsS7PerTenantView(t *testing.T) {
	s, _ := newAuditServer(t, Options{})
	body := do(s, req{method: "GET", path: "/metrics"}.build(cNoAuth)).Body.String()
	s7 := map[string]bool{}
	for line := range strings.Lines(body) {
		if strings.HasPrefix(line, "astapi_secret_findings{") && strings.Contains(line, `rule="S7"`) {
			for _, name := range []string{"Acme", "Globex"} {
				if strings.Contains(line, `tenant="`+name) && !strings.HasSuffix(strings.TrimSpace(line), " 0") {
					s7[name] = true
				}
			}
		}
	}
	if !s7["Acme"] || s7["Globex"] {
		t.Errorf("S7 series by tenant %v, want Acme's only:\n%s", s7, body)
	}
}

// TestStatusShowsStuckReload: a build stuck past reload_timeout fails
// the reload in /status (and the reload metric) and shows as reloading.
func TestStatusShowsStuckReload(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	calls := 0
	st := index.NewStore(func() (*index.Snapshot, error) {
		calls++
		if calls == 2 {
			<-block
		}
		snap := testSnapshot()
		snap.Server.Limits.ReloadTimeout = 50 * time.Millisecond
		return snap, nil
	})
	s := New(st, Options{})
	if r := st.Reload(); !r.Success {
		t.Fatal(r.Err)
	}
	if r := st.Reload(); r.Success {
		t.Fatal("a stuck build succeeded")
	}
	time.Sleep(60 * time.Millisecond)
	w := do(s, req{method: "GET", path: "/status"}.build(cAdmin))
	var d statusData
	if err := json.Unmarshal(decode(t, w).Data, &d); err != nil {
		t.Fatal(err)
	}
	if d.LastReload == nil || d.LastReload.Success || !strings.Contains(d.LastReload.Error, "reload_timeout") || d.Reloading == nil || !d.Reloading.PastTimeout {
		t.Errorf("status during a stuck reload: %s", w.Body)
	}
	m := do(s, req{method: "GET", path: "/metrics"}.build(cNoAuth)).Body.String()
	if !strings.Contains(m, "astapi_config_last_reload_successful 0") {
		t.Errorf("metrics during a stuck reload:\n%s", m)
	}
}
