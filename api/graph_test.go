package api

import (
	"context"
	"errors"
	"html"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/internal/flowtest"
)

// fakeDrawer stands in for diagram.Renderer (whose WebAssembly start-up
// this package's tests need not pay): it wraps the DOT text in an <svg>
// so the tests see what was asked for.
type fakeDrawer struct {
	calls atomic.Int32
	err   error
}

func (f *fakeDrawer) draw(_ context.Context, dot []byte) ([]byte, error) {
	f.calls.Add(1)
	if f.err != nil {
		return nil, f.err
	}
	return []byte("<svg>" + html.EscapeString(string(dot)) + "</svg>"), nil
}

type tooLargeErr struct{}

func (tooLargeErr) Error() string       { return "too large" }
func (tooLargeErr) GraphTooLarge() bool { return true }

func graphSnapshot() *index.Snapshot {
	s := testSnapshot()
	s.Flow = flowtest.Graph(idAcme, idGlobex)
	return index.NewSnapshot(s)
}

func graphReq(kv ...string) req {
	return req{method: "GET", path: pathGraph, enc: "query"}.with(kv...)
}

func TestGraphSVG(t *testing.T) {
	d := &fakeDrawer{}
	s := New(loadedStore(t, graphSnapshot), Options{DrawSVG: d.draw})
	svgOf := graphReq("tenant_id", idAcme, "format", "svg")

	w := do(s, svgOf.build(cAcme))
	if w.Code != http.StatusOK {
		t.Fatalf("acme: %d %s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "image/svg+xml" {
		t.Errorf("Content-Type %q", ct)
	}
	if csp := w.Header().Get("Content-Security-Policy"); csp != "default-src 'none'" {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	body := html.UnescapeString(w.Body.String())
	for _, want := range []string{`DID\nMain <line> & co`, `IVR\nMain menu`, `HUNTLIST\nSales`, `[label="IVR_1"]`, `[label="NOTCONDITION"]`} {
		if !strings.Contains(body, want) {
			t.Errorf("the drawn DOT lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "Globex main") {
		t.Errorf("acme's graph holds Globex's DID:\n%s", body)
	}

	// Cached: the second answer is not drawn again, and validates by ETag.
	tag := w.Header().Get("ETag")
	r := svgOf
	r.header = map[string]string{"If-None-Match": tag}
	if w := do(s, r.build(cAcme)); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Errorf("If-None-Match: %d %q", w.Code, w.Body)
	}
	if n := d.calls.Load(); n != 1 {
		t.Errorf("drawn %d times, want 1", n)
	}

	for _, c := range []struct {
		name string
		who  caller
		r    req
		code int
		msg  string
	}{
		{"foreign tenant", cAcme, graphReq("tenant_id", idGlobex, "format", "svg"), 403, msgUnauth},
		{"unknown tenant, tenant user", cAcme, graphReq("tenant_id", "999", "format", "svg"), 403, msgUnauth},
		{"unknown tenant, admin", cAdmin, graphReq("tenant_id", "999", "format", "svg"), 404, "tenant_id 999 not found"},
		{"no format: DOT", cAdmin, graphReq("tenant_id", idAcme), 200, "digraph "},
		{"dot", cAdmin, graphReq("tenant_id", idAcme, "format", "DOT"), 200, "digraph "},
		{"other format", cAdmin, graphReq("tenant_id", idAcme, "format", "png"), 400, "format: must be dot or svg"},
		{"no tenant", cAdmin, graphReq("format", "svg"), 400, "tenant_id"},
		{"no credentials", cNoAuth, svgOf, 401, msgUnauth},
	} {
		w := do(s, c.r.build(c.who))
		if w.Code != c.code || !strings.Contains(w.Body.String(), c.msg) {
			t.Errorf("%s: %d %s, want %d with %q", c.name, w.Code, w.Body, c.code, c.msg)
		}
	}
}

func TestGraphSVGFailures(t *testing.T) {
	for _, c := range []struct {
		name string
		draw func(context.Context, []byte) ([]byte, error)
		code int
		msg  string
	}{
		{"no drawer", nil, 501, "draws no diagrams"},
		{"too large", (&fakeDrawer{err: tooLargeErr{}}).draw, 422, "too large to draw; ask for format=dot"},
		{"drawing failed", (&fakeDrawer{err: errors.New("wasm trap at /secret/path")}).draw, 500, "internal error"},
	} {
		s := New(loadedStore(t, graphSnapshot), Options{DrawSVG: c.draw})
		w := do(s, graphReq("tenant_id", idAcme, "format", "svg").build(cAdmin))
		if w.Code != c.code || !strings.Contains(w.Body.String(), c.msg) || strings.Contains(w.Body.String(), "/secret") {
			t.Errorf("%s: %d %s, want %d with %q", c.name, w.Code, w.Body, c.code, c.msg)
		}
		if _, code, err := s.TenantGraphSVG(context.Background(), s.store.Current(), s.store.Current().TenantByID(idAcme)); code != c.code || err == nil {
			t.Errorf("%s: TenantGraphSVG: %d %v", c.name, code, err)
		}
	}
}
