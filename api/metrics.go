package api

import (
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/parser"
)

// Metric names. deploy/prometheus/astapi-alerts.yml uses some of them; a
// test checks that every astapi_ name it uses exists.
const (
	mHTTPRequests      = "astapi_http_requests_total"
	mHTTPDuration      = "astapi_http_request_duration_seconds"
	mAuthFailures      = "astapi_auth_failures_total"
	mCacheHits         = "astapi_cache_hits_total"
	mCacheMisses       = "astapi_cache_misses_total"
	mCacheBytes        = "astapi_cache_bytes"
	mCacheEntries      = "astapi_cache_entries"
	mReloads           = "astapi_config_reloads_total"
	mReloadOK          = "astapi_config_last_reload_successful"
	mReloadSuccessTime = "astapi_config_last_reload_success_timestamp_seconds"
	mReloadDuration    = "astapi_config_reload_duration_seconds"
	mDiagnostics       = "astapi_config_diagnostics"
	mGeneration        = "astapi_config_generation"
	mObjects           = "astapi_objects"
	mTenantExtensions  = "astapi_tenant_extensions"
	mTenantPeers       = "astapi_tenant_peers"
	mTenantTrunks      = "astapi_tenant_trunks"
	mTenantDests       = "astapi_tenant_destinations"
	mSecretFindings    = "astapi_secret_findings"
	mAccessLogDropped  = "astapi_access_log_dropped_lines_total"
)

// Label values.
const (
	routeUnmatched = "unmatched" // requests no route matched (404)
	methodOther    = "other"     // a method outside the standard ones

	reasonMissing     = "missing"      // no Authorization header
	reasonWrong       = "wrong"        // unknown user, wrong password or a malformed header
	reasonRateLimited = "rate_limited" // 429: too many failed logins

	cacheResponse = "response"

	resultSuccess = "success"
	resultFailure = "failure"
)

// metrics is a Server's own Prometheus registry and instruments. Nothing
// is registered with the default registry.
type metrics struct {
	reg     *prometheus.Registry
	handler http.Handler

	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// routes maps every route template to its pre-resolved instruments;
	// built in New and only read afterwards.
	routes    map[string]*routeMetrics
	unmatched *routeMetrics

	authMissing, authWrong, authRateLimited prometheus.Counter
	cacheHit, cacheMiss                     prometheus.Counter

	reloadOK, reloadFail  prometheus.Counter
	lastReloadOK          prometheus.Gauge
	lastReloadSuccessTime prometheus.Gauge
	reloadDuration        prometheus.Histogram
	diagnostics           *prometheus.GaugeVec

	snapDescs  *snapshotDescs
	maxTenants int // Options.MetricsMaxTenants
}

