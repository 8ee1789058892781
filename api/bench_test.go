package api

import (
	"crypto/subtle"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
)

// SPEC §9: a cached read endpoint should reach at least 85% of the
// requests/s of a bare gin handler that checks Basic Auth and writes a
// fixed body. Compare BenchmarkCachedExtensionByTenant with
// BenchmarkBareGinBaseline (ns/op: the baseline's time / ours ≥ 0.85).

func benchRequest() *http.Request {
	r := httptest.NewRequest("POST", "/extension/bytenant?tenant_id=80", nil)
	r.SetBasicAuth("acme", "acme-pw")
	return r
}

// benchWriter is a minimal ResponseWriter, so the benchmark measures the
// handlers rather than httptest.ResponseRecorder.
type benchWriter struct {
	h    http.Header
	code int
	n    int
}

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) WriteHeader(code int)        { w.code = code }
func (w *benchWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

func runBench(b *testing.B, h http.Handler) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		r := benchRequest()
		w := &benchWriter{h: http.Header{}}
		for pb.Next() {
			clear(w.h)
			h.ServeHTTP(w, r)
			if w.code != http.StatusOK && w.code != 0 {
				b.Fatalf("status %d", w.code)
			}
		}
	})
}

func BenchmarkCachedExtensionByTenant(b *testing.B) {
	s, _ := newTestServer(b, Options{})
	runBench(b, s)
}

func BenchmarkBareGinBaseline(b *testing.B) {
	runBench(b, bareGin(b))
}

// bareGin is the baseline of SPEC §9: gin, a Basic Auth check, a fixed body.
func bareGin(b *testing.B) http.Handler {
	ginModeOnce.Do(func() { gin.SetMode(gin.ReleaseMode) })
	e := gin.New()
	s, _ := newTestServer(b, Options{})
	body := do(s, benchRequest()).Body.Bytes()
	e.POST("/extension/bytenant", func(c *gin.Context) {
		u, p, ok := c.Request.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(u), []byte("acme")) != 1 || subtle.ConstantTimeCompare([]byte(p), []byte("acme-pw")) != 1 {
			c.AbortWithStatus(http.StatusUnauthorized)
			return
		}
		c.Data(http.StatusOK, contentJSON, body)
	})
	return e
}

// The same pair over real HTTP (loopback TCP, keep-alive), closer to what
// a load generator sees.

func runHTTPBench(b *testing.B, h http.Handler) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r, _ := http.NewRequest("POST", srv.URL+"/extension/bytenant?tenant_id=80", nil)
			r.SetBasicAuth("acme", "acme-pw")
			resp, err := client.Do(r)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
}

func BenchmarkHTTPCachedExtensionByTenant(b *testing.B) {
	s, _ := newTestServer(b, Options{})
	runHTTPBench(b, s)
}

func BenchmarkHTTPBareGinBaseline(b *testing.B) {
	runHTTPBench(b, bareGin(b))
}
