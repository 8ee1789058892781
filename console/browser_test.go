package console

import (
	"bytes"
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/astapi/astapi/index"
)

var updateScreenshot = flag.Bool("update-screenshot", false,
	"write the screenshot of the first demo's tenant page to "+screenshotPath+" (the README shows it)")

// screenshotPath is relative to this package's directory.
const screenshotPath = "../docs/console.png"

// chromiumPath is where Debian's chromium package puts the browser.
const chromiumPath = "/usr/bin/chromium"

// browserDemo is a demo PBX as the browser test walks it.
type browserDemo struct {
	name, dir string
	tenant    string   // key of the tenant whose page is checked
	other     string   // key of another tenant ("" when the demo has one)
	user      string   // a tenant user of tenant
	phones    []string // phone numbers tenant's page lists
	// The objects ("TYPE name") and edges (source kinds) the diagram must
	// show, besides every object the snapshot has.
	drawnObjects, drawnEdges []string
	screenshot               bool // its tenant page is the README's screenshot
}

// TestBrowser opens every console page of both demo PBXs in headless
// Chromium, as an admin and as a tenant user, and checks what the pages
// show: phones, the diagram's objects, findings, the stylesheet applied
// under the Content-Security-Policy with no console error, and 403 for a
// tenant user on another tenant's page.
func TestBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		fmt.Printf("SKIP TestBrowser: no Chromium at %s (apt-get install chromium): the console was not tested in a browser\n", chromiumPath)
		t.Skipf("no Chromium at %s", chromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// The first Run starts the browser; it lives as long as bctx, so the
	// time limit goes on each tab instead.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}

	for _, bd := range []browserDemo{
		{name: "asterisk", dir: "../fixtures", tenant: "Acme", other: "Globex", user: "acme",
			phones: []string{"201", "202", "203", "204"}, screenshot: true,
			drawnObjects: []string{"DID acme-inbound,5145550100", "CONDITION acme-tc,s", "IVR acme-ivr,s", "HUNTLIST acme-internal,600",
				"QUEUE acme-internal,700", "DISA acme-disa,s", "PLAYBACK acme-closed,s", "EXT acme-internal,201", "VOICEMAIL acme-internal,700"},
			drawnEdges: []string{"DID", "CONDITION", "NOTCONDITION", "IVR_1", "IVR_TIMEOUT", "EXT-BUSY", "QUEUE-TIMEOUT", "HUNTLIST-TIMEOUT"}},
		{name: "freepbx", dir: "../fixtures/freepbx", tenant: "northwind", user: "office",
			phones: []string{"1101", "1102", "1103", "1104", "1105", "1201", "1202"},
			drawnObjects: []string{"DID ext-did-0002,5551230100", "CONDITION timeconditions,1", "IVR Main Menu", "PLAYBACK Office Closed",
				"HUNTLIST ext-group,600", "QUEUE ext-queues,400", "EXT ext-local,1102", "SPECIAL app-blackhole,busy"},
			drawnEdges: []string{"DID", "CONDITION", "NOTCONDITION", "IVR_0", "IVR_WRONG", "EXT-NOANSWER", "QUEUE-TIMEOUT", "HUNTLIST-TIMEOUT"}},
	} {
		t.Run(bd.name, func(t *testing.T) { walkDemo(t, bctx, bd) })
	}
}

// walkDemo checks one demo in a new browser tab per user.
func walkDemo(t *testing.T, bctx context.Context, bd browserDemo) {
	d := newDemo(t, bd.dir, demoOptions{})
	srv := httptest.NewServer(d.handler)
	defer srv.Close()
	snap := d.store.Current()
	tenant := snap.TenantByKey(bd.tenant)
	if tenant == nil {
		t.Fatalf("%s: no tenant %q", bd.dir, bd.tenant)
	}
	// The diagram's objects, each labelled "TYPE name": the demo's own
	// list, and every object the snapshot has.
	objects := bd.drawnObjects
	for _, o := range snap.ObjectsByTenant(tenant.ID, "") {
		objects = append(objects, o.Type+" "+o.Name)
	}

	for _, user := range []string{"admin", bd.user} {
		w := walk{base: srv.URL, demo: bd, user: user, tenant: tenant, phones: bd.phones, objects: objects}
		for _, tn := range snap.TenantsOf(snap.UserByName(user)) {
			w.visible = append(w.visible, tn)
		}
		if user != "admin" {
			w.foreign = "999" // no such tenant: 403 all the same
			if bd.other != "" {
				w.foreign = snap.TenantByKey(bd.other).ID
			}
		}
		t.Run(user, func(t *testing.T) { w.run(t, bctx) })
	}
}

// walk is one user's visit of a demo.
type walk struct {
	base            string // the server's URL
	demo            browserDemo
	user            string
	tenant          *index.Tenant   // the tenant whose page is checked in detail
	phones, objects []string        // what its page must show
	visible         []*index.Tenant // every tenant page the user may open
	foreign         string          // a tenant page the user may not open ("" for admins)
}

