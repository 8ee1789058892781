package console

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/astapi/astapi/api"
	"github.com/astapi/astapi/audit"
	"github.com/astapi/astapi/diagram"
	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/internal/demofixtures"
	"github.com/astapi/astapi/internal/flowtest"
	"github.com/astapi/astapi/parser"
)

// demo is a served copy of one of the repository's demo PBXs.
type demo struct {
	ini     string // astapi.ini of the copy
	store   *index.Store
	handler http.Handler
}

// demoOptions change what a demo serves.
type demoOptions struct {
	// handGraph replaces the demo's call flow by flowtest.Graph for the
	// tenants with these two keys.
	handGraph  [2]string
	extraDiags []parser.Diagnostic
	noDrawer   bool
}

// newDemo serves a copy of the fixtures directory dir (its passwords are
// NAME-demo) with the console mounted.
func newDemo(t testing.TB, dir string, opt demoOptions) *demo {
	t.Helper()
	d := &demo{ini: demofixtures.Copy(t, dir)}
	d.store = index.NewStore(func() (*index.Snapshot, error) {
		s, err := index.Load(d.ini)
		if err != nil {
			return nil, err
		}
		s.Diags = append(s.Diags, opt.extraDiags...)
		if opt.handGraph[0] != "" {
			s.Flow = flowtest.Graph(s.TenantByKey(opt.handGraph[0]).ID, s.TenantByKey(opt.handGraph[1]).ID)
			s = index.NewSnapshot(s)
		}
		return s, nil
	})
	if res := d.store.Reload(); !res.Success {
		t.Fatalf("loading %s: %v", dir, res.Err)
	}
	opts := api.Options{DrawSVG: diagram.New(0).SVG, Mount: Mount}
	if opt.noDrawer {
		opts.DrawSVG = nil
	}
	d.handler = api.New(d.store, opts)
	return d
}

// pickTenant returns the tenant with that key, else the one with the most
// phones (a demo in discovery mode names its tenants after contexts).
func pickTenant(s *index.Snapshot, key string) *index.Tenant {
	if t := s.TenantByKey(key); t != nil {
		return t
	}
	var best *index.Tenant
	for _, t := range s.Tenants {
		if best == nil || len(s.ExtensionsByTenant(t.ID)) > len(s.ExtensionsByTenant(best.ID)) {
			best = t
		}
	}
	return best
}

func (d *demo) tenantID(key string) string { return d.store.Current().TenantByKey(key).ID }

type answer struct {
	code int
	h    http.Header
	body string
}