func newMetrics(s *Server) *metrics {
	m := &metrics{reg: prometheus.NewRegistry(), routes: map[string]*routeMetrics{}, maxTenants: s.opts.MetricsMaxTenants}
	f := func(c prometheus.Collector) { m.reg.MustRegister(c) }

	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: mHTTPRequests,
		Help: "HTTP requests answered, by route template (\"unmatched\" when no route matched), method and status code.",
	}, []string{"route", "method", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: mHTTPDuration,
		Help: "Time to answer an HTTP request, by route template and method.",
		// A cached answer takes microseconds, a bcrypt check tens of ms.
		Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"route", "method"})
	f(m.requests)
	f(m.latency)
	m.unmatched = m.route(routeUnmatched)

	auth := m.counters(mAuthFailures, "Requests refused for their credentials: missing (no Authorization header), wrong (unknown user, wrong password, malformed header) or rate_limited (429).",
		"reason", reasonMissing, reasonWrong, reasonRateLimited)
	m.authMissing, m.authWrong, m.authRateLimited = auth[0], auth[1], auth[2]

	cacheLabels := []string{cacheResponse}
	if s.cache == nil {
		cacheLabels = nil // the families exist, without series
	}
	hits := m.counters(mCacheHits, "Cache lookups that found the entry, by cache.", "cache", cacheLabels...)
	misses := m.counters(mCacheMisses, "Cache lookups that did not find the entry, by cache.", "cache", cacheLabels...)
	if s.cache != nil {
		m.cacheHit, m.cacheMiss = hits[0], misses[0]
		cache := s.cache
		f(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: mCacheBytes, Help: "Bytes held by a cache (keys, bodies and overhead).", ConstLabels: prometheus.Labels{"cache": cacheResponse},
		}, func() float64 { b, _ := cache.size(); return float64(b) }))
		f(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: mCacheEntries, Help: "Entries held by a cache.", ConstLabels: prometheus.Labels{"cache": cacheResponse},
		}, func() float64 { _, n := cache.size(); return float64(n) }))
	}

	if access := s.access; access != nil {
		f(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: mAccessLogDropped, Help: "Access log lines dropped because the log's buffer was full (its reader too slow).",
		}, func() float64 { return float64(access.dropped.Load()) }))
	}

	reloads := m.counters(mReloads, "Configuration reload attempts, by result (success or failure); the load that preceded the server counts.",
		"result", resultSuccess, resultFailure)
	m.reloadOK, m.reloadFail = reloads[0], reloads[1]
	m.lastReloadOK = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: mReloadOK, Help: "1 when the last configuration reload attempt succeeded, 0 when it failed (the last good configuration is still served).",
	})
	m.lastReloadSuccessTime = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: mReloadSuccessTime, Help: "Unix time at which the served configuration finished loading (0: none loaded).",
	})
	m.reloadDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: mReloadDuration, Help: "Time a configuration reload attempt took (parse and index).", Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	})
	m.diagnostics = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: mDiagnostics, Help: "Diagnostics of the last reload attempt (those of the served configuration when it failed before parsing), by severity.",
	}, []string{"severity"})
	f(m.lastReloadOK)
	f(m.lastReloadSuccessTime)
	f(m.reloadDuration)
	f(m.diagnostics)
	m.diagnostics.WithLabelValues("warning")
	m.diagnostics.WithLabelValues("error")

	m.snapDescs = newSnapshotDescs()
	f(&snapshotCollector{s: s, descs: m.snapDescs})
	f(collectors.NewGoCollector())
	f(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      promLogger{s},
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.reg,
	})
	return m
}

// counters registers a counter family with one label and returns its
// counters for values, in order (they start at 0, so they show at once).
func (m *metrics) counters(name, help, label string, values ...string) []prometheus.Counter {
	vec := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{label})
	m.reg.MustRegister(vec)
	out := make([]prometheus.Counter, len(values))
	for i, v := range values {
		out[i] = vec.WithLabelValues(v)
	}
	return out
}

// promLogger passes promhttp's errors (about metrics, never about
// requests' contents) to the server's logger.
type promLogger struct{ s *Server }

func (l promLogger) Println(v ...any) {
	parts := make([]string, len(v))
	for i, x := range v {
		if e, ok := x.(error); ok {
			parts[i] = e.Error()
		} else if str, ok := x.(string); ok {
			parts[i] = str
		}
	}
	l.s.log.Error("api: metrics", "error", strings.Join(parts, " "))
}

// ---- HTTP requests

// Methods with a label of their own; any other is "other", so a client
// cannot mint label values.
var httpMethods = [...]string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace, methodOther,
}

func methodIndex(m string) int {
	switch m {
	case http.MethodGet:
		return 0
	case http.MethodHead:
		return 1
	case http.MethodPost:
		return 2
	case http.MethodPut:
		return 3
	case http.MethodPatch:
		return 4
	case http.MethodDelete:
		return 5
	case http.MethodOptions:
		return 6
	case http.MethodConnect:
		return 7
	case http.MethodTrace:
		return 8
	}
	return len(httpMethods) - 1
}

// The status codes the server answers with; another one (none today)
// resolves its counter on every request.
var httpCodes = [...]int{200, 304, 400, 401, 403, 404, 405, 413, 415, 429, 500, 503}

