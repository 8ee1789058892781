package api

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/astapi/astapi/audit"
	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/parser"
	"time"
)

// families is a parsed /metrics answer.
type families map[string]*dto.MetricFamily

// scrape reads /metrics through the router as c.
func scrape(t testing.TB, h http.Handler, c caller) families {
	t.Helper()
	w := do(h, req{method: "GET", path: "/metrics"}.build(c))
	if w.Code != http.StatusOK {
		t.Fatalf("/metrics: %d %s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("/metrics Content-Type %q", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(w.Body)
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	return fams
}

// value sums the series of name whose labels include want: counter and
// gauge values, histogram sample counts. ok is false when none matched.
func (f families) value(name string, want ...string) (float64, bool) {
	fam := f[name]
	if fam == nil {
		return 0, false
	}
	var sum float64
	found := false
	for _, m := range fam.Metric {
		labels := map[string]string{}
		for _, l := range m.Label {
			labels[l.GetName()] = l.GetValue()
		}
		match := true
		for i := 0; i+1 < len(want); i += 2 {
			if labels[want[i]] != want[i+1] {
				match = false
			}
		}
		if !match {
			continue
		}
		found = true
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		case m.Untyped != nil:
			sum += m.Untyped.GetValue()
		}
	}
	return sum, found
}

func (f families) want(t testing.TB, want float64, name string, labels ...string) {
	t.Helper()
	got, ok := f.value(name, labels...)
	if !ok || got != want {
		t.Errorf("%s%v = %v (present %v), want %v", name, labels, got, ok, want)
	}
}

// TestMetricsRequests: requests are counted by route template, method and
// code, 404s under "unmatched" and 405s under their route; latencies are
// observed; auth failures are counted by reason; response cache lookups
// by result.
func TestMetricsRequests(t *testing.T) {
	clock := &fakeClock{}
	s, _ := newTestServer(t, Options{LoginFailureLimit: 2, Now: clock.Now})
	tenants := req{method: "POST", path: "/extension/bytenant", enc: "form", params: [][2]string{{"tenant_id", idAcme}}}
	for range 3 {
		do(s, tenants.build(cAcme)) // 1 miss, 2 hits
	}
	do(s, tenants.build(cNoAuth))                                                        // 401 missing
	do(s, req{method: "GET", path: "/user/login", remote: "10.0.0.9:1"}.build(cWrongPW)) // 401 wrong
	do(s, req{method: "GET", path: "/user/login", remote: "10.0.0.9:1"}.build(cWrongPW)) // 401 wrong
	do(s, req{method: "GET", path: "/user/login", remote: "10.0.0.9:1"}.build(cAdmin))   // 429
	do(s, req{method: "GET", path: "/status"}.build(cNoAuth))                            // 401 missing
	do(s, req{method: "GET", path: "/no/such/thing"}.build(cAdmin))                      // 404
	do(s, req{method: "GET", path: "/extension/byid"}.build(cAdmin))                     // 405
	do(s, req{method: "BREW", path: "/user/login"}.build(cAdmin))                        // 405, odd method

	f := scrape(t, s, cNoAuth)
	f.want(t, 3, mHTTPRequests, "route", "/extension/bytenant", "method", "POST", "code", "200")
	f.want(t, 1, mHTTPRequests, "route", "/extension/bytenant", "method", "POST", "code", "401")
	f.want(t, 2, mHTTPRequests, "route", "/user/login", "method", "GET", "code", "401")
	f.want(t, 1, mHTTPRequests, "route", "/user/login", "method", "GET", "code", "429")
	f.want(t, 1, mHTTPRequests, "route", "/status", "code", "401")
	f.want(t, 1, mHTTPRequests, "route", routeUnmatched, "method", "GET", "code", "404")
	f.want(t, 1, mHTTPRequests, "route", "/extension/byid", "method", "GET", "code", "405")
	f.want(t, 1, mHTTPRequests, "route", "/user/login", "method", methodOther, "code", "405")
	f.want(t, 4, mHTTPDuration, "route", "/extension/bytenant", "method", "POST")
	f.want(t, 2, mAuthFailures, "reason", reasonMissing)
	f.want(t, 2, mAuthFailures, "reason", reasonWrong)
	f.want(t, 1, mAuthFailures, "reason", reasonRateLimited)
	f.want(t, 2, mCacheHits, "cache", cacheResponse)
	f.want(t, 1, mCacheMisses, "cache", cacheResponse)
	f.want(t, 1, mCacheEntries, "cache", cacheResponse)
	if b, _ := f.value(mCacheBytes, "cache", cacheResponse); b <= 0 {
		t.Errorf("%s = %v", mCacheBytes, b)
	}
	for name, fam := range f {
		for _, m := range fam.Metric {
			for _, l := range m.Label {
				if l.GetName() == "route" && strings.Contains(l.GetValue(), "no/such") {
					t.Errorf("%s has the unmatched path as a label", name)
				}
				if l.GetName() == "method" && l.GetValue() == "BREW" {
					t.Errorf("%s has a client-made method as a label", name)
				}
			}
		}
	}
	// The scrape itself is counted by the next one.
	scrape(t, s, cNoAuth).want(t, 1, mHTTPRequests, "route", "/metrics", "method", "GET", "code", "200")
}

// TestMetricsAuth: no credentials by default; with MetricsRequireAuth any
// valid user, and failures count.
func TestMetricsAuth(t *testing.T) {
	s, _ := newTestServer(t, Options{MetricsRequireAuth: true, LoginFailureLimit: -1})
	if w := do(s, req{method: "GET", path: "/metrics"}.build(cNoAuth)); w.Code != http.StatusUnauthorized || w.Header().Get("WWW-Authenticate") == "" {
		t.Fatalf("no credentials: %d", w.Code)
	}
	for range 2 {
		if w := do(s, req{method: "GET", path: "/metrics"}.build(cWrongPW)); w.Code != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d", w.Code)
		}
	}
	f := scrape(t, s, cAcme) // a tenant user will do
	f.want(t, 1, mAuthFailures, "reason", reasonMissing)
	f.want(t, 2, mAuthFailures, "reason", reasonWrong)
	f.want(t, 3, mHTTPRequests, "route", "/metrics", "code", "401")

	// Nothing loaded yet: 503 with auth, the metrics without.
	empty := index.NewStore(func() (*index.Snapshot, error) { return nil, nil })
	if w := do(New(empty, Options{MetricsRequireAuth: true}), req{method: "GET", path: "/metrics"}.build(cAdmin)); w.Code != http.StatusServiceUnavailable {
		t.Errorf("unloaded, auth required: %d", w.Code)
	}
	scrape(t, New(empty, Options{}), cNoAuth).want(t, 0, mReloadOK)
}

