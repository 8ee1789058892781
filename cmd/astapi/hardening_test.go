package main

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestHardening sends bad input to a real `astapi serve` (net/http server,
// its limits and the gin router): each gets a clear 4xx naming the
// problem, nothing panics, no answer shows a stack trace, and the server
// answers normally afterwards.
func TestHardening(t *testing.T) {
	s := startServe(t, "--config", copyFixtures(t))
	const (
		dupTenant    = "duplicate parameter: tenant_id is given more than once in "
		badTenant    = "invalid parameter: tenant_id must be a positive integer (at most 9007199254740991)"
		badExtension = "invalid parameter: extension_id must be a positive integer (at most 9007199254740991)"
	)
	big := strings.Repeat("a", 2<<20)
	cases := []struct {
		name        string
		path        string // default /destination/all
		query       string
		ctype, body string
		chunked     bool // send the body without Content-Length
		header      map[string]string
		code        int
		msg         string // the message, or for non-JSON answers a part of the body
	}{
		{name: "body over 1 MiB, declared", ctype: "application/x-www-form-urlencoded", body: "tenant_id=80&x=" + big, code: 413, msg: "request body too large"},
		{name: "body over 1 MiB, chunked", ctype: "application/x-www-form-urlencoded", body: "tenant_id=80&x=" + big, chunked: true, code: 413, msg: "request body too large"},
		{name: "JSON over 1 MiB, chunked", ctype: "application/json", body: `{"tenant_id":80,"x":"` + big + `"}`, chunked: true, code: 413, msg: "request body too large"},
		{name: "text/xml", ctype: "text/xml", body: "<tenant_id>80</tenant_id>", code: 415,
			msg: `unsupported Content-Type "text/xml": use application/x-www-form-urlencoded, multipart/form-data or application/json`},
		{name: "octet-stream", ctype: "application/octet-stream", body: "tenant_id=80", code: 415,
			msg: `unsupported Content-Type "application/octet-stream": use application/x-www-form-urlencoded, multipart/form-data or application/json`},
		{name: "malformed Content-Type", ctype: "application/json; charset", body: `{"tenant_id":80}`, code: 415, msg: "malformed Content-Type header"},
		{name: "multipart without boundary", ctype: "multipart/form-data", body: "tenant_id=80", code: 400, msg: "malformed multipart body: no boundary"},
		{name: "truncated JSON", ctype: "application/json", body: `{"tenant_id":80`, code: 400, msg: "malformed JSON body: want one JSON object"},
		{name: "bad UTF-8 in query", query: "tenant_id=8%FF0", code: 400, msg: "invalid parameter: tenant_id is not valid UTF-8"},
		{name: "bad UTF-8 in form", ctype: "application/x-www-form-urlencoded", body: "tenant_id=%C0%B0", code: 400, msg: "invalid parameter: tenant_id is not valid UTF-8"},
		{name: "bad UTF-8 in JSON", ctype: "application/json", body: "{\"tenant_id\":\"8\xff0\"}", code: 400, msg: "invalid parameter: tenant_id is not valid UTF-8"},
		{name: "bad UTF-8 e-mail", path: "/user/tenants", ctype: "application/x-www-form-urlencoded", body: "user=it%FE@acme.example", code: 400, msg: "invalid parameter: user is not valid UTF-8"},
		{name: "duplicate in query", query: "tenant_id=80&tenant_id=81", code: 400, msg: dupTenant + "the query string"},
		{name: "duplicate in form", ctype: "application/x-www-form-urlencoded", body: "tenant_id=80&tenant_id=81", code: 400, msg: dupTenant + "the form body"},
		{name: "duplicate in multipart", ctype: "multipart/form-data; boundary=B",
			body: "--B\r\nContent-Disposition: form-data; name=\"tenant_id\"\r\n\r\n80\r\n--B\r\nContent-Disposition: form-data; name=\"tenant_id\"\r\n\r\n81\r\n--B--\r\n",
			code: 400, msg: dupTenant + "the multipart body"},
		{name: "duplicate in JSON", ctype: "application/json", body: `{"tenant_id":80,"tenant_id":81}`, code: 400, msg: dupTenant + "the JSON body"},
		{name: "2^53", query: "tenant_id=9007199254740992", code: 400, msg: badTenant},
		{name: "40 digits", query: "tenant_id=1234567890123456789012345678901234567890", code: 400, msg: badTenant},
		{name: "40-digit JSON number", ctype: "application/json", body: `{"tenant_id":1234567890123456789012345678901234567890}`, code: 400, msg: badTenant},
		{name: "1e400", ctype: "application/json", body: `{"tenant_id":1e400}`, code: 400, msg: badTenant},
		{name: "negative", query: "tenant_id=-80", code: 400, msg: badTenant},
		{name: "negative JSON", ctype: "application/json", body: `{"tenant_id":-80}`, code: 400, msg: badTenant},
		{name: "negative extension", path: "/extension/byid", query: "extension_id=-1", code: 400, msg: badExtension},
		{name: "huge extension", path: "/extension/byid", query: "extension_id=" + strings.Repeat("9", 40), code: 400, msg: badExtension},
		{name: "NUL in ID", query: "tenant_id=80%00", code: 400, msg: badTenant},
		{name: "headers of 100 KiB", header: map[string]string{"X-Big": strings.Repeat("b", 100<<10)}, code: 431, msg: "Request Header Fields Too Large"},
		{name: "path traversal", path: "/destination/../../etc/passwd", code: 404, msg: "no such endpoint"},
		{name: "encoded traversal", path: "/%2e%2e/%2e%2e/etc/passwd", code: 404, msg: "no such endpoint"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path
			if path == "" {
				path = "/destination/all"
			}
			a, err := s.try(call{method: "POST", path: path, user: "admin"}, func(r *http.Request) {
				r.URL.RawQuery = tc.query
				if tc.body != "" {
					r.Body = io.NopCloser(strings.NewReader(tc.body))
					r.ContentLength = int64(len(tc.body))
					if tc.chunked {
						r.Body = io.NopCloser(io.MultiReader(strings.NewReader(tc.body))) // hides the length
						r.ContentLength = -1
					}
				}
				if tc.ctype != "" {
					r.Header.Set("Content-Type", tc.ctype)
				}
				for k, v := range tc.header {
					r.Header.Set(k, v)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			got := a.message()
			if !strings.HasPrefix(a.hdr.Get("Content-Type"), "application/json") {
				got = a.body
			}
			if a.code != tc.code || !strings.Contains(got, tc.msg) {
				t.Errorf("%d %q, want %d %q", a.code, got, tc.code, tc.msg)
			}
			if strings.Contains(a.body, "goroutine ") || strings.Contains(a.body, ".go:") {
				t.Errorf("answer shows a stack trace: %s", a.body)
			}
		})
	}
	// Precedence documented in api/doc.go: a body value beats a query value.
	want := s.do(call{method: "POST", path: "/destination/all", user: "admin", form: form("tenant_id", acmeID)})
	got := s.do(call{method: "POST", path: "/destination/all?tenant_id=81", user: "admin", form: form("tenant_id", acmeID)})
	if want.code != 200 || got.body != want.body || got.etag != want.etag {
		t.Errorf("body over query: %d %s, want %d %s", got.code, got.body, want.code, want.body)
	}
	// Still serving.
	if a := s.do(call{method: "GET", path: "/user/login", user: "admin"}); a.code != 200 {
		t.Errorf("after bad input: %d %s", a.code, a.body)
	}
	if bytes.Contains([]byte(s.log.String()), []byte("level=ERROR")) {
		t.Errorf("bad input logged errors:\n%s", s.log)
	}
}
