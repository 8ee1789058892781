package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"hash/maphash"
	"math"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/hashicorp/golang-lru/v2/simplelru"
	"golang.org/x/crypto/bcrypt"

	"github.com/astapi/astapi/index"
)

// authenticate checks the request's Basic Auth credentials against the
// snapshot's users. It answers 429 for a client over its failed-login
// limit, 503 when too many password checks are queued, 400 for more than
// one Authorization header and 401 for missing or wrong credentials.
func (s *Server) authenticate(c *gin.Context, snap *index.Snapshot) (*index.User, *apiError) {
	if len(c.Request.Header.Values("Authorization")) > 1 {
		return nil, errorf(http.StatusBadRequest, "more than one Authorization header")
	}
	// The client's address is worked out only when some client has failed
	// lately or a password must be checked: the common case (credentials
	// verified before, nobody failing) costs one atomic load.
	client := ""
	if s.limiter.tracking() {
		client = clientKey(c.ClientIP())
		if retry, blocked := s.limiter.blocked(client); blocked {
			return nil, errLimited(retry)
		}
	}
	name, password, ok := c.Request.BasicAuth()
	if !ok {
		return nil, errUnauthorized
	}
	u, cached := s.auth.cached(snap, name, password)
	if !cached {
		if client == "" {
			client = clientKey(c.ClientIP())
		}
		var v verdict
		u, v = s.auth.verify(c.Request.Context(), snap, name, password, tries{s.limiter, client})
		switch v {
		case verdictLimited:
			retry, _ := s.limiter.blocked(client)
			return nil, errLimited(retry)
		case verdictBusy:
			return nil, &apiError{code: http.StatusServiceUnavailable, message: "too many logins under way; retry later", retryAfter: 1}
		case verdictWrong:
			return nil, errUnauthorized
		}
	}
	if s.access != nil {
		setUser(c, u.Name)
	}
	return u, nil
}

func errLimited(retry int) *apiError {
	return &apiError{
		code:       http.StatusTooManyRequests,
		message:    "too many failed logins from this client; retry later",
		retryAfter: max(retry, 1),
	}
}

// verdict is the outcome of a password check that needed bcrypt.
type verdict int

const (
	verdictOK      verdict = iota
	verdictWrong           // wrong user or password
	verdictLimited         // the client is over its failed-login limit: not tried
	verdictBusy            // no bcrypt slot within the wait: not tried
)

// tries counts one client's password tries in the failure limiter. A try
// is counted as a failure before its bcrypt runs and given back when it
// succeeds, so that concurrent requests cannot all pass the limit check
// before any of them fails.
type tries struct {
	l      *failLimiter
	client string
}

func (t tries) reserve() bool { return t.l.reserve(t.client) }
func (t tries) release()      { t.l.release(t.client) }

// authenticator verifies passwords with bcrypt and remembers successes.
type authenticator struct {
	// verified maps a seeded hash of (user, bcrypt hash) to the keyed hash (mac) of
	// (user, password) that was verified against that bcrypt hash. The
	// snapshot is not part of the key: a reload that keeps a user's hash
	// keeps their verified password (a reload every 100 ms would otherwise
	// cost every client a bcrypt compare), and a changed hash is a new key.
	verified *lru.Cache[uint64, [sha256.Size]byte]
	keySeed  maphash.Seed // random per process; clients cannot choose what is hashed, so 64 bits suffice
	macKey   []byte       // random per process: the cache holds no password hash an attacker could test offline

	bcryptCompare func(hash, password []byte) error // bcrypt.CompareHashAndPassword; tests count calls

	slots    chan struct{} // one per bcrypt allowed to run at once
	slotWait time.Duration // how long a check waits for a slot

	mu       sync.Mutex
	dummies  map[int][]byte // bcrypt cost → hash of a random password
	inflight map[inflightKey]*bcryptCall
}

// inflightKey names one bcrypt comparison: the same credentials against the
// same hash.
type inflightKey struct {
	key uint64
	mac [sha256.Size]byte
}

// bcryptCall is a comparison under way; others asking the same wait for it
// instead of spending their own ~50 ms of CPU.
type bcryptCall struct {
	done chan struct{}
	v    verdict // set before done is closed
}