// copyFixtures copies ../fixtures to a temporary directory.
func copyFixtures(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../fixtures")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestMetricsReload: a good load, a broken astapi.ini (kept serving the
// last good configuration), then the fix: the reload metrics follow.
func TestMetricsReload(t *testing.T) {
	dir := copyFixtures(t)
	ini := filepath.Join(dir, "astapi.ini")
	good, err := os.ReadFile(ini)
	if err != nil {
		t.Fatal(err)
	}
	st := index.NewStore(func() (*index.Snapshot, error) { return index.Load(ini) })
	if res := st.Reload(); !res.Success {
		t.Fatal(res.Err)
	}
	s := New(st, Options{})
	f := scrape(t, s, cNoAuth)
	f.want(t, 1, mReloadOK)
	f.want(t, 1, mReloads, "result", resultSuccess)
	f.want(t, 0, mReloads, "result", resultFailure)
	f.want(t, 1, mReloadDuration)
	f.want(t, 1, mGeneration)
	t1, _ := f.value(mReloadSuccessTime)
	if now := float64(time.Now().Unix()); t1 < now-3600 || t1 > now+60 {
		t.Fatalf("%s = %v, want about %v (seconds)", mReloadSuccessTime, t1, now)
	}

	// A plaintext password is refused at load.
	broken := strings.Replace(string(good), "password = $2a$10$ERQwhVMZfE5y8W5PhrHbbuNG/F3o15RY3uWk0trXjps0hwKKcGSna", "password = plain-text", 1)
	if broken == string(good) {
		t.Fatal("fixture changed: cannot break astapi.ini")
	}
	if err := os.WriteFile(ini, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	if res := st.Reload(); res.Success {
		t.Fatal("the broken configuration loaded")
	}
	f = scrape(t, s, cNoAuth)
	f.want(t, 0, mReloadOK)
	f.want(t, 1, mReloads, "result", resultSuccess)
	f.want(t, 1, mReloads, "result", resultFailure)
	f.want(t, 2, mReloadDuration)
	f.want(t, 1, mGeneration) // the last good one is still served
	f.want(t, t1, mReloadSuccessTime)

	if err := os.WriteFile(ini, good, 0o644); err != nil {
		t.Fatal(err)
	}
	if res := st.Reload(); !res.Success {
		t.Fatal(res.Err)
	}
	f = scrape(t, s, cNoAuth)
	f.want(t, 1, mReloadOK)
	f.want(t, 2, mReloads, "result", resultSuccess)
	f.want(t, 2, mGeneration)
	if t3, _ := f.value(mReloadSuccessTime); t3 < t1 {
		t.Errorf("success time went back: %v < %v", t3, t1)
	}

	// A server made after a failed attempt starts from it.
	if err := os.WriteFile(ini, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	st.Reload()
	f = scrape(t, New(st, Options{}), cNoAuth)
	f.want(t, 0, mReloadOK)
	f.want(t, 1, mReloads, "result", resultFailure)
	if ts, _ := f.value(mReloadSuccessTime); ts <= 0 {
		t.Errorf("%s = %v for a server made after a failed reload", mReloadSuccessTime, ts)
	}
}

// TestMetricsFixtures: objects, per-tenant counts and secret findings on
// the demo configuration.
func TestMetricsFixtures(t *testing.T) {
	st := index.NewStore(func() (*index.Snapshot, error) { return index.Load("../fixtures/astapi.ini") })
	if res := st.Reload(); !res.Success {
		t.Fatal(res.Err)
	}
	snap := st.Current()
	f := scrape(t, New(st, Options{}), cNoAuth)
	f.want(t, 3, mObjects, "kind", "tenants")
	f.want(t, 4, mObjects, "kind", "users")
	f.want(t, float64(len(snap.Extensions)), mObjects, "kind", "extensions")
	f.want(t, float64(len(snap.Trunks)), mObjects, "kind", "trunks")
	f.want(t, float64(len(snap.Destinations)), mObjects, "kind", "destinations")
	for _, ten := range snap.Tenants {
		var peers int
		for _, e := range snap.ExtensionsByTenant(ten.ID) {
			peers += len(e.Peers)
		}
		f.want(t, float64(len(snap.ExtensionsByTenant(ten.ID))), mTenantExtensions, "tenant", ten.Code)
		f.want(t, float64(peers), mTenantPeers, "tenant", ten.Code)
		f.want(t, float64(len(snap.TrunksByTenant(ten.ID))), mTenantTrunks, "tenant", ten.Code)
		f.want(t, float64(len(snap.DestinationsByTenant(ten.ID))), mTenantDests, "tenant", ten.Code)
		byType := map[[2]string]float64{}
		for _, d := range snap.DestinationsByTenant(ten.ID) {
			byType[[2]string{d.TypeSrc, d.TypeDst}]++
		}
		for k, n := range byType {
			f.want(t, n, mTenantDests, "tenant", ten.Code, "de_type_src", k[0], "de_type_dst", k[1])
		}
	}
	if n, _ := f.value(mTenantExtensions, "tenant", "Acme"); n == 0 {
		t.Error("Acme has no extensions")
	}
	// The findings per tenant, rule and severity are those of `astapi
	// audit` that the tenant's own view shows (an S7 shared only with
	// other tenants' peers is not), and the fixtures show every rule.
	want := map[[3]string]float64{}
	for _, x := range audit.New().Run(snap) {
		label := ""
		if _, ok := x.ForViewer(func(id string) bool { return id == x.TenantID }); x.TenantID != "" && !ok {
			continue
		}
		if x.TenantID != "" {
			label = snap.TenantByID(x.TenantID).Code
		}
		want[[3]string{label, x.Rule, string(x.Severity)}]++
	}
	rules := map[string]bool{}
	for k, n := range want {
		f.want(t, n, mSecretFindings, "tenant", k[0], "rule", k[1], "severity", k[2])
		rules[k[1]] = true
	}
	for _, r := range audit.Rules {
		if !rules[r.ID] {
			t.Errorf("no %s series for rule %s", mSecretFindings, r.ID)
		}
	}
	if n := len(f[mSecretFindings].Metric); n != len(want) {
		t.Errorf("%d series of %s, want %d", n, mSecretFindings, len(want))
	}
	count := map[string]int{}
	for _, d := range snap.Diags {
		count[d.Severity.String()]++
	}
	for _, sev := range []string{"warning", "error", "info"} {
		f.want(t, float64(count[sev]), mDiagnostics, "severity", sev)
	}
}

// TestMetricsDuplicateTenantLabels: two tenants with the same label make
// one series (summed), not a failed scrape.
func TestMetricsDuplicateTenantLabels(t *testing.T) {
	st := loadedStore(t, func() *index.Snapshot {
		s := testSnapshot()
		for _, ten := range s.Tenants {
			ten.Code = "Same"
		}
		return index.NewSnapshot(s)
	})
	f := scrape(t, New(st, Options{}), cNoAuth)
	f.want(t, 4, mTenantExtensions, "tenant", "Same")
	if n := len(f[mTenantExtensions].Metric); n != 1 {
		t.Errorf("%d series of %s", n, mTenantExtensions)
	}
}

// TestMetricsPerServerRegistry: two servers count on their own.
func TestMetricsPerServerRegistry(t *testing.T) {
	a, _ := newTestServer(t, Options{})
	b, _ := newTestServer(t, Options{})
	do(a, req{method: "GET", path: "/healthz"}.build(cNoAuth))
	scrape(t, a, cNoAuth).want(t, 1, mHTTPRequests, "route", "/healthz")
	if _, ok := scrape(t, b, cNoAuth).value(mHTTPRequests, "route", "/healthz"); ok {
		t.Error("server b counted server a's request")
	}
}

// TestAlertRulesUseExistingMetrics: every astapi_ metric the Prometheus
// alert rules name is one /metrics exposes, with the labels they use.
func TestAlertRulesUseExistingMetrics(t *testing.T) {
	rules, err := os.ReadFile("../deploy/prometheus/astapi-alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	st := loadedStore(t, auditSnapshot)
	f := scrape(t, New(st, Options{}), cNoAuth)
	names := regexp.MustCompile(`astapi_[a-z_]+`).FindAllString(string(rules), -1)
	if !slices.Contains(names, mReloadOK) || !slices.Contains(names, mSecretFindings) {
		t.Errorf("the alert rules no longer use %s and %s: %v", mReloadOK, mSecretFindings, names)
	}
	for _, n := range names {
		if f[n] == nil {
			t.Errorf("alert rules use %s, which /metrics does not expose", n)
		}
	}
	for _, m := range f[mSecretFindings].Metric {
		var got []string
		for _, l := range m.Label {
			got = append(got, l.GetName())
		}
		if !slices.Equal(got, []string{"rule", "severity", "tenant"}) {
			t.Errorf("%s labels %v", mSecretFindings, got)
		}
	}
}

// TestMetricsMaxTenants: above Options.MetricsMaxTenants the per-tenant
// series are summed under tenant="_all", so 10k tenants stay a few series.
func TestMetricsMaxTenants(t *testing.T) {
	st := index.NewStore(func() (*index.Snapshot, error) { return index.Load("../fixtures/astapi.ini") })
	if res := st.Reload(); !res.Success {
		t.Fatal(res.Err)
	}
	snap := st.Current()
	f := scrape(t, New(st, Options{MetricsMaxTenants: 2}), cNoAuth)
	f.want(t, float64(len(snap.Extensions)), mTenantExtensions, "tenant", allTenants)
	f.want(t, float64(len(snap.Trunks)), mTenantTrunks, "tenant", allTenants)
	for _, name := range []string{mTenantExtensions, mTenantPeers, mTenantTrunks} {
		if n := len(f[name].Metric); n != 1 {
			t.Errorf("%s: %d series, want 1", name, n)
		}
	}
	for _, m := range f[mSecretFindings].Metric {
		for _, l := range m.Label {
			if l.GetName() == "tenant" && l.GetValue() != allTenants && l.GetValue() != "" {
				t.Errorf("finding series with tenant=%q", l.GetValue())
			}
		}
	}
	// Exactly as many tenants as the limit: per tenant.
	f = scrape(t, New(st, Options{MetricsMaxTenants: len(snap.Tenants)}), cNoAuth)
	if n := len(f[mTenantExtensions].Metric); n != len(snap.Tenants) {
		t.Errorf("%d tenant series at the limit, want %d", n, len(snap.Tenants))
	}
	// Negative: no limit.
	f = scrape(t, New(st, Options{MetricsMaxTenants: -1}), cNoAuth)
	if n := len(f[mTenantExtensions].Metric); n != len(snap.Tenants) {
		t.Errorf("%d tenant series without a limit, want %d", n, len(snap.Tenants))
	}
}

func TestCodeIndex(t *testing.T) {
	for code, want := range map[int]int{200: 0, 503: len(httpCodes) - 1, 418: -1} {
		if got := codeIndex(code); got != want {
			t.Errorf("codeIndex(%d) = %d, want %d", code, got, want)
		}
	}
}

// TestMetricsDiagnosticCounts: the diagnostics gauge counts the last
// attempt's diagnostics by severity; an attempt without any (a failure
// before parsing) shows the served configuration's.
func TestMetricsDiagnosticCounts(t *testing.T) {
	s, st := newTestServer(t, Options{})
	diags := parser.Diagnostics{{Severity: parser.Warning}, {Severity: parser.Warning}, {Severity: parser.Info}}
	s.metrics.observeReload(index.ReloadResult{Success: true, Diags: diags}, st.Current())
	f := scrape(t, s, cNoAuth)
	f.want(t, 2, mDiagnostics, "severity", parser.Warning.String())
	f.want(t, 1, mDiagnostics, "severity", parser.Info.String())
	f.want(t, 0, mDiagnostics, "severity", parser.Error.String())
	served := index.NewSnapshot(&index.Snapshot{Diags: parser.Diagnostics{{Severity: parser.Error}}})
	s.metrics.observeReload(index.ReloadResult{}, served)
	f = scrape(t, s, cNoAuth)
	f.want(t, 1, mDiagnostics, "severity", parser.Error.String())
	f.want(t, 0, mDiagnostics, "severity", parser.Warning.String())
}
