package api

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/astapi/astapi/index"
)

// TestParamEncodings: the same parameters as form, multipart, JSON string,
// JSON number and query string give the same answer.
func TestParamEncodings(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	want := do(s, req{method: "POST", path: "/extension/user", enc: "form",
		params: [][2]string{{"tenant_id", idAcme}, {"extension_id", "1002"}}}.build(cAuditor))
	if want.Code != http.StatusOK {
		t.Fatalf("form: %d %s", want.Code, want.Body)
	}
	variants := map[string]req{
		"multipart":       {enc: "multipart", params: [][2]string{{"tenant_id", idAcme}, {"extension_id", "1002"}}},
		"json strings":    {enc: "json", json: `{"tenant_id":"80","extension_id":"1002"}`},
		"json numbers":    {enc: "json", json: `{"tenant_id":80,"extension_id":1002}`},
		"json mixed":      {enc: "json", json: ` { "extension_id" : 1002 , "tenant_id" : "80", "other": [1,{"x":null}] } `},
		"json+suffix":     {enc: "raw", ctype: "application/vnd.api+json; charset=utf-8", body: `{"tenant_id":80,"extension_id":1002}`},
		"query":           {enc: "query", params: [][2]string{{"tenant_id", idAcme}, {"extension_id", "1002"}}},
		"query and form":  {enc: "raw", ctype: "application/x-www-form-urlencoded", body: "extension_id=1002"},
		"leading zeros":   {enc: "form", params: [][2]string{{"tenant_id", "0080"}, {"extension_id", "001002"}}},
		"blanks trimmed":  {enc: "form", params: [][2]string{{"tenant_id", " 80\t"}, {"extension_id", "1002 "}}},
		"no content type": {enc: "raw", body: "tenant_id=80&extension_id=1002"},
		"no ctype json":   {enc: "raw", body: `{"tenant_id":80,"extension_id":1002}`},
		"unknown extra":   {enc: "form", params: [][2]string{{"tenant_id", idAcme}, {"extension_id", "1002"}, {"foo", "bar"}}},
	}
	for name, r := range variants {
		t.Run(name, func(t *testing.T) {
			r.method, r.path = "POST", "/extension/user"
			hr := r.build(cAuditor)
			if name == "query and form" {
				hr.URL.RawQuery = "tenant_id=80&extension_id=999"
			}
			w := do(s, hr)
			if w.Code != want.Code || w.Body.String() != want.Body.String() || w.Header().Get("ETag") != want.Header().Get("ETag") {
				t.Errorf("%d %s ETag %s, want %d %s ETag %s", w.Code, w.Body, w.Header().Get("ETag"),
					want.Code, want.Body, want.Header().Get("ETag"))
			}
		})
	}
}

