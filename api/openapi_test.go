package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/astapi/astapi/index"
)

func loadOpenAPI(t testing.TB) (*openapi3.T, routers.Router) {
	t.Helper()
	// /destination/graph answers Graphviz DOT: a string body.
	openapi3filter.RegisterBodyDecoder("text/vnd.graphviz", openapi3filter.FileBodyDecoder)
	doc, err := openapi3.NewLoader().LoadFromData(openapiJSON)
	if err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not valid OpenAPI: %v", err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return doc, router
}

// contractCase is a request whose response must match openapi.json.
type contractCase struct {
	name string
	c    caller
	r    req
	code int
}

// contractCases are requests giving every status of every endpoint.
func contractCases() []contractCase {
	var out []contractCase
	for _, ec := range endpointCases {
		for _, c := range []caller{cAdmin, cRoot, cAcme, cGlobex, cAuditor, cWrongPW, cNoAuth} {
			out = append(out, contractCase{ec.slug + "/" + c.name, c, ec.r, 0})
		}
		inm := ec.r
		inm.header = map[string]string{"If-None-Match": "*"}
		out = append(out, contractCase{ec.slug + "/304", cRoot, inm, http.StatusNotModified})
		if len(ec.r.params) > 0 {
			bad := ec.r
			bad.params = nil
			out = append(out, contractCase{ec.slug + "/400", cRoot, bad, http.StatusBadRequest})
			raw := ec.r
			raw.enc, raw.ctype, raw.body = "raw", "text/plain", "x"
			out = append(out, contractCase{ec.slug + "/415", cRoot, raw, http.StatusUnsupportedMediaType})
			big := ec.r
			big.enc, big.ctype, big.body = "raw", "application/x-www-form-urlencoded", strings.Repeat("a", 2<<20)
			out = append(out, contractCase{ec.slug + "/413", cRoot, big, http.StatusRequestEntityTooLarge})
			for _, enc := range []string{"json", "multipart", "query"} {
				r := ec.r
				r.enc = enc
				out = append(out, contractCase{ec.slug + "/" + enc, cRoot, r, http.StatusOK})
			}
		}
		wrong := ec.r
		wrong.method = map[string]string{"GET": "POST", "POST": "GET"}[ec.r.method]
		out = append(out, contractCase{ec.slug + "/405", cRoot, wrong, http.StatusMethodNotAllowed})
	}
	out = append(out,
		contractCase{"destination/404", cAdmin, form("/destination/all", "tenant_id", "999"), 404},
		contractCase{"bytenant/404", cAdmin, form("/extension/bytenant", "tenant_id", "999"), 404},
		contractCase{"byid/404", cAdmin, form("/extension/byid", "extension_id", "999"), 404},
		contractCase{"extuser/404", cRoot, form("/extension/user", "tenant_id", "80", "extension_id", "999"), 404},
		contractCase{"tenants/404", cAdmin, form("/user/tenants", "user", "x@y.example"), 404},
		contractCase{"json-number", cRoot, req{method: "POST", path: "/extension/user", enc: "json", json: `{"tenant_id":80,"extension_id":1002}`}, 200},
		contractCase{"status", cAcme, req{method: "GET", path: "/status"}, 200},
		contractCase{"status/401", cNoAuth, req{method: "GET", path: "/status"}, 401},
		contractCase{"status/405", cAcme, req{method: "POST", path: "/status"}, 405},
		contractCase{"healthz", cNoAuth, req{method: "GET", path: "/healthz"}, 200},
		contractCase{"readyz", cNoAuth, req{method: "GET", path: "/readyz"}, 200},
		contractCase{"openapi", cNoAuth, req{method: "GET", path: "/openapi.json"}, 200},
		contractCase{"openapi/304", cNoAuth, req{method: "GET", path: "/openapi.json", header: map[string]string{"If-None-Match": openapiETag}}, 304},
		contractCase{"metrics", cNoAuth, req{method: "GET", path: "/metrics"}, 200},
		contractCase{"metrics/405", cNoAuth, req{method: "POST", path: "/metrics"}, 405},
	)
	audit := func(kv ...string) req { return auditReq(kv...) }
	inm := audit()
	inm.header = map[string]string{"If-None-Match": "*"}
	out = append(out,
		contractCase{"audit/admin", cAdmin, audit(), 200},
		contractCase{"audit/tenant", cAcme, audit(), 200},
		contractCase{"audit/auditor", cAuditor, audit(), 200},
		contractCase{"audit/filter", cAdmin, audit("tenant_id", "80"), 200},
		contractCase{"audit/304", cRoot, inm, 304},
		contractCase{"audit/400", cAdmin, audit("tenant_id", "x"), 400},
		contractCase{"audit/401", cNoAuth, audit(), 401},
		contractCase{"audit/401-wrong", cWrongPW, audit(), 401},
		contractCase{"audit/403", cGlobex, audit("tenant_id", "80"), 403},
		contractCase{"audit/404", cAdmin, audit("tenant_id", "999"), 404},
		contractCase{"audit/405", cAdmin, req{method: "POST", path: "/audit/secrets"}, 405},
		contractCase{"audit/415", cAdmin, req{method: "GET", path: "/audit/secrets", enc: "raw", ctype: "text/plain", body: "x"}, 415},
	)
	return out
}