func (d *demo) get(t testing.TB, user, path string, header ...string) answer {
	t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	if user != "" {
		r.SetBasicAuth(user, user+"-demo")
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	d.handler.ServeHTTP(w, r)
	return answer{w.Code, w.Header(), w.Body.String()}
}

func mustContain(t testing.TB, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func TestPages(t *testing.T) {
	d := newDemo(t, "../fixtures", demoOptions{})
	acme, globex, initech := d.tenantID("Acme"), d.tenantID("Globex"), d.tenantID("Initech")

	a := d.get(t, "admin", "/ui/")
	if a.code != 200 {
		t.Fatalf("/ui/ as admin: %d %s", a.code, a.body)
	}
	mustContain(t, "/ui/ as admin", a.body, `href="/ui/tenants/`+acme+`">Acme Corp</a>`, `>Globex</a>`, `>Initech</a>`)
	// Acme: 4 phones, 1 trunk, 3 DIDs (fixtures/README.md), and the
	// audit's findings about its peers by severity.
	errs, warns := 0, 0
	for _, f := range audit.New().Run(d.store.Current()) {
		if f.TenantID == acme {
			if f.Severity == audit.Error {
				errs++
			} else {
				warns++
			}
		}
	}
	counts := fmt.Sprintf(`Acme Corp</a></td>\s*<td class="num">4</td>\s*<td class="num">1</td>\s*<td class="num">3</td>\s*`+
		`<td class="num sev-error">%d</td>\s*<td class="num sev-warning">%d</td>`, errs, warns)
	if errs == 0 || warns == 0 || !regexp.MustCompile(counts).MatchString(a.body) {
		t.Errorf("/ui/ as admin: Acme's counts are not 4 phones, 1 trunk, 3 DIDs, %d+%d findings:\n%s", errs, warns, a.body)
	}

	a = d.get(t, "acme", "/ui/")
	mustContain(t, "/ui/ as acme", a.body, "Acme Corp")
	if strings.Contains(a.body, "Globex") || strings.Contains(a.body, "Initech") {
		t.Errorf("/ui/ as acme shows another tenant:\n%s", a.body)
	}

	a = d.get(t, "acme", "/ui/tenants/"+acme)
	if a.code != 200 {
		t.Fatalf("acme's page: %d %s", a.code, a.body)
	}
	// Phones with number, name, caller ID, device and host; the trunk;
	// findings with file:line.
	mustContain(t, "acme's page", a.body,
		"<td>201</td><td>Alice Anders</td><td>Acme Corp &lt;5145550100&gt;</td>",
		"SIP/202-Acme", "<td>dynamic</td>",
		"<td>trunk-acme</td>", "sip.provider.example",
		`<td class="sev-error">error</td>`, `<td class="pos">sip.conf:`)
	// The call flow: tables and the diagram (objects with type and name,
	// edges with their source kind).
	mustContain(t, "acme's page", a.body,
		"<td>5145550100</td>\n<td>acme-inbound,5145550100</td>", "<code>DID</code> → CONDITION acme-tc,s",
		"<code>IVR_2</code> → QUEUE acme-internal,700", "<code>NOTCONDITION</code> → DISA acme-disa,s",
		// Voicemail boxes with the objects that reach them, no PIN.
		"<td>201@acme</td><td>Alice Anders</td><td>alice@acme.example</td>", "<li>acme-internal,201,5 (busy)</li>",
		`<div class="diagram"><svg`, ">IVR</text>", ">acme&#45;ivr,s</text>", ">QUEUE</text>", ">IVR_1</text>", ">NOTCONDITION</text>")
	if strings.Contains(a.body, "globex-") || strings.Contains(a.body, "Grace Green") {
		t.Errorf("acme's page shows Globex's objects")
	}

	// Another tenant's page: 403 for a tenant user, whether it exists or
	// not; 404 for an admin when it does not.
	for _, c := range []struct{ user, path string }{
		{"acme", "/ui/tenants/" + globex}, {"acme", "/ui/tenants/" + initech},
		{"acme", "/ui/tenants/999"}, {"acme", "/ui/tenants/x"}, {"globex", "/ui/tenants/" + acme},
	} {
		if a := d.get(t, c.user, c.path); a.code != 403 || !strings.Contains(a.body, "You may not see this tenant.") || strings.Contains(a.body, "Globex</") {
			t.Errorf("%s as %s: %d %s", c.path, c.user, a.code, a.body)
		}
	}
	if a := d.get(t, "admin", "/ui/tenants/999"); a.code != 404 {
		t.Errorf("unknown tenant as admin: %d", a.code)
	}
	if a := d.get(t, "auditor", "/ui/tenants/"+globex); a.code != 200 {
		t.Errorf("globex as auditor: %d", a.code)
	}
	if a := d.get(t, "", "/ui/"); a.code != 401 || a.h.Get("WWW-Authenticate") == "" {
		t.Errorf("no credentials: %d %v", a.code, a.h)
	}
	r := httptest.NewRequest("GET", "/ui/", nil)
	r.SetBasicAuth("acme", "wrong")
	w := httptest.NewRecorder()
	d.handler.ServeHTTP(w, r)
	if w.Code != 401 {
		t.Errorf("wrong password: %d", w.Code)
	}
	if a := d.get(t, "", "/ui"); a.code != 301 || a.h.Get("Location") != "/ui/" {
		t.Errorf("/ui: %d %v", a.code, a.h)
	}
}

// TestHeaders: every page has the strict policy and no script or inline
// style; cacheable pages validate by ETag per user; the stylesheet is
// served without credentials.
func TestHeaders(t *testing.T) {
	d := newDemo(t, "../fixtures", demoOptions{})
	acme := d.tenantID("Acme")
	for _, path := range []string{"/ui/", "/ui/tenants/" + acme, "/ui/status", "/ui/tenants/" + d.tenantID("Globex")} {
		a := d.get(t, "acme", path)
		csp := a.h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "style-src 'self'") || strings.Contains(csp, "unsafe") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
		if a.h.Get("X-Content-Type-Options") != "nosniff" || a.h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: headers %v", path, a.h)
		}
		for _, bad := range []string{"<script", " style=", "<style", "javascript:", " on"} {
			if bad == " on" {
				if regexp.MustCompile(`\son[a-z]+=`).MatchString(a.body) {
					t.Errorf("%s has an event handler attribute", path)
				}
				continue
			}
			if strings.Contains(strings.ToLower(a.body), bad) {
				t.Errorf("%s holds %q", path, bad)
			}
		}
	}
	a := d.get(t, "acme", "/ui/tenants/"+acme)
	tag := a.h.Get("ETag")
	if tag == "" || a.h.Get("Cache-Control") != "private, no-cache" || a.h.Get("Vary") != "Authorization" {
		t.Fatalf("tenant page headers: %v", a.h)
	}
	if b := d.get(t, "acme", "/ui/tenants/"+acme, "If-None-Match", tag); b.code != 304 || b.body != "" {
		t.Errorf("If-None-Match: %d %q", b.code, b.body)
	}
	if b := d.get(t, "auditor", "/ui/tenants/"+acme, "If-None-Match", tag); b.code != 200 || b.h.Get("ETag") == tag {
		t.Errorf("another user's ETag: %d %s", b.code, b.h.Get("ETag"))
	}
	if b := d.get(t, "acme", "/ui/status"); b.h.Get("Cache-Control") != "no-store" || b.h.Get("ETag") != "" {
		t.Errorf("/ui/status is cacheable: %v", b.h)
	}
	css := regexp.MustCompile(`href="(/ui/static/console\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(a.body)
	if css == nil {
		t.Fatalf("no stylesheet link")
	}
	c := d.get(t, "", css[1])
	if c.code != 200 || !strings.HasPrefix(c.h.Get("Content-Type"), "text/css") || c.h.Get("ETag") == "" {
		t.Fatalf("stylesheet: %d %v", c.code, c.h)
	}
	if c2 := d.get(t, "", css[1], "If-None-Match", c.h.Get("ETag")); c2.code != 304 {
		t.Errorf("stylesheet If-None-Match: %d", c2.code)
	}
}

// TestNoSecrets: no page shows a SIP secret or a voicemail PIN, to any
// user (the auditor may read secrets through the API, not here).
func TestNoSecrets(t *testing.T) {
	d := newDemo(t, "../fixtures", demoOptions{})
	snap := d.store.Current()
	var secrets []string
	for _, e := range snap.Extensions {
		for _, p := range e.Peers {
			secrets = append(secrets, p.Secret)
		}
	}
	for _, p := range snap.Trunks {
		secrets = append(secrets, p.Secret)
	}
	vm, err := os.ReadFile(filepath.Join(filepath.Dir(d.ini), "asterisk", "voicemail.conf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?m)^\s*\d+\s*=>\s*(\d+),`).FindAllStringSubmatch(string(vm), -1) {
		secrets = append(secrets, m[1])
	}
	if len(secrets) < 10 {
		t.Fatalf("only %d secrets found: the fixtures changed", len(secrets))
	}
	svg := regexp.MustCompile(`(?s)<svg.*</svg>`)
	for _, user := range []string{"admin", "auditor", "acme"} {
		paths := []string{"/ui/", "/ui/status"}
		for _, tn := range snap.TenantsOf(snap.UserByName(user)) {
			paths = append(paths, "/ui/tenants/"+tn.ID)
		}
		for _, p := range paths {
			// Drawing coordinates are numbers too: the diagram's text is
			// checked as its labels.
			body := svg.ReplaceAllStringFunc(d.get(t, user, p).body, func(s string) string {
				return strings.Join(regexp.MustCompile(`>([^<]*)</text>`).FindAllString(s, -1), " ")
			})
			for _, s := range secrets {
				// As a word of its own: a 4-digit PIN also turns up
				// inside timings and sizes ("1.26093 ms").
				word := regexp.MustCompile(`(^|[^0-9A-Za-z])` + regexp.QuoteMeta(s) + `($|[^0-9A-Za-z])`)
				if len(s) >= 4 && word.MatchString(body) {
					t.Errorf("%s as %s shows the secret %q", p, user, s)
				}
			}
		}
	}
}