// TestParamErrors: missing, blank and malformed IDs are 400s naming the
// parameter, in every encoding.
func TestParamErrors(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	bad := []struct {
		name, value string
		msg         string // "" = must be a positive integer
	}{
		{"blank", "", "blank parameter: tenant_id"},
		{"spaces", "   ", "blank parameter: tenant_id"},
		{"non-numeric", "acme", ""},
		{"hex", "0x50", ""},
		{"negative", "-80", ""},
		{"plus", "+80", ""},
		{"zero", "0", ""},
		{"zeros", "000", ""},
		{"float", "80.0", ""},
		{"exponent", "8e1", ""},
		{"inner space", "8 0", ""},
		{"max int64 + 1", "9223372036854775808", ""},
		{"2^53", "9007199254740992", ""},
		{"40 digits", strings.Repeat("1234567890", 4), ""},
		{"negative huge", "-" + strings.Repeat("9", 40), ""},
		{"huge", strings.Repeat("9", 400), ""},
		{"unicode digits", "٨٠", ""},
		{"nul", "80\x00", ""},
	}
	for _, enc := range []string{"form", "multipart", "json", "query"} {
		for _, b := range bad {
			t.Run(enc+"/"+b.name, func(t *testing.T) {
				r := req{method: "POST", path: "/destination/all", enc: enc, params: [][2]string{{"tenant_id", b.value}}}
				w := do(s, r.build(cAdmin))
				want := b.msg
				if want == "" {
					want = msgInvalidTenant
				}
				if w.Code != http.StatusBadRequest || decode(t, w).Message != want {
					t.Errorf("%q: %d %s, want 400 %q", b.value, w.Code, w.Body, want)
				}
			})
		}
	}
	jsonBad := map[string]string{
		"negative number": `{"tenant_id":-80}`,
		"zero number":     `{"tenant_id":0}`,
		"float number":    `{"tenant_id":80.0}`,
		"exponent number": `{"tenant_id":8e1}`,
		"huge number":     `{"tenant_id":1e400}`,
		"big number":      `{"tenant_id":9223372036854775808}`,
		"2^53 number":     `{"tenant_id":9007199254740992}`,
		"40-digit number": `{"tenant_id":1234567890123456789012345678901234567890}`,
		"true":            `{"tenant_id":true}`,
		"null":            `{"tenant_id":null}`,
		"array":           `{"tenant_id":[80]}`,
		"object":          `{"tenant_id":{"id":80}}`,
	}
	for name, body := range jsonBad {
		t.Run("json/"+name, func(t *testing.T) {
			w := do(s, req{method: "POST", path: "/destination/all", enc: "json", json: body}.build(cAdmin))
			if w.Code != http.StatusBadRequest || decode(t, w).Message != msgInvalidTenant {
				t.Errorf("%s: %d %s", body, w.Code, w.Body)
			}
		})
	}
	// Missing: no parameter at all, or only others.
	for name, r := range map[string]req{
		"no body":       {},
		"empty form":    {enc: "raw", ctype: "application/x-www-form-urlencoded", body: ""},
		"other param":   {enc: "form", params: [][2]string{{"tenantid", "80"}}},
		"empty json":    {enc: "json", json: `{}`},
		"case differs":  {enc: "json", json: `{"Tenant_ID":80}`},
		"file part":     {enc: "raw", ctype: "multipart/form-data; boundary=XX", body: "--XX\r\nContent-Disposition: form-data; name=\"tenant_id\"; filename=\"a.txt\"\r\n\r\n80\r\n--XX--\r\n"},
		"whitespace js": {enc: "raw", ctype: "application/json", body: " \n "},
	} {
		t.Run("missing/"+name, func(t *testing.T) {
			r.method, r.path = "POST", "/destination/all"
			w := do(s, r.build(cAdmin))
			if w.Code != http.StatusBadRequest || decode(t, w).Message != "missing parameter: tenant_id" {
				t.Errorf("%d %s", w.Code, w.Body)
			}
		})
	}
	// The second parameter is named too.
	w := do(s, req{method: "POST", path: "/extension/user", enc: "form", params: [][2]string{{"tenant_id", "80"}, {"extension_id", "x"}}}.build(cRoot))
	if w.Code != http.StatusBadRequest || !strings.Contains(decode(t, w).Message, "extension_id") {
		t.Errorf("extension_id: %d %s", w.Code, w.Body)
	}
	// e-mail parameter
	for _, v := range []string{"", " ", "no-at-sign", "@example.com", "x@", "a@b@c", "a b@example.com", "a\x01@example.com", strings.Repeat("a", 250) + "@x.com", "\xff@example.com"} {
		w := do(s, req{method: "POST", path: "/user/tenants", enc: "form", params: [][2]string{{"user", v}}}.build(cAdmin))
		if w.Code != http.StatusBadRequest || !strings.Contains(decode(t, w).Message, "user") {
			t.Errorf("user=%q: %d %s", v, w.Code, w.Body)
		}
	}
	w = do(s, req{method: "POST", path: "/user/tenants", enc: "json", json: `{"user":134}`}.build(cAdmin))
	if w.Code != http.StatusBadRequest {
		t.Errorf("user as number: %d %s", w.Code, w.Body)
	}
}