func codeIndex(code int) int {
	for i, c := range httpCodes {
		if c == code {
			return i
		}
	}
	return -1
}

// routeMetrics holds one route's instruments, resolved on first use per
// method and code and then read with one atomic load.
type routeMetrics struct {
	route   string
	methods [len(httpMethods)]atomic.Pointer[methodMetrics]
}

type methodMetrics struct {
	method  string
	latency prometheus.Observer
	codes   [len(httpCodes)]atomic.Pointer[counterRef]
}

type counterRef struct{ c prometheus.Counter }

// route returns (making it on first call) the instruments of a route
// template. Only New calls it.
func (m *metrics) route(path string) *routeMetrics {
	if r, ok := m.routes[path]; ok {
		return r
	}
	r := &routeMetrics{route: path}
	m.routes[path] = r
	return r
}

// observe counts a finished request. route is gin's route template ("" when
// no route matched).
func (m *metrics) observe(route, path, method string, code int, d time.Duration) {
	rm := m.routes[route]
	if rm == nil || route == "" {
		// 405 has no route template in gin; all routes are static paths,
		// so the path names it. Anything else is unmatched.
		if rm = m.routes[path]; rm == nil || code != http.StatusMethodNotAllowed {
			rm = m.unmatched
		}
	}
	mi := methodIndex(method)
	mm := rm.methods[mi].Load()
	if mm == nil {
		mm = &methodMetrics{method: httpMethods[mi]}
		mm.latency = m.latency.WithLabelValues(rm.route, mm.method)
		if !rm.methods[mi].CompareAndSwap(nil, mm) {
			mm = rm.methods[mi].Load()
		}
	}
	mm.latency.Observe(d.Seconds())
	ci := codeIndex(code)
	if ci < 0 {
		m.requests.WithLabelValues(rm.route, mm.method, strconv.Itoa(code)).Inc()
		return
	}
	cr := mm.codes[ci].Load()
	if cr == nil {
		cr = &counterRef{m.requests.WithLabelValues(rm.route, mm.method, strconv.Itoa(code))}
		mm.codes[ci].Store(cr) // a racing Store holds the same counter
	}
	cr.c.Inc()
}

// authFailed counts a refused authentication by reason.
func (m *metrics) authFailed(r *http.Request, e *apiError) {
	switch e.code {
	case http.StatusTooManyRequests:
		m.authRateLimited.Inc()
	case http.StatusUnauthorized:
		if r.Header.Get("Authorization") == "" {
			m.authMissing.Inc()
		} else {
			m.authWrong.Inc()
		}
	}
}

// cacheLookup counts a response cache lookup (nothing when the cache is
// disabled).
func (m *metrics) cacheLookup(hit bool) {
	if m.cacheHit == nil {
		return
	}
	if hit {
		m.cacheHit.Inc()
	} else {
		m.cacheMiss.Inc()
	}
}

// ---- reloads

// observeReload records a reload attempt; index.Store calls it (through
// OnReload) after every attempt, one at a time.
func (m *metrics) observeReload(res index.ReloadResult, served *index.Snapshot) {
	if res.Success {
		m.reloadOK.Inc()
		m.lastReloadOK.Set(1)
		m.lastReloadSuccessTime.Set(unixSeconds(res.At.Add(res.Duration)))
	} else {
		m.reloadFail.Inc()
		m.lastReloadOK.Set(0)
	}
	m.reloadDuration.Observe(res.Duration.Seconds())
	diags := res.Diags
	if diags == nil && served != nil {
		diags = served.Diags
	}
	var bySeverity [3]int // parser.Warning, Error, Info
	for _, d := range diags {
		if int(d.Severity) < len(bySeverity) {
			bySeverity[d.Severity]++
		}
	}
	for _, sev := range []parser.Severity{parser.Warning, parser.Error, parser.Info} {
		m.diagnostics.WithLabelValues(sev.String()).Set(float64(bySeverity[sev]))
	}
}

