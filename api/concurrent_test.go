package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/astapi/astapi/index"
)

// variantSnapshot is snapshot A or B of the concurrent test: tenant 80 has
// nExt extensions named "<v>-<i>" and nExt+1 destinations whose source
// names the variant; user acme's e-mail names it too.
func variantSnapshot(v string) *index.Snapshot {
	s := testSnapshot()
	n := 3
	if v == "B" {
		n = 6
	}
	s.Fingerprint = "fp-" + v
	s.Extensions = nil
	s.Destinations = nil
	for i := 1; i <= n; i++ {
		s.Extensions = append(s.Extensions, &index.Extension{
			ID: fmt.Sprint(1000 + i), TenantID: idAcme, Number: fmt.Sprint(200 + i),
			Name: fmt.Sprintf("%s-%d", v, i), CIDName: v,
		})
	}
	for i := 1; i <= n+1; i++ {
		s.Destinations = append(s.Destinations, &index.Destination{
			ID: fmt.Sprint(5000 + i), TenantID: idAcme, TypeSrc: "DID", TypeDst: "EXT", Ord: 1,
			Src: fmt.Sprintf("%s-inbound,%d,1", v, i), Dst: "x,s,1", File: v + ".conf", Line: i,
		})
	}
	s.Flow = graphOf(s.Destinations)
	for _, u := range s.Users {
		if u.Name == "acme" {
			u.Email = strings.ToLower(v) + "@acme.example"
		}
	}
	return index.NewSnapshot(s)
}

// TestConcurrentReload: requests run while another goroutine swaps
// snapshots A and B; every answer comes from exactly one of them, and an
// ETag always names the same body.
func TestConcurrentReload(t *testing.T) {
	var flip atomic.Int64
	st := index.NewStore(func() (*index.Snapshot, error) {
		if flip.Add(1)%2 == 1 {
			return variantSnapshot("A"), nil
		}
		return variantSnapshot("B"), nil
	})
	st.Reload()
	s := New(st, Options{ResponseCacheBytes: 64 << 10})

	reloads := 300
	if testing.Short() {
		reloads = 50
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(stop)
		for i := 0; i < reloads; i++ {
			if res := st.Reload(); !res.Success {
				t.Errorf("reload: %v", res.Err)
			}
		}
	}()

	var tagsMu sync.Mutex
	tags := map[string]string{} // ETag → body
	var seenA, seenB atomic.Int64
	check := func(w *httpResult, what string) {
		if w.code != http.StatusOK {
			t.Errorf("%s: %d %s", what, w.code, w.body)
			return
		}
		tagsMu.Lock()
		if prev, ok := tags[w.etag]; ok && prev != w.body {
			t.Errorf("%s: ETag %s names two bodies:\n%s\n%s", what, w.etag, prev, w.body)
		}
		tags[w.etag] = w.body
		tagsMu.Unlock()
	}
	variantOf := func(what string, names []string, wantLen map[string]int) {
		if len(names) == 0 {
			t.Errorf("%s: empty", what)
			return
		}
		v := names[0]
		for _, n := range names {
			if n != v {
				t.Errorf("%s: torn answer %v", what, names)
				return
			}
		}
		if len(names) != wantLen[v] {
			t.Errorf("%s: %d items of %s, want %d", what, len(names), v, wantLen[v])
		}
		if v == "A" {
			seenA.Add(1)
		} else {
			seenB.Add(1)
		}
	}

	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			c := []caller{cAdmin, cAcme, cAuditor, cRoot}[g%4]
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				switch i % 3 {
				case 0:
					w := record(s, req{method: "POST", path: "/extension/bytenant", enc: "json", json: `{"tenant_id":80}`}.build(c))
					check(w, "bytenant")
					var e struct {
						Data []extensionItem `json:"data"`
					}
					_ = json.Unmarshal([]byte(w.body), &e)
					var names []string
					for _, x := range e.Data {
						v, _, _ := strings.Cut(x.Name, "-")
						if x.CIDName != v {
							names = append(names, "?")
						}
						names = append(names, v)
					}
					variantOf("bytenant", names, map[string]int{"A": 3, "B": 6})
				case 1:
					w := record(s, req{method: "POST", path: "/destination/all", enc: "form", params: [][2]string{{"tenant_id", "80"}}}.build(c))
					check(w, "destinations")
					var e struct {
						Data []destinationItem `json:"data"`
					}
					_ = json.Unmarshal([]byte(w.body), &e)
					var names []string
					for _, x := range e.Data {
						v, _, _ := strings.Cut(x.Src, "-")
						if x.File != v+".conf" {
							names = append(names, "?")
						}
						names = append(names, v)
					}
					variantOf("destinations", names, map[string]int{"A": 4, "B": 7})
				case 2:
					w := record(s, req{method: "GET", path: "/status"}.build(c))
					if w.code != http.StatusOK {
						t.Errorf("status: %d %s", w.code, w.body)
					}
				}
			}
		}(g)
	}
	wg.Wait()
	t.Logf("%d answers from A, %d from B", seenA.Load(), seenB.Load())
	if b, _ := s.cache.size(); b > 64<<10 {
		t.Errorf("cache holds %d bytes", b)
	}
}

type httpResult struct {
	code int
	etag string
	body string
}

func record(h http.Handler, r *http.Request) *httpResult {
	w := do(h, r)
	return &httpResult{code: w.Code, etag: w.Header().Get("ETag"), body: w.Body.String()}
}