// TestBodyErrors: malformed, unsupported and oversized bodies.
func TestBodyErrors(t *testing.T) {
	s, _ := newTestServer(t, Options{MaxBodyBytes: 1024})
	cases := []struct {
		name  string
		r     req
		code  int
		inMsg string
	}{
		{"json array", req{enc: "json", json: `[80]`}, 400, "JSON"},
		{"json string", req{enc: "json", json: `"80"`}, 400, "JSON"},
		{"json null", req{enc: "json", json: `null`}, 400, "JSON"},
		{"json trailing", req{enc: "json", json: `{"tenant_id":80} {}`}, 400, "JSON"},
		{"json truncated", req{enc: "json", json: `{"tenant_id":80`}, 400, "JSON"},
		{"bad form escape", req{enc: "raw", ctype: "application/x-www-form-urlencoded", body: "tenant_id=%zz"}, 400, "form"},
		{"bad multipart", req{enc: "raw", ctype: "multipart/form-data; boundary=XX", body: "garbage"}, 400, "multipart"},
		{"multipart no boundary", req{enc: "raw", ctype: "multipart/form-data", body: "x"}, 400, "multipart"},
		{"form semicolon", req{enc: "raw", ctype: "application/x-www-form-urlencoded", body: "tenant_id=80;x=1"}, 400, "malformed form body"},
		{"too many names", req{enc: "raw", ctype: "application/x-www-form-urlencoded", body: "tenant_id=80" + manyNames(101)}, 400, "too many parameters"},
		{"text/plain", req{enc: "raw", ctype: "text/plain", body: "tenant_id=80"}, 415, "Content-Type"},
		{"text/xml", req{enc: "raw", ctype: "text/xml; charset=utf-8", body: "<tenant_id>80</tenant_id>"}, 415, `unsupported Content-Type "text/xml": use`},
		{"octet-stream", req{enc: "raw", ctype: "Application/Octet-Stream", body: "tenant_id=80"}, 415, `unsupported Content-Type "application/octet-stream"`},
		{"bad content type", req{enc: "raw", ctype: "application/json; charset", body: "{}"}, 415, "malformed Content-Type header"},
		{"too large declared", req{enc: "raw", ctype: "application/x-www-form-urlencoded", body: "tenant_id=80&x=" + strings.Repeat("a", 2000)}, 413, "too large"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.r.method, tc.r.path = "POST", "/destination/all"
			w := do(s, tc.r.build(cAdmin))
			if w.Code != tc.code || !strings.Contains(decode(t, w).Message, tc.inMsg) {
				t.Errorf("%d %s, want %d ~%q", w.Code, w.Body, tc.code, tc.inMsg)
			}
		})
	}
	// maxParams names exactly are taken.
	r := req{method: "POST", path: "/destination/all", enc: "raw", ctype: "application/x-www-form-urlencoded", body: "tenant_id=80" + manyNames(maxParams-1)}
	if w := do(s, r.build(cAdmin)); w.Code != http.StatusOK {
		t.Errorf("%d names: %d %s", maxParams, w.Code, w.Body)
	}
	r.body += "&one=more"
	if w := do(s, r.build(cAdmin)); w.Code != http.StatusBadRequest {
		t.Errorf("%d names: %d %s", maxParams+1, w.Code, w.Body)
	}
	// A body of unknown length over the limit fails while reading.
	hr := req{method: "POST", path: "/destination/all"}.build(cAdmin)
	hr.Body = io.NopCloser(io.MultiReader(strings.NewReader("tenant_id=80&x="), bytes.NewReader(bytes.Repeat([]byte("a"), 5000))))
	hr.ContentLength = -1
	hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if w := do(s, hr); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked: %d %s", w.Code, w.Body)
	}
	// Malformed query string.
	hr = req{method: "POST", path: "/destination/all"}.build(cAdmin)
	hr.URL.RawQuery = "tenant_id=%zz"
	if w := do(s, hr); w.Code != http.StatusBadRequest {
		t.Errorf("bad query: %d %s", w.Code, w.Body)
	}
	// Credentials are checked before the body is read.
	w := do(s, req{method: "POST", path: "/destination/all", enc: "raw", ctype: "text/plain", body: "x"}.build(cNoAuth))
	if w.Code != http.StatusUnauthorized {
		t.Errorf("unauthenticated bad body: %d", w.Code)
	}
	// Without the secrets permission the parameters are not even read.
	w = do(s, req{method: "POST", path: "/extension/user"}.build(cAdmin))
	if w.Code != http.StatusForbidden {
		t.Errorf("extension/user without secrets and params: %d", w.Code)
	}
}

// TestUnknownIDs: well-formed IDs that do not exist.
func TestUnknownIDs(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	for _, tc := range []struct {
		c    caller
		code int
	}{{cAdmin, 404}, {cAcme, 403}, {cAuditor, 403}} {
		for _, id := range []string{"999", "9007199254740991"} {
			w := do(s, req{method: "POST", path: "/extension/bytenant", enc: "json", json: `{"tenant_id":` + id + `}`}.build(tc.c))
			if w.Code != tc.code {
				t.Errorf("%s tenant %s: %d %s", tc.c.name, id, w.Code, w.Body)
			}
		}
	}
}

const msgInvalidTenant = "invalid parameter: tenant_id must be a positive integer (at most 9007199254740991)"

