package api

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/astapi/astapi/flow"
	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/internal/ids"
	"github.com/astapi/astapi/parser"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// Test users: the password of user NAME is NAME-pw.
const (
	idAcme    = "80"
	idGlobex  = "81"
	idInitech = "82"
)

var (
	hashOnce sync.Once
	hashes   map[string][]byte
)

// passwordHash returns a bcrypt hash (MinCost, for speed) of name-pw, made
// once per test binary.
func passwordHash(name string) []byte {
	hashOnce.Do(func() {
		hashes = map[string][]byte{}
		for _, n := range []string{"admin", "root", "acme", "globex", "auditor"} {
			h, err := bcrypt.GenerateFromPassword([]byte(n+"-pw"), bcrypt.MinCost)
			if err != nil {
				panic(err)
			}
			hashes[n] = h
		}
	})
	return hashes[name]
}

// testSnapshot builds the hand-made snapshot of the golden tests: three
// tenants, five users, four extensions, a trunk and four destinations.
func testSnapshot() *index.Snapshot {
	acmeT := &index.Tenant{ID: idAcme, Key: "Acme", Name: "Acme Corp", Code: "Acme", Declared: true}
	globexT := &index.Tenant{ID: idGlobex, Key: "Globex", Name: "Globex", Code: "Globex", Declared: true}
	initechT := &index.Tenant{ID: idInitech, Key: "Initech", Name: "Initech <R&D>", Code: "Initech", Declared: true}
	all := []string{idAcme, idGlobex, idInitech}
	users := []*index.User{
		{ID: "97", Name: "admin", Email: "admin@example.com", PasswordHash: passwordHash("admin"), Role: index.RoleAdmin, Tenants: all},
		{ID: "98", Name: "root", Email: "root@example.com", PasswordHash: passwordHash("root"), Role: index.RoleAdmin, Tenants: all, Secrets: true},
		{ID: "134", Name: "acme", Email: "it@acme.example", PasswordHash: passwordHash("acme"), Role: index.RoleTenant, Tenants: []string{idAcme}},
		{ID: "135", Name: "globex", Email: "it@globex.example", PasswordHash: passwordHash("globex"), Role: index.RoleTenant, Tenants: []string{idGlobex}},
		{ID: "136", Name: "auditor", Email: "Audit@Example.com", PasswordHash: passwordHash("auditor"), Role: index.RoleTenant, Tenants: all, Secrets: true},
	}
	peer := func(name, tech, tenant, host, secret, kind string) *index.Peer {
		return &index.Peer{Name: name, Tech: tech, Source: "sip.conf", Host: host, Secret: secret, SecretKind: kind, TenantID: tenant, Type: "friend"}
	}
	exts := []*index.Extension{
		{ID: "1002", TenantID: idAcme, Number: "202", Name: "Bob \"B\" Baker", CIDNum: "5145550102", CIDName: "Bob <Baker> & Co", CallWaiting: "no",
			Peers: []*index.Peer{
				peer("202-Acme", "SIP", idAcme, "dynamic", "0123456789abcdef0123456789abcdef", index.SecretMD5),
				peer("202", "SIP", idAcme, "10.0.0.2", "bob<pw>&\"x", index.SecretPlain),
			}},
		{ID: "1001", TenantID: idAcme, Number: "201", Name: "Alice Anders", CIDNum: "5145550100", CIDName: "Acme Corp", CallWaiting: "yes",
			Peers: []*index.Peer{peer("201-Acme", "SIP", idAcme, "dynamic", "alice-secret-1", index.SecretPlain)}},
		{ID: "2001", TenantID: idGlobex, Number: "401", Name: "Grace Green", CIDNum: "", CIDName: "Grace Green", CallWaiting: "",
			Peers: []*index.Peer{peer("401-Globex", "SIP", idGlobex, "dynamic", "grace-secret", index.SecretPlain)}},
		{ID: "3001", TenantID: idInitech, Number: "301", Name: "Peter Park", CIDNum: "2125550300", CIDName: "Initech", CallWaiting: "",
			Peers: []*index.Peer{peer("301-Initech", "PJSIP", idInitech, "", "", "")}},
	}
	dests := []*index.Destination{
		{ID: "5002", TenantID: idAcme, TypeSrc: "CONDITION", TypeDst: "IVR", Ord: 1, Src: "acme-tc,s,1", Dst: "acme-ivr,s,1", File: "extensions-acme.conf", Line: 20},
		{ID: "5001", TenantID: idAcme, TypeSrc: "DID", TypeDst: "EXT", Ord: 1, Src: "acme-inbound,5145550101,1", Dst: "acme-internal,201,1", File: "extensions-acme.conf", Line: 12},
		{ID: "5003", TenantID: idAcme, TypeSrc: "NOTCONDITION", TypeDst: "DISA", Ord: 2, Src: "acme-tc,s,2", Dst: "acme-disa,s,1", File: "extensions-acme.conf", Line: 21},
		{ID: "6001", TenantID: idGlobex, TypeSrc: "DID", TypeDst: "HUNTLIST", Ord: 1, Src: "globex-inbound,4165550200,1", Dst: "globex-internal,600,1", File: "extensions.conf", Line: 40},
	}
	return withReadAPI(index.NewSnapshot(&index.Snapshot{ // withReadAPI: handlers_read_test.go
		BuiltAt:       time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
		BuildDuration: 1500 * time.Microsecond,
		Fingerprint:   "fp-test-A",
		ConfigFile:    "/etc/astapi/astapi.ini",
		Server:        index.Server{AsteriskDir: "/etc/astapi/asterisk"},
		SectionOwners: map[string][]index.SectionOwner{"extensions.conf": {{Line: 1, Tenants: []string{idAcme}}, {Line: 30, Tenants: []string{idGlobex}}}},
		Files:         []string{"/etc/astapi/astapi.ini", "/etc/asterisk/sip.conf", "/etc/astapi/asterisk/extensions.conf"},
		Tenants:       []*index.Tenant{initechT, globexT, acmeT},
		Users:         users,
		Extensions:    exts,
		Trunks:        []*index.Peer{peer("trunk-acme", "SIP", idAcme, "sip.provider.example", "trunk-secret-xyz", index.SecretPlain)},
		Destinations:  dests,
		Flow:          graphOf(dests),
		Diags: parser.Diagnostics{
			{Pos: parser.Pos{File: "extensions.conf", Line: 3}, Severity: parser.Warning, Message: "unknown application Foo(alice-secret-1)"},
			{Pos: parser.Pos{File: "extensions.conf", Line: 31}, Severity: parser.Warning, Message: "Goto to globex-hidden: no such context"},
			{Pos: parser.Pos{File: "/srv/pbx/shared/trunks.conf", Line: 2}, Severity: parser.Warning, Message: "#include /srv/pbx/shared/x.conf: not found"},
		},
	}))
}