func newAuthenticator(entries, slots int, slotWait time.Duration) *authenticator {
	a := &authenticator{macKey: make([]byte, 32), dummies: map[int][]byte{}, inflight: map[inflightKey]*bcryptCall{},
		bcryptCompare: bcrypt.CompareHashAndPassword, slots: make(chan struct{}, slots), slotWait: slotWait}
	if _, err := rand.Read(a.macKey); err != nil {
		panic("api: no randomness: " + err.Error())
	}
	a.keySeed = maphash.MakeSeed()
	a.verified, _ = lru.New[uint64, [sha256.Size]byte](entries)
	return a
}

// cached returns the user named name when password was verified for
// them before (no bcrypt), with ok true; ok false means bcrypt must run.
func (a *authenticator) cached(snap *index.Snapshot, name, password string) (*index.User, bool) {
	u := snap.UserByName(name)
	if u == nil || len(u.PasswordHash) == 0 {
		return nil, false
	}
	want, ok := a.verified.Get(a.key(u))
	if !ok {
		return nil, false
	}
	mac := a.mac(name, password)
	if subtle.ConstantTimeCompare(want[:], mac[:]) != 1 {
		return nil, false
	}
	return u, true
}

// verify checks password with bcrypt. Each bcrypt run is first counted
// against the client (t) and then waits for one of a few slots; an
// unknown user costs a bcrypt comparison as a known one does.
func (a *authenticator) verify(ctx context.Context, snap *index.Snapshot, name, password string, t tries) (*index.User, verdict) {
	u := snap.UserByName(name)
	if u == nil || len(u.PasswordHash) == 0 {
		if !t.reserve() {
			return nil, verdictLimited
		}
		if !a.acquire(ctx) {
			t.release()
			return nil, verdictBusy
		}
		_ = a.bcryptCompare(a.dummy(costOf(snap)), []byte(password))
		a.releaseSlot()
		return nil, verdictWrong
	}
	v := a.compare(ctx, inflightKey{a.key(u), a.mac(name, password)}, u.PasswordHash, password, t)
	if v != verdictOK {
		return nil, v
	}
	return u, verdictOK
}

// compare runs bcrypt once for concurrent requests with the same
// credentials (a cold start under load would otherwise run it once per
// request) and remembers a success before anyone else can miss both the
// cache and the in-flight call. Those who join a call that fails count a
// failed try each, as if they had run it.
func (a *authenticator) compare(ctx context.Context, k inflightKey, hash []byte, password string, t tries) verdict {
	a.mu.Lock()
	if call, ok := a.inflight[k]; ok {
		a.mu.Unlock()
		<-call.done
		if call.v == verdictWrong && !t.reserve() {
			return verdictLimited
		}
		return call.v
	}
	// A call may have finished between the caller's cache miss and here:
	// it remembered its success before leaving the in-flight map.
	if want, ok := a.verified.Peek(k.key); ok && subtle.ConstantTimeCompare(want[:], k.mac[:]) == 1 {
		a.mu.Unlock()
		return verdictOK
	}
	if !t.reserve() {
		a.mu.Unlock()
		return verdictLimited
	}
	call := &bcryptCall{done: make(chan struct{})}
	a.inflight[k] = call
	a.mu.Unlock()

	switch {
	case !a.acquire(ctx):
		call.v = verdictBusy
		t.release()
	default:
		call.v = verdictWrong
		if a.bcryptCompare(hash, []byte(password)) == nil {
			call.v = verdictOK
			a.verified.Add(k.key, k.mac)
			t.release()
		}
		a.releaseSlot()
	}
	a.mu.Lock()
	delete(a.inflight, k)
	a.mu.Unlock()
	close(call.done)
	return call.v
}

// acquire takes one of the bcrypt slots, waiting at most a.slotWait:
// bcrypt is ~50 ms of CPU, so unbounded concurrent runs would starve
// every other request (a real user's login included) instead of
// queueing.
func (a *authenticator) acquire(ctx context.Context) bool {
	select {
	case a.slots <- struct{}{}:
		return true
	default:
	}
	timer := time.NewTimer(a.slotWait)
	defer timer.Stop()
	select {
	case a.slots <- struct{}{}:
		return true
	case <-timer.C:
	case <-ctx.Done():
	}
	return false
}

func (a *authenticator) releaseSlot() { <-a.slots }