// TestOpenAPIContract validates real responses of every endpoint (and the
// requests that produced them) against openapi.json.
func TestOpenAPIContract(t *testing.T) {
	_, router := loadOpenAPI(t)
	s, _ := newTestServer(t, Options{LoginFailureLimit: -1})
	statuses := map[string]map[int]bool{}
	for _, cc := range contractCases() {
		t.Run(cc.name, func(t *testing.T) {
			hr := cc.r.build(cc.c)
			hr.Host = "localhost"
			reqBody := readAll(t, hr)
			w := do(s, hr)
			if cc.code != 0 && w.Code != cc.code {
				t.Fatalf("status %d, want %d: %s", w.Code, cc.code, w.Body)
			}
			vr := hr.Clone(context.Background())
			vr.Body = io.NopCloser(bytes.NewReader(reqBody))
			validate(t, router, vr, w.Code, w.Header(), w.Body.Bytes(), w.Code == http.StatusOK)
			if statuses[cc.r.path] == nil {
				statuses[cc.r.path] = map[int]bool{}
			}
			statuses[cc.r.path][w.Code] = true
		})
	}
	// Every status the contract promises for the seed's endpoints was seen.
	for _, ec := range endpointCases {
		for _, code := range []int{200, 304, 401, 405} {
			if !statuses[ec.r.path][code] {
				t.Errorf("%s: no %d answer checked", ec.r.path, code)
			}
		}
	}
}

// TestOpenAPIContractUnavailable and …RateLimited: 503 and 429 answers.
func TestOpenAPIContractUnavailable(t *testing.T) {
	_, router := loadOpenAPI(t)
	s := New(index.NewStore(func() (*index.Snapshot, error) { return nil, nil }), Options{MetricsRequireAuth: true})
	for _, cc := range append(endpointCases, endpointCase{"status", req{method: "GET", path: "/status"}}, endpointCase{"readyz", req{method: "GET", path: "/readyz"}},
		endpointCase{"audit", auditReq()}, endpointCase{"metrics", req{method: "GET", path: "/metrics"}}) {
		w := do(s, cc.r.build(cAdmin))
		if w.Code != http.StatusServiceUnavailable {
			t.Fatalf("%s: %d", cc.slug, w.Code)
		}
		validate(t, router, cc.r.build(cAdmin), w.Code, w.Header(), w.Body.Bytes(), false)
	}
}

func TestOpenAPIContractRateLimited(t *testing.T) {
	_, router := loadOpenAPI(t)
	clock := &fakeClock{t: time.Unix(0, 0)}
	s, _ := newTestServer(t, Options{LoginFailureLimit: 1, Now: clock.Now, MetricsRequireAuth: true})
	do(s, endpointCases[0].r.build(cWrongPW))
	for _, cc := range append(endpointCases, endpointCase{"status", req{method: "GET", path: "/status"}},
		endpointCase{"audit", auditReq()}, endpointCase{"metrics", req{method: "GET", path: "/metrics"}}) {
		w := do(s, cc.r.build(cAdmin))
		if w.Code != http.StatusTooManyRequests {
			t.Fatalf("%s: %d", cc.slug, w.Code)
		}
		validate(t, router, cc.r.build(cAdmin), w.Code, w.Header(), w.Body.Bytes(), false)
	}
}