// graphOf is the call-flow graph whose edges are dests: one object per
// source and per target position (IDs from 9001), typed by the edge.
// dests are sorted by ID, as a snapshot holds them next to its graph.
func graphOf(dests []*index.Destination) *flow.Graph {
	g := &flow.Graph{}
	objs := map[string]*flow.Object{}
	obj := func(tenant, typ, entry string) *flow.Object {
		k := tenant + "|" + typ + "|" + entry
		if o := objs[k]; o != nil {
			return o
		}
		ctx, rest, _ := strings.Cut(entry, ",")
		exten, _, _ := strings.Cut(rest, ",")
		o := &flow.Object{ID: strconv.Itoa(9001 + len(g.Objects)), TenantID: tenant, Type: typ, Entry: entry,
			Context: ctx, Exten: exten, Name: ctx + "," + exten}
		objs[k] = o
		g.Objects = append(g.Objects, o)
		return o
	}
	for _, d := range dests {
		from := map[string]string{"DID": flow.TypeDID, "CONDITION": flow.TypeCondition, "NOTCONDITION": flow.TypeCondition}[d.TypeSrc]
		g.Edges = append(g.Edges, &flow.Edge{ID: d.ID, TenantID: d.TenantID, TypeSrc: d.TypeSrc,
			From: obj(d.TenantID, from, d.Src), To: obj(d.TenantID, d.TypeDst, d.Dst), Ord: d.Ord, Src: d.Src,
			Pos: parser.Pos{File: d.File, Line: d.Line}})
	}
	ids.SortByID(g.Objects, func(o *flow.Object) string { return o.ID })
	ids.SortByID(g.Edges, func(e *flow.Edge) string { return e.ID })
	ids.SortByID(dests, func(d *index.Destination) string { return d.ID })
	return g
}

// loadedStore returns a store serving snap (through one Reload).
func loadedStore(t testing.TB, snap func() *index.Snapshot) *index.Store {
	t.Helper()
	st := index.NewStore(func() (*index.Snapshot, error) { return snap(), nil })
	if res := st.Reload(); !res.Success {
		t.Fatalf("reload: %v", res.Err)
	}
	return st
}