// TestParamDuplicates: a name given twice in one source is a 400 naming
// it and the source, whatever the values; a body value still replaces a
// query value (api/doc.go), and duplicates of names the endpoint does not
// read are ignored like those names.
func TestParamDuplicates(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	dup := func(where string) string {
		return "duplicate parameter: tenant_id is given more than once in " + where
	}
	post := func(query string, r req) *httptest.ResponseRecorder {
		r.method, r.path = "POST", "/destination/all"
		hr := r.build(cAdmin)
		hr.URL.RawQuery = query
		return do(s, hr)
	}
	for name, tc := range map[string]struct {
		query string
		r     req
		msg   string
	}{
		"query":              {query: "tenant_id=80&tenant_id=81", msg: dup(srcQuery)},
		"query same value":   {query: "tenant_id=80&tenant_id=80", msg: dup(srcQuery)},
		"query empty second": {query: "tenant_id=80&tenant_id=", msg: dup(srcQuery)},
		"form":               {r: req{enc: "raw", ctype: "application/x-www-form-urlencoded", body: "tenant_id=80&tenant_id=81"}, msg: dup(srcForm)},
		"multipart":          {r: req{enc: "multipart", params: [][2]string{{"tenant_id", "80"}, {"tenant_id", "81"}}}, msg: dup(srcMultipart)},
		"json":               {r: req{enc: "json", json: `{"tenant_id":80,"tenant_id":"81"}`}, msg: dup(srcJSON)},
		"json null first":    {r: req{enc: "json", json: `{"tenant_id":null,"tenant_id":"80"}`}, msg: dup(srcJSON)},
		"json thrice":        {r: req{enc: "json", json: `{"tenant_id":80,"tenant_id":80,"tenant_id":true}`}, msg: dup(srcJSON)},
		"form dup, query ok": {query: "tenant_id=80", r: req{enc: "raw", ctype: "application/x-www-form-urlencoded", body: "tenant_id=80&tenant_id=81"}, msg: dup(srcForm)},
	} {
		t.Run(name, func(t *testing.T) {
			w := post(tc.query, tc.r)
			if w.Code != http.StatusBadRequest || decode(t, w).Message != tc.msg {
				t.Errorf("%d %s, want 400 %q", w.Code, w.Body, tc.msg)
			}
		})
	}
	want := do(s, req{method: "POST", path: "/destination/all", enc: "form", params: [][2]string{{"tenant_id", idAcme}}}.build(cAdmin))
	for name, tc := range map[string]struct {
		query string
		r     req
	}{
		"body beats query":            {query: "tenant_id=81", r: req{enc: "json", json: `{"tenant_id":80}`}},
		"body beats duplicated query": {query: "tenant_id=81&tenant_id=82", r: req{enc: "raw", ctype: "application/x-www-form-urlencoded", body: "tenant_id=80"}},
		"unread name repeated":        {r: req{enc: "raw", ctype: "application/x-www-form-urlencoded", body: "tenant_id=80&x=1&x=2"}},
		"file part ignored":           {r: req{enc: "raw", ctype: "multipart/form-data; boundary=XX", body: "--XX\r\nContent-Disposition: form-data; name=\"tenant_id\"; filename=\"a\"\r\n\r\n81\r\n--XX\r\nContent-Disposition: form-data; name=\"tenant_id\"\r\n\r\n80\r\n--XX--\r\n"}},
	} {
		t.Run(name, func(t *testing.T) {
			w := post(tc.query, tc.r)
			if w.Code != http.StatusOK || w.Body.String() != want.Body.String() {
				t.Errorf("%d %s, want %d %s", w.Code, w.Body, want.Code, want.Body)
			}
		})
	}
}

// TestParamUTF8: a parameter that is not valid UTF-8 is a 400 saying so
// and naming it, in every encoding (encoding/json would otherwise turn the
// bytes into U+FFFD silently).
func TestParamUTF8(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	for _, tc := range []struct {
		path, name, value string
	}{
		{"/destination/all", "tenant_id", "8\xff0"},
		{"/destination/all", "tenant_id", "\xc0\xb0"}, // overlong '0'
		{"/user/tenants", "user", "it@acme\xfe.example"},
		{"/user/tenants", "user", "\xed\xa0\x80@x.y"}, // a UTF-16 surrogate
	} {
		want := "invalid parameter: " + tc.name + " is not valid UTF-8"
		for _, enc := range []string{"form", "multipart", "query", "rawjson"} {
			r := req{method: "POST", path: tc.path, enc: enc, params: [][2]string{{tc.name, tc.value}}}
			if enc == "rawjson" {
				r.enc, r.json = "json", `{"`+tc.name+`":"`+tc.value+`"}`
			}
			w := do(s, r.build(cAdmin))
			if w.Code != http.StatusBadRequest || decode(t, w).Message != want {
				t.Errorf("%s %s=%q: %d %s, want 400 %q", enc, tc.name, tc.value, w.Code, w.Body, want)
			}
		}
	}
}

var canonicalRE = regexp.MustCompile(`^[1-9][0-9]*$`)