// initReload sets the reload metrics from the store's state when the
// Server is made: its last attempt, and when that failed, the time the
// served snapshot was built.
func (m *metrics) initReload(store *index.Store) {
	served := store.Current()
	if last := store.LastReload(); last != nil {
		m.observeReload(*last, served)
		if !last.Success && served != nil {
			m.lastReloadSuccessTime.Set(unixSeconds(served.BuiltAt.Add(served.BuildDuration)))
		}
	}
}

func unixSeconds(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}

// serveMetrics answers GET /metrics in the Prometheus exposition format.
// With Options.MetricsRequireAuth any valid user may read it; otherwise
// no credentials are needed.
func (s *Server) serveMetrics(c *gin.Context) {
	if s.opts.MetricsRequireAuth {
		if _, _, ok := s.authorizeCurrent(c); !ok {
			return
		}
	}
	c.Writer.Header().Set("Cache-Control", "no-store")
	s.metrics.handler.ServeHTTP(c.Writer, c.Request)
}

// authorizeCurrent reads the served snapshot (the one snapshot of the
// request) and authenticates the request against its users. On failure
// (503 before the first load, 429, 401) it writes the error, counts an
// authentication failure and returns false.
func (s *Server) authorizeCurrent(c *gin.Context) (*index.Snapshot, *index.User, bool) {
	snap := s.store.Current()
	if snap == nil {
		s.writeError(c, errNotLoaded)
		return nil, nil, false
	}
	u, err := s.authenticate(c, snap)
	if err != nil {
		s.metrics.authFailed(c.Request, err)
		s.writeError(c, err)
		return nil, nil, false
	}
	return snap, u, true
}

// ---- snapshot-derived metrics

// snapshotDescs describe the metrics computed once per snapshot.
type snapshotDescs struct {
	generation, objects, extensions, peers, trunks, dests, findings *prometheus.Desc
}

func newSnapshotDescs() *snapshotDescs {
	tenant := []string{"tenant"}
	return &snapshotDescs{
		generation: prometheus.NewDesc(mGeneration, "Generation of the served configuration (1 for the first load, +1 per successful reload).", nil, nil),
		objects:    prometheus.NewDesc(mObjects, "Objects of the served configuration, by kind: tenants, users, extensions, peers (of extensions), trunks, destinations.", []string{"kind"}, nil),
		extensions: prometheus.NewDesc(mTenantExtensions, "Extensions of a tenant (label: its code, else its name).", tenant, nil),
		peers:      prometheus.NewDesc(mTenantPeers, "SIP/PJSIP peers of a tenant's extensions.", tenant, nil),
		trunks:     prometheus.NewDesc(mTenantTrunks, "Trunks of a tenant.", tenant, nil),
		dests:      prometheus.NewDesc(mTenantDests, "Call-flow destinations of a tenant, by source and target type.", []string{"tenant", "de_type_src", "de_type_dst"}, nil),
		findings:   prometheus.NewDesc(mSecretFindings, "SIP secret audit findings (astapi audit) by tenant (\"\" for sip.conf [general] and peers of no tenant), rule and severity.", []string{"tenant", "rule", "severity"}, nil),
	}
}

// snapshotCollector sends the metrics precomputed for the served snapshot.
type snapshotCollector struct {
	s     *Server
	descs *snapshotDescs
}

func (c *snapshotCollector) Describe(ch chan<- *prometheus.Desc) {
	d := c.descs
	for _, x := range []*prometheus.Desc{d.generation, d.objects, d.extensions, d.peers, d.trunks, d.dests, d.findings} {
		ch <- x
	}
}

func (c *snapshotCollector) Collect(ch chan<- prometheus.Metric) {
	snap := c.s.store.Current()
	if snap == nil {
		return
	}
	for _, m := range c.s.derived(snap).metrics {
		ch <- m
	}
}

// allTenants is the tenant label of every tenant when there are more than
// Options.MetricsMaxTenants.
const allTenants = "_all"