func newTestServer(t testing.TB, opts Options) (*Server, *index.Store) {
	t.Helper()
	st := loadedStore(t, testSnapshot)
	return New(st, opts), st
}

// caller is who sends a request.
type caller struct {
	name     string // golden file suffix
	user     string // "" = no Authorization header
	password string
}

var (
	cAdmin   = caller{"admin", "admin", "admin-pw"}
	cRoot    = caller{"root", "root", "root-pw"}
	cAcme    = caller{"tenant", "acme", "acme-pw"}
	cGlobex  = caller{"othertenant", "globex", "globex-pw"}
	cAuditor = caller{"auditor", "auditor", "auditor-pw"}
	cWrongPW = caller{"wrongpassword", "admin", "not-the-password"}
	cNoAuth  = caller{"noauth", "", ""}
)

// req describes a request: method, path, and the parameters encoded as
// enc says.
type req struct {
	method string
	path   string
	enc    string // "form", "multipart", "json", "query", "raw" or "" (no params)
	params [][2]string
	json   string // enc == "json": the raw body, if set
	ctype  string // enc == "raw"
	body   string // enc == "raw"
	header map[string]string
	remote string
}

// with returns r with the parameters name, value, name, value, ….
func (r req) with(kv ...string) req {
	for i := 0; i+1 < len(kv); i += 2 {
		r.params = append(r.params, [2]string{kv[i], kv[i+1]})
	}
	return r
}

// form is a POST of the parameters kv as a form body.
func form(path string, kv ...string) req {
	return req{method: "POST", path: path, enc: "form"}.with(kv...)
}

func (r req) build(c caller) *http.Request {
	var body io.Reader
	ctype := ""
	target := r.path
	switch r.enc {
	case "form":
		v := url.Values{}
		for _, p := range r.params {
			v.Add(p[0], p[1])
		}
		body, ctype = strings.NewReader(v.Encode()), "application/x-www-form-urlencoded"
	case "multipart":
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		for _, p := range r.params {
			_ = w.WriteField(p[0], p[1])
		}
		_ = w.Close()
		body, ctype = &b, w.FormDataContentType()
	case "json":
		s := r.json
		if s == "" {
			m := map[string]string{}
			for _, p := range r.params {
				m[p[0]] = p[1]
			}
			b, _ := json.Marshal(m)
			s = string(b)
		}
		body, ctype = strings.NewReader(s), "application/json"
	case "query":
		v := url.Values{}
		for _, p := range r.params {
			v.Add(p[0], p[1])
		}
		target += "?" + v.Encode()
	case "raw":
		body, ctype = strings.NewReader(r.body), r.ctype
	}
	hr := httptest.NewRequest(r.method, target, body)
	if ctype != "" {
		hr.Header.Set("Content-Type", ctype)
	}
	if c.user != "" {
		hr.SetBasicAuth(c.user, c.password)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	if r.remote != "" {
		hr.RemoteAddr = r.remote
	}
	return hr
}

func do(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// goldenHeaders are the headers a golden file records.
var goldenHeaders = []string{"Allow", "Cache-Control", "Content-Type", "ETag", "Retry-After", "Vary", "WWW-Authenticate"}

// dump renders a response as a golden file: status, selected headers, body.
func dump(w *httptest.ResponseRecorder) string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d\n", w.Code)
	hs := append([]string(nil), goldenHeaders...)
	sort.Strings(hs)
	for _, h := range hs {
		if v := w.Header().Get(h); v != "" {
			fmt.Fprintf(&b, "%s: %s\n", h, v)
		}
	}
	b.WriteString("\n")
	b.WriteString(w.Body.String())
	b.WriteString("\n")
	return b.String()
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./api -run %s -update)", err, t.Name())
	}
	if string(want) != got {
		t.Errorf("%s differs from %s:\n--- got\n%s--- want\n%s", t.Name(), path, got, want)
	}
}

// envelope decodes a response body.
type envelope struct {
	Status  string          `json:"status"`
	Data    json.RawMessage `json:"data"`
	Message string          `json:"message"`
}

func decode(t testing.TB, w *httptest.ResponseRecorder) envelope {
	t.Helper()
	var e envelope
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
		t.Fatalf("body %q: %v", w.Body.String(), err)
	}
	return e
}