// key names (user, bcrypt hash) in the cache. Only which entry to compare
// the mac with depends on it, so a fast seeded hash is enough.
func (a *authenticator) key(u *index.User) uint64 {
	var h maphash.Hash
	h.SetSeed(a.keySeed)
	h.WriteString(u.Name)
	h.WriteByte(0)
	h.Write(u.PasswordHash)
	return h.Sum64()
}

// mac is a keyed hash of (name, password): SHA-256 of a random
// per-process key followed by the credentials. Only ever compared for
// equality, so length extension does not matter; no allocation on the hot
// path.
func (a *authenticator) mac(name, password string) [sha256.Size]byte {
	var buf [512]byte
	b := append(buf[:0], a.macKey...)
	b = append(b, name...)
	b = append(b, 0)
	b = append(b, password...)
	sum := sha256.Sum256(b)
	clear(b)
	return sum
}

// dummy returns a bcrypt hash of a random password at cost, made once.
func (a *authenticator) dummy(cost int) []byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	if h, ok := a.dummies[cost]; ok {
		return h
	}
	h, err := bcrypt.GenerateFromPassword([]byte(rand.Text()), cost)
	if err != nil {
		h, _ = bcrypt.GenerateFromPassword([]byte(rand.Text()), bcrypt.DefaultCost)
	}
	a.dummies[cost] = h
	return h
}

// costOf is the highest bcrypt cost among the snapshot's users, so that
// an unknown user takes at least as long as any known one (with the first
// user's cost, a slower known user would stand out).
func costOf(snap *index.Snapshot) int {
	cost := 0
	for _, u := range snap.Users {
		if c, err := bcrypt.Cost(u.PasswordHash); err == nil {
			cost = max(cost, c)
		}
	}
	if cost == 0 {
		return bcrypt.DefaultCost
	}
	return cost
}

// clientKey is the rate limiter's key for a client address: the address,
// or its /64 for IPv6 (one host usually owns a whole /64).
func clientKey(ip string) string {
	addr := net.ParseIP(ip)
	if addr == nil || addr.To4() != nil {
		return ip
	}
	return addr.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// failLimiter counts failed logins per client in a fixed window that starts
// at the client's first failure.
type failLimiter struct {
	limit  int
	window time.Duration
	now    func() time.Time

	active  atomic.Int64 // clients tracked; 0 lets blocked skip the lock
	mu      sync.Mutex
	clients *simplelru.LRU[string, *failWindow]
}

type failWindow struct {
	start time.Time
	n     int
}

// maxTrackedClients bounds the limiter's memory; the least recently failing
// clients are forgotten first.
const maxTrackedClients = 100_000

func newFailLimiter(limit int, window time.Duration, now func() time.Time) *failLimiter {
	l := &failLimiter{limit: limit, window: window, now: now}
	l.clients, _ = simplelru.NewLRU[string, *failWindow](maxTrackedClients, nil)
	return l
}

// tracking reports whether any client has failed lately.
func (l *failLimiter) tracking() bool { return l.limit >= 0 && l.active.Load() > 0 }

// blocked reports whether client is over its limit, and in how many
// seconds it may try again.
func (l *failLimiter) blocked(client string) (int, bool) {
	if client == "" || !l.tracking() {
		return 0, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	w, ok := l.clients.Peek(client)
	if !ok {
		return 0, false
	}
	now := l.now()
	end := w.start.Add(l.window)
	if !now.Before(end) {
		l.clients.Remove(client)
		l.active.Store(int64(l.clients.Len()))
		return 0, false
	}
	if w.n < l.limit {
		return 0, false
	}
	return max(1, int(math.Ceil(end.Sub(now).Seconds()))), true
}

// reserve counts a try of client as a failure, unless client is already
// at its limit (false). A try that succeeds is given back with release.
func (l *failLimiter) reserve(client string) bool {
	if l.limit < 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if w, ok := l.clients.Get(client); ok && now.Before(w.start.Add(l.window)) {
		if w.n >= l.limit {
			return false
		}
		w.n++
		return true
	}
	l.clients.Add(client, &failWindow{start: now, n: 1})
	l.active.Store(int64(l.clients.Len()))
	return true
}

// release gives back a try that reserve counted and that succeeded.
func (l *failLimiter) release(client string) {
	if l.limit < 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	w, ok := l.clients.Peek(client)
	if !ok {
		return
	}
	if w.n--; w.n <= 0 {
		l.clients.Remove(client)
		l.active.Store(int64(l.clients.Len()))
	}
}