// TestOpenAPIContractMetricsAuth: /metrics with MetricsRequireAuth.
func TestOpenAPIContractMetricsAuth(t *testing.T) {
	_, router := loadOpenAPI(t)
	s, _ := newTestServer(t, Options{MetricsRequireAuth: true, LoginFailureLimit: -1})
	for _, c := range []caller{cNoAuth, cWrongPW, cAcme} {
		r := req{method: "GET", path: "/metrics"}
		w := do(s, r.build(c))
		if want := map[bool]int{true: 200, false: 401}[c == cAcme]; w.Code != want {
			t.Fatalf("as %s: %d, want %d", c.name, w.Code, want)
		}
		validate(t, router, r.build(c), w.Code, w.Header(), w.Body.Bytes(), true)
	}
}

// TestOpenAPIRoutes: the contract lists exactly the routes the server has.
func TestOpenAPIRoutes(t *testing.T) {
	doc, _ := loadOpenAPI(t)
	s, _ := newTestServer(t, Options{})
	served := map[string]bool{}
	for _, r := range s.engine.Routes() {
		served[r.Method+" "+r.Path] = true
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	for k := range served {
		// HEAD answers as GET does (HTTP semantics): not listed apart.
		if path, ok := strings.CutPrefix(k, "HEAD "); ok && served["GET "+path] {
			continue
		}
		if !documented[k] {
			t.Errorf("%s is served but not in openapi.json", k)
		}
	}
	for k := range documented {
		if !served[k] {
			t.Errorf("%s is in openapi.json but not served", k)
		}
	}
}

func readAll(t testing.TB, r *http.Request) []byte {
	t.Helper()
	if r.Body == nil {
		return nil
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

// validate checks a response (and, for 200s, its request) against the
// contract. Requests for a method the contract does not list (405) are
// checked against the Failed schema directly.
func validate(t *testing.T, router routers.Router, r *http.Request, code int, h http.Header, body []byte, checkRequest bool) {
	t.Helper()
	ctx := context.Background()
	route, pathParams, err := router.FindRoute(r)
	if err != nil {
		if code != http.StatusMethodNotAllowed {
			t.Fatalf("no route for %s %s: %v", r.Method, r.URL, err)
		}
		doc := route0(router)
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatal(err)
		}
		if err := doc.Components.Schemas["Failed"].Value.VisitJSON(v); err != nil {
			t.Errorf("405 body: %v", err)
		}
		return
	}
	opts := &openapi3filter.Options{
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		IncludeResponseStatus: true,
		MultiError:            true,
	}
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: pathParams, Route: route, Options: opts}
	if checkRequest {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			t.Errorf("request %s %s does not match the contract: %v", r.Method, r.URL, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: code, Header: h, Options: opts}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		t.Errorf("response %d to %s %s does not match the contract: %v\n%s", code, r.Method, r.URL.Path, err, body)
	}
}

var contractDoc *openapi3.T

func route0(routers.Router) *openapi3.T {
	if contractDoc == nil {
		contractDoc, _ = openapi3.NewLoader().LoadFromData(openapiJSON)
	}
	return contractDoc
}

// TestOpenAPIContractCatchesDrift: the validation does reject answers that
// break the contract (a numeric ID, a missing field, a wrong envelope).
func TestOpenAPIContractCatchesDrift(t *testing.T) {
	_, router := loadOpenAPI(t)
	ctx := context.Background()
	for _, tc := range []struct {
		path, body string
		code       int
	}{
		{"/user/login", `{"status":"success","data":{"user_id":97}}`, 200},
		{"/user/login", `{"status":"ok","data":{"user_id":"97"}}`, 200},
		{"/user/get", `{"status":"success","data":[{"us_id":"1"}]}`, 200},
		{"/user/login", `{"status":"failed"}`, 401},
		{"/user/login", `{"status":"failed","message":"x"}`, 418},
	} {
		r := req{method: "GET", path: tc.path}.build(cAdmin)
		route, pp, err := router.FindRoute(r)
		if err != nil {
			t.Fatal(err)
		}
		opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: pp, Route: route, Options: opts},
			Status:                 tc.code,
			Header:                 http.Header{"Content-Type": {contentJSON}},
			Options:                opts,
		}
		in.SetBodyBytes([]byte(tc.body))
		if err := openapi3filter.ValidateResponse(ctx, in); err == nil {
			t.Errorf("%d %s accepted", tc.code, tc.body)
		}
	}
}
