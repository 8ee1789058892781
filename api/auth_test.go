package api

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/crypto/bcrypt"

	"github.com/astapi/astapi/index"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestRateLimit: after LoginFailureLimit failures a client gets 429 with
// Retry-After, correct credentials included, until the window ends; other
// clients are not affected.
func TestRateLimit(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	s, _ := newTestServer(t, Options{LoginFailureLimit: 3, LoginFailureWindow: time.Minute, Now: clock.Now})
	login := req{method: "GET", path: "/user/login", remote: "198.51.100.7:4000"}
	for i := 0; i < 3; i++ {
		if w := do(s, login.build(cWrongPW)); w.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, w.Code)
		}
		clock.Add(time.Second)
	}
	// Missing credentials do not count, but are refused while blocked.
	for _, c := range []caller{cWrongPW, cAdmin, cNoAuth, {"unknown", "nobody", "x"}} {
		w := do(s, login.build(c))
		if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "57" {
			t.Errorf("%s while blocked: %d Retry-After %q", c.name, w.Code, w.Header().Get("Retry-After"))
		}
		if m := decode(t, w).Message; !strings.Contains(m, "too many failed logins") {
			t.Errorf("message %q", m)
		}
	}
	// /status is limited too.
	if w := do(s, req{method: "GET", path: "/status", remote: login.remote}.build(cAdmin)); w.Code != http.StatusTooManyRequests {
		t.Errorf("/status while blocked: %d", w.Code)
	}
	// Another client, and an IPv6 client, are fine.
	if w := do(s, req{method: "GET", path: "/user/login", remote: "198.51.100.8:4000"}.build(cAdmin)); w.Code != http.StatusOK {
		t.Errorf("other client: %d", w.Code)
	}
	clock.Add(57 * time.Second)
	if w := do(s, login.build(cAdmin)); w.Code != http.StatusOK {
		t.Errorf("after the window: %d %s", w.Code, w.Body)
	}

	// IPv6 clients are counted per /64.
	for i := 0; i < 3; i++ {
		do(s, req{method: "GET", path: "/user/login", remote: "[2001:db8:1:2::" + string(rune('a'+i)) + "]:1"}.build(cWrongPW))
	}
	if w := do(s, req{method: "GET", path: "/user/login", remote: "[2001:db8:1:2::ffff]:1"}.build(cAdmin)); w.Code != http.StatusTooManyRequests {
		t.Errorf("same /64: %d", w.Code)
	}
	if w := do(s, req{method: "GET", path: "/user/login", remote: "[2001:db8:1:3::1]:1"}.build(cAdmin)); w.Code != http.StatusOK {
		t.Errorf("other /64: %d", w.Code)
	}
}

// TestRateLimitProxy: X-Forwarded-For is believed only from a trusted
// proxy.
func TestRateLimitProxy(t *testing.T) {
	s, _ := newTestServer(t, Options{LoginFailureLimit: 1, TrustedProxies: []string{"10.0.0.1"}})
	via := func(remote, xff string, c caller) int {
		r := req{method: "GET", path: "/user/login", remote: remote, header: map[string]string{"X-Forwarded-For": xff}}
		return do(s, r.build(c)).Code
	}
	via("10.0.0.1:1", "203.0.113.5", cWrongPW)
	if code := via("10.0.0.1:1", "203.0.113.5", cAdmin); code != http.StatusTooManyRequests {
		t.Errorf("blocked client behind the proxy: %d", code)
	}
	if code := via("10.0.0.1:1", "203.0.113.6", cAdmin); code != http.StatusOK {
		t.Errorf("other client behind the proxy: %d", code)
	}
	// An untrusted peer cannot pick its identity.
	via("192.0.2.50:1", "203.0.113.77", cWrongPW)
	if code := via("192.0.2.50:1", "203.0.113.78", cAdmin); code != http.StatusTooManyRequests {
		t.Errorf("spoofed X-Forwarded-For escaped the limit: %d", code)
	}
}