// TestStatus: an admin sees the whole report; a tenant user the
// diagnostics on its own lines only, no reload error text and no files.
func TestStatus(t *testing.T) {
	// Lines of the demo: 201-Acme's section in sip.conf and Globex's
	// dialplan; found from the snapshot so the test follows the fixtures.
	probe := newDemo(t, "../fixtures", demoOptions{}).store.Current()
	acmePeer := probe.ExtensionsByTenant(probe.TenantByKey("Acme").ID)[0].Peers[0].Pos
	globexCtx := probe.Dialplan.Context(probe.TenantByKey("Globex").Contexts[0]).Pos
	d := newDemo(t, "../fixtures", demoOptions{extraDiags: []parser.Diagnostic{
		{Pos: acmePeer, Severity: parser.Warning, Message: "acme-line diagnostic"},
		{Pos: globexCtx, Severity: parser.Error, Message: "globex-line diagnostic"},
		{Pos: parser.Pos{File: "extensions.conf", Line: 99999}, Severity: parser.Warning, Message: "unowned diagnostic secret=hunter2"},
	}})

	a := d.get(t, "admin", "/ui/status")
	mustContain(t, "status as admin", a.body, "acme-line diagnostic", "globex-line diagnostic", "unowned diagnostic secret=********",
		`id="files"`, "asterisk/sip.conf", `<span class="ok">succeeded</span>`)
	if strings.Contains(a.body, "hunter2") {
		t.Errorf("status shows a secret")
	}
	a = d.get(t, "acme", "/ui/status")
	mustContain(t, "status as acme", a.body, "acme-line diagnostic", acmePeer.String(), "succeeded", "Generation")
	// A tenant user sees the files of its own tenants only (as GET /status).
	for _, bad := range []string{"globex-line", "unowned", "sip-globex.conf", "extensions-initech.conf"} {
		if strings.Contains(a.body, bad) {
			t.Errorf("status as acme shows %q", bad)
		}
	}
}

