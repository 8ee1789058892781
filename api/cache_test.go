package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/astapi/astapi/index"
)

// TestNotModified: If-None-Match with the ETag of a 200 gets 304 without a
// body, on the cached and the uncached path, for every endpoint.
func TestNotModified(t *testing.T) {
	for _, cacheBytes := range []int64{0, -1} {
		s, _ := newTestServer(t, Options{ResponseCacheBytes: cacheBytes})
		for _, ec := range endpointCases {
			t.Run(fmt.Sprintf("cache%d/%s", cacheBytes, ec.slug), func(t *testing.T) {
				w := do(s, ec.r.build(cRoot))
				if w.Code != http.StatusOK {
					t.Fatalf("%d %s", w.Code, w.Body)
				}
				tag := w.Header().Get("ETag")
				for _, inm := range []string{tag, "W/" + tag, `"nope", ` + tag, "*"} {
					r := ec.r
					r.header = map[string]string{"If-None-Match": inm}
					w2 := do(s, r.build(cRoot))
					if w2.Code != http.StatusNotModified || w2.Body.Len() != 0 || w2.Header().Get("ETag") != tag {
						t.Errorf("If-None-Match %s: %d %q ETag %s", inm, w2.Code, w2.Body, w2.Header().Get("ETag"))
					}
				}
				r := ec.r
				r.header = map[string]string{"If-None-Match": `"other"`}
				if w3 := do(s, r.build(cRoot)); w3.Code != http.StatusOK || w3.Body.String() != w.Body.String() {
					t.Errorf("other ETag: %d", w3.Code)
				}
			})
		}
	}
}

// TestNotModifiedNeverHidesErrors: a 403/404/401 stays one whatever
// If-None-Match says.
func TestNotModifiedNeverHidesErrors(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	okTag := do(s, endpointCases[3].r.build(cAdmin)).Header().Get("ETag")
	for _, c := range []caller{cGlobex, cNoAuth, cWrongPW} {
		r := endpointCases[3].r
		r.header = map[string]string{"If-None-Match": "*, " + okTag}
		if w := do(s, r.build(c)); w.Code == http.StatusNotModified || w.Code == http.StatusOK {
			t.Errorf("%s: %d", c.name, w.Code)
		}
	}
}

// TestETags: ETags differ by caller, endpoint and parameters; they survive
// a reload that changed nothing (same fingerprint) and change when the
// fingerprint does; parameter spelling does not matter.
func TestETags(t *testing.T) {
	fp := "fp-1"
	st := loadedStore(t, func() *index.Snapshot {
		s := testSnapshot()
		s.Fingerprint = fp
		return s
	})
	s := New(st, Options{})
	get := func(c caller, r req) string {
		w := do(s, r.build(c))
		if w.Code != http.StatusOK {
			t.Fatalf("%s %s: %d %s", c.name, r.path, w.Code, w.Body)
		}
		return w.Header().Get("ETag")
	}
	byTenant := func(id string) req {
		return req{method: "POST", path: "/extension/bytenant", enc: "form", params: [][2]string{{"tenant_id", id}}}
	}
	seen := map[string]string{}
	add := func(what, tag string) {
		if prev, dup := seen[tag]; dup {
			t.Errorf("%s and %s share ETag %s", what, prev, tag)
		}
		seen[tag] = what
	}
	add("admin 80", get(cAdmin, byTenant("80")))
	add("root 80", get(cRoot, byTenant("80")))
	add("admin 81", get(cAdmin, byTenant("81")))
	add("admin dest 80", get(cAdmin, req{method: "POST", path: "/destination/all", enc: "form", params: [][2]string{{"tenant_id", "80"}}}))
	if a, b := get(cAdmin, byTenant("80")), get(cAdmin, req{method: "POST", path: "/extension/bytenant", enc: "json", json: `{"tenant_id":"080"}`}); a != b {
		t.Errorf("spelling changed the ETag: %s %s", a, b)
	}
	before := get(cAdmin, byTenant("80"))
	st.Reload() // same files
	if after := get(cAdmin, byTenant("80")); after != before {
		t.Errorf("a reload with the same fingerprint changed the ETag")
	}
	fp = "fp-2"
	st.Reload()
	if after := get(cAdmin, byTenant("80")); after == before {
		t.Errorf("a new fingerprint kept the ETag")
	}
}