// TestNotLoaded: before a snapshot exists the seed's endpoints and /status
// answer 503; /healthz is 200 and /readyz 503. A failed first reload is
// the same.
func TestNotLoaded(t *testing.T) {
	for name, st := range map[string]*index.Store{
		"never loaded": index.NewStore(func() (*index.Snapshot, error) { return testSnapshot(), nil }),
		"failed load": func() *index.Store {
			st := index.NewStore(func() (*index.Snapshot, error) { return nil, errors.New("boom") })
			st.Reload()
			return st
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			s := New(st, Options{})
			for _, ec := range append(endpointCases, endpointCase{"status", req{method: "GET", path: "/status"}}) {
				for _, c := range []caller{cAdmin, cNoAuth} {
					w := do(s, ec.r.build(c))
					if w.Code != http.StatusServiceUnavailable || decode(t, w).Message != "no configuration loaded yet" || w.Header().Get("Retry-After") == "" {
						t.Errorf("%s as %s: %d %s", ec.slug, c.name, w.Code, w.Body)
					}
				}
			}
			if w := do(s, req{method: "GET", path: "/readyz"}.build(cNoAuth)); w.Code != http.StatusServiceUnavailable {
				t.Errorf("readyz: %d", w.Code)
			}
			if w := do(s, req{method: "GET", path: "/healthz"}.build(cNoAuth)); w.Code != http.StatusOK {
				t.Errorf("healthz: %d", w.Code)
			}
			st.Reload()
			if st.Current() != nil {
				if w := do(s, endpointCases[0].r.build(cAdmin)); w.Code != http.StatusOK {
					t.Errorf("after a load: %d", w.Code)
				}
			}
		})
	}
}

// TestAuthCache: a verified password is remembered per user and bcrypt
// hash; it survives a reload that keeps the hash, a new hash forgets it,
// and a wrong password is never accepted from the cache.
func TestAuthCache(t *testing.T) {
	pw := "admin-pw"
	fp := "fp-1"
	newHash, _ := bcrypt.GenerateFromPassword([]byte("new-pw"), bcrypt.MinCost)
	st := loadedStore(t, func() *index.Snapshot {
		s := testSnapshot()
		s.Fingerprint = fp
		if pw != "admin-pw" {
			h := newHash
			for _, u := range s.Users {
				if u.Name == "admin" {
					u.PasswordHash = h
				}
			}
		}
		return index.NewSnapshot(s)
	})
	s := New(st, Options{LoginFailureLimit: -1})
	login := req{method: "GET", path: "/user/login"}
	for i := 0; i < 3; i++ {
		if w := do(s, login.build(cAdmin)); w.Code != http.StatusOK {
			t.Fatalf("%d", w.Code)
		}
	}
	if n := s.auth.verified.Len(); n != 1 {
		t.Errorf("%d cache entries after 3 logins, want 1", n)
	}
	if u, ok := s.auth.cached(st.Current(), "admin", "admin-pw"); !ok || u == nil || u.Name != "admin" {
		t.Errorf("a verified password is not answered from the cache: %v, %v", u, ok)
	}
	if w := do(s, login.build(caller{"x", "admin", "admin-pwX"})); w.Code != http.StatusUnauthorized {
		t.Errorf("wrong password after a cached success: %d", w.Code)
	}
	// Same user name, new password: the old one stops working at once.
	pw = "new-pw"
	st.Reload()
	if w := do(s, login.build(cAdmin)); w.Code != http.StatusUnauthorized {
		t.Errorf("old password after the change: %d", w.Code)
	}
	if w := do(s, login.build(caller{"x", "admin", "new-pw"})); w.Code != http.StatusOK {
		t.Errorf("new password: %d", w.Code)
	}
	// New fingerprint, same hash: the entry is reused (reloads under load
	// cost no bcrypt).
	fp = "fp-2"
	st.Reload()
	if w := do(s, login.build(caller{"x", "admin", "new-pw"})); w.Code != http.StatusOK {
		t.Errorf("after a reload: %d", w.Code)
	}
	if n := s.auth.verified.Len(); n != 2 {
		t.Errorf("%d cache entries, want 2 (one per hash)", n)
	}
	// Unknown users and malformed headers are 401.
	for _, c := range []caller{{"x", "nobody", "admin-pw"}, {"x", "", "admin-pw"}, {"x", "admin\x00", "new-pw"}} {
		r := login.build(cNoAuth)
		r.SetBasicAuth(c.user, c.password)
		if w := do(s, r); w.Code != http.StatusUnauthorized {
			t.Errorf("%q: %d", c.user, w.Code)
		}
	}
	for _, h := range []string{"Basic", "Basic !!!", "Bearer abc", "basic YWRtaW46bmV3LXB3"} {
		r := login.build(cNoAuth)
		r.Header.Set("Authorization", h)
		w := do(s, r)
		if h == "basic YWRtaW46bmV3LXB3" { // scheme is case-insensitive
			if w.Code != http.StatusOK {
				t.Errorf("%q: %d", h, w.Code)
			}
		} else if w.Code != http.StatusUnauthorized {
			t.Errorf("%q: %d", h, w.Code)
		}
	}
}