// tenantLabel is a tenant's label value: its code, else its name.
func tenantLabel(t *index.Tenant) string {
	if t == nil {
		return ""
	}
	if t.Code != "" {
		return t.Code
	}
	return t.Name
}

// gaugeSet sums values per label tuple, so that two tenants with the same
// label never make a duplicate series.
type gaugeSet struct {
	desc  *prometheus.Desc
	order [][]string
	vals  map[string]float64
}

func newGaugeSet(d *prometheus.Desc) *gaugeSet { return &gaugeSet{desc: d, vals: map[string]float64{}} }

func (g *gaugeSet) add(v float64, labels ...string) {
	for i, l := range labels {
		if !utf8.ValidString(l) {
			labels[i] = strings.ToValidUTF8(l, "\uFFFD")
		}
	}
	k := strings.Join(labels, "\x00")
	if _, ok := g.vals[k]; !ok {
		g.order = append(g.order, labels)
	}
	g.vals[k] += v
}

func (g *gaugeSet) metrics(out []prometheus.Metric) []prometheus.Metric {
	for _, labels := range g.order {
		m, err := prometheus.NewConstMetric(g.desc, prometheus.GaugeValue, g.vals[strings.Join(labels, "\x00")], labels...)
		if err == nil {
			out = append(out, m)
		}
	}
	return out
}

// snapshotMetrics computes the metrics of one snapshot and its findings.
func (m *metrics) snapshotMetrics(snap *index.Snapshot, d *derived) []prometheus.Metric {
	ds := m.snapDescs
	var peers int
	for _, e := range snap.Extensions {
		peers += len(e.Peers)
	}
	out := []prometheus.Metric{prometheus.MustNewConstMetric(ds.generation, prometheus.GaugeValue, float64(snap.Generation))}
	objects := newGaugeSet(ds.objects)
	for _, k := range []struct {
		kind string
		n    int
	}{{"tenants", len(snap.Tenants)}, {"users", len(snap.Users)}, {"extensions", len(snap.Extensions)}, {"peers", peers}, {"trunks", len(snap.Trunks)}, {"destinations", len(snap.Destinations)}} {
		objects.add(float64(k.n), k.kind)
	}
	out = objects.metrics(out)

	// Above MetricsMaxTenants the per-tenant series are summed under
	// tenant="_all": 10k tenants would make ~140k series and a 10 MB scrape.
	tenantOf := tenantLabel
	if m.maxTenants >= 0 && len(snap.Tenants) > m.maxTenants {
		tenantOf = func(t *index.Tenant) string {
			if t == nil {
				return ""
			}
			return allTenants
		}
	}
	exts, prs, trunks, dests := newGaugeSet(ds.extensions), newGaugeSet(ds.peers), newGaugeSet(ds.trunks), newGaugeSet(ds.dests)
	for _, t := range snap.Tenants {
		label := tenantOf(t)
		es := snap.ExtensionsByTenant(t.ID)
		n := 0
		for _, e := range es {
			n += len(e.Peers)
		}
		exts.add(float64(len(es)), label)
		prs.add(float64(n), label)
		trunks.add(float64(len(snap.TrunksByTenant(t.ID))), label)
		for _, x := range snap.DestinationsByTenant(t.ID) {
			dests.add(1, label, x.TypeSrc, x.TypeDst)
		}
	}
	for _, g := range []*gaugeSet{exts, prs, trunks, dests} {
		out = g.metrics(out)
	}

	findings := newGaugeSet(ds.findings)
	for _, f := range d.findings {
		label := ""
		if f.TenantID != "" {
			// Counted only as the tenant's own /audit/secrets shows it:
			// an S7 whose other peers are all another tenant's would let
			// whoever sets this tenant's secrets test guesses of the
			// other's, one reload at a time, on an unauthenticated page.
			own := f.TenantID
			if _, ok := f.ForViewer(func(id string) bool { return id == own }); !ok {
				continue
			}
			label = tenantOf(snap.TenantByID(f.TenantID))
		}
		findings.add(1, label, f.Rule, string(f.Severity))
	}
	return findings.metrics(out)
}