// run opens the demo's pages as w.user in a new tab.
func (w walk) run(t *testing.T, bctx context.Context) {
	b := newBrowserTab(t, bctx, w.base, w.user)
	defer b.close()

	b.open("/ui/", http.StatusOK)
	// The embedded stylesheet applies under the policy.
	if bg := b.eval(`getComputedStyle(document.body).backgroundColor`); bg != "rgb(246, 247, 249)" {
		t.Errorf("/ui/: body background %q: the stylesheet did not apply", bg)
	}
	w.tenantPage(t, b)
	b.open("/ui/status", http.StatusOK)
	if got := b.text("#reload"); !strings.Contains(got, "succeeded") {
		t.Errorf("/ui/status: %q", got)
	}
	for _, tn := range w.visible {
		b.open("/ui/tenants/"+tn.ID, http.StatusOK)
		if got := b.text("h1"); !strings.Contains(got, tn.Name) {
			t.Errorf("%s's page: title %q", tn.Name, got)
		}
	}
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Errorf("console errors: %q", errs)
	}
	if w.foreign != "" {
		b.open("/ui/tenants/"+w.foreign, http.StatusForbidden)
		if got := b.text("#error"); got != "You may not see this tenant." {
			t.Errorf("tenant %s: %q", w.foreign, got)
		}
		// Chromium reports the page's own 403, and nothing else.
		for _, e := range b.takeErrors() {
			if !strings.Contains(e, "status of 403") {
				t.Errorf("console error on the 403 page: %q", e)
			}
		}
	}
}

// tenantPage follows the tenant's link from /ui/ and checks its page.
func (w walk) tenantPage(t *testing.T, b *browserTab) {
	tenant := w.tenant
	if got := b.text("#tenants"); !strings.Contains(got, tenant.Name) {
		t.Errorf("/ui/: %q lacks %q", got, tenant.Name)
	}
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(`a[href="/ui/tenants/`+tenant.ID+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#flow"))); err != nil {
		t.Fatalf("following %s's link: %v", tenant.Name, err)
	}
	got := b.text("#phones")
	for _, p := range w.phones {
		if !strings.Contains(got, p) {
			t.Errorf("%s's phones lack %s:\n%s", tenant.Name, p, got)
		}
	}
	labels, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#flow svg g.node"),
		g => Array.from(g.querySelectorAll("text"), t => t.textContent).join(" "))`))
	if err != nil {
		t.Fatal(err)
	}
	drawn := strings.Join(labels, "\n")
	for _, o := range w.objects {
		if !strings.Contains(drawn, o) {
			t.Errorf("%s's diagram lacks the object %q; it has:\n%s", tenant.Name, o, drawn)
		}
	}
	edges, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#flow svg g.edge text"), t => t.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range w.demo.drawnEdges {
		if !slices.Contains(edges, e) {
			t.Errorf("%s's diagram lacks an edge %q; it has %q", tenant.Name, e, edges)
		}
	}
	if got := b.text("#findings"); !strings.Contains(got, "error") || !regexp.MustCompile(`\.conf:\d+`).MatchString(got) {
		t.Errorf("%s's findings lack an error with its file:line:\n%s", tenant.Name, got)
	}
	if w.demo.screenshot && w.user == "admin" {
		takeScreenshot(t, b.ctx)
	}
}

// browserTab is one tab logged in as one user, collecting the console's
// errors (a blocked stylesheet or a policy violation shows there).
type browserTab struct {
	t      *testing.T
	ctx    context.Context
	close  func()
	base   string
	mu     sync.Mutex
	errors []string
}

func newBrowserTab(t *testing.T, bctx context.Context, base, user string) *browserTab {
	ctx, cancel := chromedp.NewContext(bctx)
	ctx, cancelTime := context.WithTimeout(ctx, 2*time.Minute)
	b := &browserTab{t: t, ctx: ctx, base: base, close: func() { cancelTime(); cancel() }}
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*log.EventEntryAdded); ok && e.Entry.Level == log.EntryLevelError {
			b.mu.Lock()
			b.errors = append(b.errors, e.Entry.Text)
			b.mu.Unlock()
		}
	})
	if err == nil {
		_, err = chromedp.Call(ctx, log.Enable, cdp.Empty{})
	}
	if err == nil {
		_, err = chromedp.Call(ctx, network.Enable, network.EnableParams{})
	}
	if err == nil {
		// Log in: Basic Auth on every request of the tab.
		auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+user+"-demo"))
		_, err = chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
			Headers: network.Headers{"Authorization": auth}})
	}
	if err != nil {
		b.close()
		t.Fatal(err)
	}
	return b
}

// open navigates to path and checks the answer's status.
func (b *browserTab) open(path string, want int) {
	b.t.Helper()
	resp, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		b.t.Fatalf("%s: %v", path, err)
	}
	if int(resp.Status) != want {
		b.t.Fatalf("%s: HTTP %d, want %d", path, resp.Status, want)
	}
}

// text is the visible text of the element sel selects.
func (b *browserTab) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("%s: %v", sel, err)
	}
	return s
}

// eval evaluates a string expression (through DevTools, which the page's
// policy does not restrict; the page itself runs no script).
func (b *browserTab) eval(expr string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.t.Fatalf("%s: %v", expr, err)
	}
	return s
}

// takeErrors returns the console errors so far and forgets them.
func (b *browserTab) takeErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.errors
	b.errors = nil
	return e
}

// takeScreenshot captures the whole page (PNG); with
// -update-screenshot it becomes the README's picture.
func takeScreenshot(t *testing.T, tab context.Context) {
	t.Helper()
	buf, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil || img.Bounds().Dx() < 800 {
		t.Fatalf("screenshot: %v", err)
	}
	if !*updateScreenshot {
		return
	}
	if err := os.MkdirAll(filepath.Dir(screenshotPath), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(screenshotPath, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", screenshotPath, len(buf))
}