// FuzzDecodeParams: parameter decoding never panics, and whatever it
// accepts as an ID is the canonical form of a positive int64 whose digits
// were in the request.
func FuzzDecodeParams(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", "tenant_id=1", []byte("tenant_id=80&extension_id=0012"))
	f.Add("application/json", "", []byte(`{"tenant_id":80,"extension_id":"12","user":"a@b.c"}`))
	f.Add("application/json", "", []byte(`{"tenant_id":8e1,"extension_id":[1],"user":null}`))
	f.Add("multipart/form-data; boundary=XX", "", []byte("--XX\r\nContent-Disposition: form-data; name=\"tenant_id\"\r\n\r\n80\r\n--XX--\r\n"))
	f.Add("", "tenant_id=%20080%20&user=x%40y", []byte(""))
	f.Add("", "", []byte(`{"tenant_id":"9007199254740991"}`))
	f.Add("application/json", "tenant_id=1", []byte(`{"tenant_id":1,"tenant_id":2,"user":"\xff@x.y"}`))
	f.Add("text/plain", "a=b;c", []byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, ctype, query string, body []byte) {
		r := &http.Request{
			Method: "POST",
			URL:    &url.URL{Path: "/x", RawQuery: query},
			Header: http.Header{},
			Body:   io.NopCloser(bytes.NewReader(body)),
		}
		if ctype != "" {
			r.Header.Set("Content-Type", ctype)
		}
		r.Body = http.MaxBytesReader(nil, r.Body, 1<<16)
		p := &params{}
		aerr := p.decode(r, nil)
		if aerr != nil {
			if aerr.code < 400 || aerr.code > 499 || aerr.message == "" {
				t.Fatalf("bad error %+v", aerr)
			}
			return
		}
		for _, name := range []string{"tenant_id", "extension_id"} {
			id, aerr := idParam(p, name)
			if aerr != nil {
				if aerr.code != http.StatusBadRequest || !strings.Contains(aerr.message, name) {
					t.Fatalf("%s: error %+v does not name it", name, aerr)
				}
				continue
			}
			if !canonicalRE.MatchString(id) {
				t.Fatalf("%s: accepted %q", name, id)
			}
			if n, err := strconv.ParseInt(id, 10, 64); err != nil || n <= 0 || n > index.MaxID {
				t.Fatalf("%s: accepted %q (%v)", name, id, err)
			}
			v, _ := p.get(name)
			raw := strings.TrimSpace(v)
			if strings.TrimLeft(raw, "0") != id {
				t.Fatalf("%s: %q became %q", name, raw, id)
			}
		}
		if e, aerr := emailParam(p, "user"); aerr == nil {
			if !utf8.ValidString(e) || strings.ContainsAny(e, "\x00 \t\r\n") || strings.Count(e, "@") != 1 || len(e) > maxEmailLen {
				t.Fatalf("user: accepted %q", e)
			}
		} else if aerr.code != http.StatusBadRequest || !strings.Contains(aerr.message, "user") {
			t.Fatalf("user: error %+v", aerr)
		}
	})
}

// manyNames is "&p0=&p1=…" with n distinct names.
func manyNames(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "&p%d=", i)
	}
	return b.String()
}

// TestParamLimitsExact: maxMultipartParts parts are read, one more is
// refused; an e-mail of maxEmailLen bytes is valid, one byte more is not.
func TestParamLimitsExact(t *testing.T) {
	s, _ := newTestServer(t, Options{LoginFailureLimit: -1})
	body := func(parts int) string {
		var b strings.Builder
		b.WriteString("--XX\r\nContent-Disposition: form-data; name=\"tenant_id\"\r\n\r\n" + idAcme + "\r\n")
		for range parts - 1 {
			b.WriteString("--XX\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n")
		}
		b.WriteString("--XX--\r\n")
		return b.String()
	}
	for parts, want := range map[int]int{maxMultipartParts: http.StatusOK, maxMultipartParts + 1: http.StatusBadRequest} {
		r := req{method: "POST", path: "/extension/bytenant", enc: "raw", ctype: "multipart/form-data; boundary=XX", body: body(parts)}
		if w := do(s, r.build(cAdmin)); w.Code != want {
			t.Errorf("%d parts: %d %s, want %d", parts, w.Code, w.Body, want)
		}
	}
	local := strings.Repeat("a", 64)
	email := local + "@" + strings.Repeat("b", maxEmailLen-len(local)-len("@.example")) + ".example"
	if len(email) != maxEmailLen || !validEmail(email) {
		t.Errorf("an e-mail of %d bytes refused", len(email))
	}
	if validEmail("c" + email) {
		t.Errorf("an e-mail of %d bytes taken", len(email)+1)
	}
}