// TestResponseCacheBounded: the cache never holds more bytes than allowed,
// and a new generation empties it.
func TestResponseCacheBounded(t *testing.T) {
	c := newResponseCache(10_000)
	key := func(s string) responseKey { return responseKey{endpoint: s} }
	body := []byte(strings.Repeat("x", 1000))
	for i := 0; i < 100; i++ {
		c.add(1, key(fmt.Sprintf("k%d", i)), &cachedResponse{etag: `"e"`, body: body})
		if b, _ := c.size(); b > 10_000 {
			t.Fatalf("after %d adds: %d bytes", i+1, b)
		}
	}
	if _, n := c.size(); n == 0 || n > 10 {
		t.Errorf("%d entries", n)
	}
	if _, ok := c.get(key("k99")); !ok {
		t.Errorf("newest entry evicted")
	}
	if _, ok := c.get(key("k0")); ok {
		t.Errorf("oldest entry kept")
	}
	// Too big for the cache: not stored.
	c.add(1, key("big"), &cachedResponse{body: make([]byte, 5000)})
	if _, ok := c.get(key("big")); ok {
		t.Errorf("oversized entry cached")
	}
	// Re-adding a key does not count twice.
	b1, _ := c.size()
	c.add(1, key("k99"), &cachedResponse{etag: `"e"`, body: body})
	if b2, _ := c.size(); b2 != b1 {
		t.Errorf("re-add: %d → %d bytes", b1, b2)
	}
	c.add(2, key("new"), &cachedResponse{etag: `"e"`, body: body})
	if _, n := c.size(); n != 1 {
		t.Errorf("new generation: %d entries, want 1", n)
	}
	if b, _ := c.size(); b != entryCost(key("new"), &cachedResponse{etag: `"e"`, body: body}) {
		t.Errorf("accounting: %d bytes", b)
	}
	// An older generation's late answer does not empty the cache.
	c.add(1, key("late"), &cachedResponse{etag: `"e"`, body: body})
	if _, n := c.size(); n != 2 {
		t.Errorf("late add: %d entries, want 2", n)
	}
}

// TestResponseCacheServes: a second identical request is answered from the
// cache (the entry count does not grow), per caller.
func TestResponseCacheServes(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	r := endpointCases[4].r
	w1 := do(s, r.build(cAdmin))
	_, n1 := s.cache.size()
	w2 := do(s, r.build(cAdmin))
	_, n2 := s.cache.size()
	if n1 != 1 || n2 != 1 || w1.Body.String() != w2.Body.String() {
		t.Errorf("entries %d %d", n1, n2)
	}
	do(s, r.build(cAcme))
	if _, n := s.cache.size(); n != 2 {
		t.Errorf("per-caller entries: %d", n)
	}
	// Failures are not cached.
	do(s, r.build(cGlobex))
	if _, n := s.cache.size(); n != 2 {
		t.Errorf("a 403 was cached: %d", n)
	}
}

func TestEtagMatches(t *testing.T) {
	for _, tc := range []struct {
		h    string
		want bool
	}{
		{``, false}, {`"a"`, true}, {`W/"a"`, true}, {`"b", "a"`, true}, {`"b","a"`, true},
		{`*`, true}, {`"b"`, false}, {`a`, false}, {`"a`, false}, {` , "a" ,`, true},
	} {
		if got := etagMatches(tc.h, `"a"`); got != tc.want {
			t.Errorf("%q: %v", tc.h, got)
		}
	}
}

// TestCacheKey: keys differ when any part differs, extra parameters
// included, and equal ones are equal.
func TestCacheKey(t *testing.T) {
	base := cacheKey(1, "/e", []string{"1", "2", "3", "4", "5"}, "u")
	if base != cacheKey(1, "/e", []string{"1", "2", "3", "4", "5"}, "u") {
		t.Error("equal parts, different keys")
	}
	for _, k := range []responseKey{
		cacheKey(2, "/e", []string{"1", "2", "3", "4", "5"}, "u"),
		cacheKey(1, "/f", []string{"1", "2", "3", "4", "5"}, "u"),
		cacheKey(1, "/e", []string{"1", "2", "3", "4", "6"}, "u"),
		cacheKey(1, "/e", []string{"1", "2", "3", "45"}, "u"),
		cacheKey(1, "/e", []string{"1", "2", "3", "4", "5"}, "v"),
		cacheKey(1, "/e", []string{"12", "", "3", "4", "5"}, "u"),
	} {
		if k == base {
			t.Errorf("%+v equals %+v", k, base)
		}
	}
}

// TestResponseCacheAccounting: an entry costs its key's strings, its ETag,
// its body and entryOverhead; the cache holds exactly maxBytes, and an
// entry of exactly a quarter of it is still taken.
func TestResponseCacheAccounting(t *testing.T) {
	v := &cachedResponse{etag: `"e"`, body: make([]byte, 100)}
	key := func(i int) responseKey { return cacheKey(1, "/ep", []string{fmt.Sprint(i)}, "user") }
	cost := int64(len("/ep") + len("user") + 1 + len(`"e"`) + 100 + entryOverhead)
	if got := entryCost(key(1), v); got != cost {
		t.Fatalf("entryCost = %d, want %d", got, cost)
	}
	c := newResponseCache(4 * cost)
	for i := range 4 {
		c.add(1, key(i), v)
	}
	if b, n := c.size(); b != 4*cost || n != 4 {
		t.Errorf("after 4 entries of a quarter each: %d bytes, %d entries; want %d, 4", b, n, 4*cost)
	}
	c.add(1, key(4), v)
	if b, n := c.size(); b != 4*cost || n != 4 {
		t.Errorf("a 5th entry: %d bytes, %d entries; want the oldest evicted", b, n)
	}
	if _, ok := c.get(key(0)); ok {
		t.Errorf("the oldest entry was kept")
	}
}