// TestUnknownUserCostsBcrypt: an unknown user is checked against a dummy
// hash of the users' cost.
func TestUnknownUserCostsBcrypt(t *testing.T) {
	s, st := newTestServer(t, Options{})
	do(s, req{method: "GET", path: "/user/login"}.build(caller{"x", "nobody", "pw"}))
	s.auth.mu.Lock()
	h, ok := s.auth.dummies[bcrypt.MinCost]
	s.auth.mu.Unlock()
	if !ok {
		t.Fatalf("no dummy hash at the users' cost; have %v", s.auth.dummies)
	}
	if c, _ := bcrypt.Cost(h); c != costOf(st.Current()) {
		t.Errorf("dummy cost %d", c)
	}
}

// TestAccessLog: one line per request with method, path, status and user;
// never the Authorization header, a password, a secret or the query.
func TestAccessLog(t *testing.T) {
	var buf syncBuffer
	s, _ := newTestServer(t, Options{AccessLog: &buf})
	do(s, req{method: "POST", path: "/extension/user", enc: "query", params: [][2]string{{"tenant_id", idAcme}, {"extension_id", "1001"}}}.build(cRoot))
	do(s, req{method: "GET", path: "/user/login"}.build(cWrongPW))
	s.Close() // the buffered lines
	out := buf.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	for _, want := range []string{"level=INFO msg=http method=POST", "path=/extension/user", "status=200", "user=root", "duration_ms=", "client=192.0.2.1"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("line %q lacks %q", lines[0], want)
		}
	}
	if !strings.Contains(lines[1], "status=401") || !strings.Contains(lines[1], `user=""`) {
		t.Errorf("failed login line %q", lines[1])
	}
	for _, bad := range []string{"root-pw", "not-the-password", "Basic ", "Authorization", "alice-secret-1", "tenant_id"} {
		if strings.Contains(out, bad) {
			t.Errorf("log holds %q:\n%s", bad, out)
		}
	}
}

// TestRecovery: a panicking handler is a 500 envelope.
func TestRecovery(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	s.engine.GET("/panic", func(c *gin.Context) { panic("kaboom") })
	w := do(s, req{method: "GET", path: "/panic"}.build(cNoAuth))
	if w.Code != http.StatusInternalServerError || decode(t, w).Message != "internal error" {
		t.Errorf("%d %s", w.Code, w.Body)
	}
}

// TestAuthSingleFlight: concurrent first requests with the same credentials
// run bcrypt once, and all of them get the answer.
func TestAuthSingleFlight(t *testing.T) {
	st := loadedStore(t, func() *index.Snapshot { return index.NewSnapshot(testSnapshot()) })
	s := New(st, Options{LoginFailureLimit: -1})
	var calls atomic.Int32
	release := make(chan struct{})
	s.auth.bcryptCompare = func(hash, password []byte) error {
		calls.Add(1)
		<-release // hold the first run so the others pile up behind it
		return bcrypt.CompareHashAndPassword(hash, password)
	}
	login := req{method: "GET", path: "/user/login"}
	const n = 20
	codes := make(chan int, n)
	for range n {
		go func() { codes <- do(s, login.build(cAdmin)).Code }()
	}
	deadline := time.Now().Add(5 * time.Second)
	for calls.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // let the rest reach the in-flight call
	close(release)
	for range n {
		if c := <-codes; c != http.StatusOK {
			t.Errorf("status %d", c)
		}
	}
	if c := calls.Load(); c != 1 {
		t.Errorf("bcrypt ran %d times for %d identical concurrent logins, want 1", c, n)
	}
}

// TestFailLimiterExact: a client gets exactly limit failed tries per
// window; a success given back frees its try.
func TestFailLimiterExact(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newFailLimiter(3, time.Minute, func() time.Time { return now })
	for i := range 3 {
		if !l.reserve("c") {
			t.Fatalf("try %d refused", i+1)
		}
	}
	if _, blocked := l.blocked("c"); !blocked {
		t.Errorf("not blocked after 3 failures")
	}
	if l.reserve("c") {
		t.Errorf("a 4th try allowed")
	}
	l.release("c")
	if !l.reserve("c") {
		t.Errorf("a try given back was not freed")
	}
	now = now.Add(time.Minute)
	if _, blocked := l.blocked("c"); blocked {
		t.Errorf("still blocked after the window")
	}
	l.reserve("d")
	l.release("d")
	if n := l.clients.Len(); n != 0 || l.active.Load() != 0 {
		t.Errorf("a try given back leaves %d clients tracked", n)
	}
}