func TestDiagramDegrades(t *testing.T) {
	d := newDemo(t, "../fixtures", demoOptions{noDrawer: true})
	a := d.get(t, "acme", "/ui/tenants/"+d.tenantID("Acme"))
	if a.code != 200 || !strings.Contains(a.body, "The diagram could not be drawn: format=svg: this server draws no diagrams.") ||
		!strings.Contains(a.body, "<td>201</td>") {
		t.Errorf("without a drawer: %d %s", a.code, a.body)
	}
}

// TestHandGraph: every kind of detail is shown, and names are escaped in
// the tables and in the diagram.
func TestHandGraph(t *testing.T) {
	d := newDemo(t, "../fixtures", demoOptions{handGraph: [2]string{"Acme", "Globex"}})
	a := d.get(t, "acme", "/ui/tenants/"+d.tenantID("Acme"))
	mustContain(t, "acme's page", a.body,
		"Main &lt;line&gt; &amp; co", "from trunks trunk-acme", "ringall, rings 20 s", "members 201, 202",
		"box 100@acme, unavail", "no voicemail box 100@acme is defined", "08:00-17:00,mon-fri,*,*", "<code>IVR_1</code> → HUNTLIST Sales",
		`<div class="diagram"><svg`, ">Main &lt;line&gt; &amp; co</text>", ">HUNTLIST</text>", ">Sales</text>", ">IVR_2</text>")
	if strings.Contains(a.body, "<line>") || strings.Contains(a.body, "Globex main") {
		t.Errorf("acme's page: unescaped name or Globex's object")
	}
}
