package api

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/astapi/astapi/audit"
	"github.com/astapi/astapi/index"
)

// Options tunes a Server. The zero value is usable: every field has a
// default.
type Options struct {
	// AccessLog receives one line per request (see accessLogger); nil
	// means none.
	AccessLog io.Writer
	// Logger receives internal errors. Nil discards them.
	Logger *slog.Logger
	// ResponseCacheBytes bounds the rendered-response cache (bodies and
	// keys). 0 means 64 MiB; a negative value disables the cache.
	ResponseCacheBytes int64
	// AuthCacheEntries bounds the cache of verified credentials (one entry
	// per user and configuration). 0 means 4096.
	AuthCacheEntries int
	// MaxBodyBytes bounds a request body; a larger one gets 413. 0 means
	// 1 MiB.
	MaxBodyBytes int64
	// LoginFailureLimit is how many failed logins a client may make within
	// LoginFailureWindow before it gets 429. 0 means 10; negative disables
	// the limit.
	LoginFailureLimit int
	// LoginFailureWindow: 0 means one minute.
	LoginFailureWindow time.Duration
	// BcryptSlots bounds the password checks (bcrypt) running at once.
	// 0 means GOMAXPROCS.
	BcryptSlots int
	// BcryptWait is how long a password check waits for a slot before the
	// request gets 503. 0 means 3 s.
	BcryptWait time.Duration
	// TrustedProxies are the addresses or CIDRs of reverse proxies whose
	// X-Forwarded-For / X-Real-IP name the client. Empty: the TCP peer is
	// the client.
	TrustedProxies []string
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
	// MetricsRequireAuth makes GET /metrics require the credentials of any
	// valid user; by default it needs none.
	MetricsRequireAuth bool
	// MetricsMaxTenants: with more tenants than this, the per-tenant
	// metrics are summed under tenant="_all" to bound the series. 0 means
	// 1000; negative means no limit.
	MetricsMaxTenants int
	// DrawSVG draws a DOT graph as SVG (diagram.Renderer.SVG), for
	// /destination/graph?format=svg and the console; nil: no drawings.
	DrawSVG func(ctx context.Context, dot []byte) ([]byte, error)
	// Mount adds routes to the router after the API's own (console.Mount:
	// the web console under /ui/); nil adds none.
	Mount func(s *Server, r gin.IRouter)
}

const (
	defaultResponseCacheBytes = 64 << 20
	defaultAuthCacheEntries   = 4096
	defaultMaxBodyBytes       = 1 << 20
	defaultLoginFailureLimit  = 10
	defaultLoginFailureWindow = time.Minute
	defaultMetricsMaxTenants  = 1000
	defaultBcryptWait         = 3 * time.Second
)

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.ResponseCacheBytes == 0 {
		o.ResponseCacheBytes = defaultResponseCacheBytes
	}
	if o.AuthCacheEntries <= 0 {
		o.AuthCacheEntries = defaultAuthCacheEntries
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = defaultMaxBodyBytes
	}
	if o.LoginFailureLimit == 0 {
		o.LoginFailureLimit = defaultLoginFailureLimit
	}
	if o.BcryptSlots <= 0 {
		o.BcryptSlots = runtime.GOMAXPROCS(0)
	}
	if o.BcryptWait <= 0 {
		o.BcryptWait = defaultBcryptWait
	}
	if o.LoginFailureWindow <= 0 {
		o.LoginFailureWindow = defaultLoginFailureWindow
	}
	if o.MetricsMaxTenants == 0 {
		o.MetricsMaxTenants = defaultMetricsMaxTenants
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Server is the HTTP API over one index.Store. It is an http.Handler.
type Server struct {
	store   *index.Store
	opts    Options
	log     *slog.Logger
	engine  *gin.Engine
	auth    *authenticator
	limiter *failLimiter
	cache   *responseCache
	redact  redactor
	access  *accessLogger // nil: no access log
	// exchanges pools the per-request wrappers (only with an access log).
	exchanges sync.Pool
	bodies    bodyPool // request body buffers

	metrics      *metrics
	auditor      func() *audit.Auditor // made on first use
	derivedCache derivedCache
}

var ginModeOnce sync.Once

// New returns the API server answering from store. It registers a hook
// with store.OnReload (for the reload metrics), so make it before the
// store's watcher starts.
func New(store *index.Store, opts Options) *Server {
	ginModeOnce.Do(func() { gin.SetMode(gin.ReleaseMode) })
	opts = opts.withDefaults()
	s := &Server{
		store:   store,
		opts:    opts,
		log:     opts.Logger,
		auth:    newAuthenticator(opts.AuthCacheEntries, opts.BcryptSlots, opts.BcryptWait),
		limiter: newFailLimiter(opts.LoginFailureLimit, opts.LoginFailureWindow, opts.Now),
		cache:   newResponseCache(opts.ResponseCacheBytes),
		access:  newAccessLogger(opts.AccessLog),
		auditor: sync.OnceValue(audit.New),
	}
	s.exchanges.New = func() any { return new(exchange) }
	s.metrics = newMetrics(s)
	s.metrics.initReload(store)
	store.OnReload(s.metrics.observeReload)
	e := gin.New()
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	e.HandleMethodNotAllowed = true
	if err := e.SetTrustedProxies(opts.TrustedProxies); err != nil {
		s.log.Error("api: bad trusted proxies, trusting none", "error", err)
		_ = e.SetTrustedProxies(nil)
	}
	e.Use(s.front)
	e.NoRoute(func(c *gin.Context) { s.fail(c, http.StatusNotFound, "no such endpoint") })
	e.NoMethod(func(c *gin.Context) { s.fail(c, http.StatusMethodNotAllowed, "method not allowed") })

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/openapi.json", s.openapi)
	e.GET("/status", s.status)
	e.GET("/metrics", s.serveMetrics)

	for _, ep := range endpoints {
		e.Handle(ep.method, ep.path, s.serveEndpoint(ep))
	}
	e.Handle(http.MethodGet, "/audit/secrets", s.serveEndpoint(&endpoint{
		method: http.MethodGet, path: "/audit/secrets",
		params: []paramSpec{pTenant}, optional: true, noStore: true,
		handle: s.auditSecrets,
	}))
	s.routeReadOnly(e) // readonly.go
	e.Handle(http.MethodGet, pathGraph, s.serveEndpoint(&endpoint{
		method: http.MethodGet, path: pathGraph,
		params: []paramSpec{pTenant, {"format", kindFormat}},
		raw:    s.graph,
	}))
	if opts.Mount != nil {
		opts.Mount(s, e)
	}
	addHeadRoutes(e)
	for _, r := range e.Routes() {
		s.metrics.route(r.Path)
	}
	s.engine = e
	return s
}

// Handler returns the server as an http.Handler.
func (s *Server) Handler() http.Handler { return s }

// Close writes out the access log lines still buffered and stops its
// goroutine; later lines are written at once. Call it after the HTTP
// server has shut down.
func (s *Server) Close() { s.access.close() }

// exchange wraps the ResponseWriter of one request so that what the access
// log needs (the user) travels in a typed field rather than in gin's Keys
// map, which costs a map per request.
type exchange struct {
	http.ResponseWriter
	user string // the authenticated user's name; "" when none
}

// Flush, Hijack and Unwrap pass through (gin asserts the first two on the
// writer it wraps).
func (x *exchange) Flush() {
	if f, ok := x.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (x *exchange) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := x.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, http.ErrNotSupported
}

func (x *exchange) Unwrap() http.ResponseWriter { return x.ResponseWriter }

// exchangeOf returns the exchange of c's request, nil when c was not
// entered through ServeHTTP.
func exchangeOf(c *gin.Context) *exchange {
	if u, ok := c.Writer.(interface{ Unwrap() http.ResponseWriter }); ok {
		x, _ := u.Unwrap().(*exchange)
		return x
	}
	return nil
}

// setUser records the authenticated user for the access log.
func setUser(c *gin.Context, name string) {
	if x := exchangeOf(c); x != nil {
		x.user = name
	}
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.access == nil {
		s.engine.ServeHTTP(w, r)
		return
	}
	x := s.exchanges.Get().(*exchange)
	*x = exchange{ResponseWriter: w}
	s.engine.ServeHTTP(x, r)
	*x = exchange{}
	s.exchanges.Put(x)
}

// front is the one middleware: it times the request for the metrics and
// the access log, turns a panic into a 500 and caps the request body (one
// handler rather than three: each costs a call and a frame per request).
func (s *Server) front(c *gin.Context) {
	start := s.opts.Now()
	defer s.observe(c, start)
	defer s.recovery(c)
	if !s.canonicalPath(c) || !s.limitBody(c) {
		return
	}
	c.Next()
}

// observe records a finished request in the metrics and the access log.
func (s *Server) observe(c *gin.Context, start time.Time) {
	d := s.opts.Now().Sub(start)
	s.metrics.observe(c.FullPath(), c.Request.URL.Path, c.Request.Method, c.Writer.Status(), d)
	if s.access == nil {
		return
	}
	var user string
	if x := exchangeOf(c); x != nil {
		user = x.user
	}
	s.access.log(accessEntry{
		at:       start,
		method:   c.Request.Method,
		path:     c.Request.URL.Path,
		status:   c.Writer.Status(),
		duration: d,
		bytes:    max(c.Writer.Size(), 0),
		client:   s.clientIP(c),
		user:     user,
	})
}

// clientIP is gin's ClientIP, taken straight from the TCP peer's address
// (no parsing, no allocation) when no proxy is trusted.
func (s *Server) clientIP(c *gin.Context) string {
	if len(s.opts.TrustedProxies) > 0 {
		return c.ClientIP()
	}
	host, _, err := net.SplitHostPort(c.Request.RemoteAddr)
	if err != nil {
		return c.ClientIP()
	}
	return host
}

// recovery turns a panic into a 500 envelope; the log line names the path
// only (the panic value could hold anything). Deferred by front.
func (s *Server) recovery(c *gin.Context) {
	r := recover()
	if r == nil {
		return
	}
	if r == http.ErrAbortHandler {
		panic(r)
	}
	s.log.Error("api: panic", "path", c.Request.URL.Path, "panic", sanitizePanic(r))
	if !c.Writer.Written() {
		s.fail(c, http.StatusInternalServerError, "internal error")
	}
	c.Abort()
}

func sanitizePanic(r any) string {
	switch v := r.(type) {
	case error:
		return v.Error()
	case string:
		return v
	}
	return "panic"
}

// limitBody caps request bodies at Options.MaxBodyBytes. A declared length
// over the cap is refused at once (false); an undeclared one fails while
// reading.
func (s *Server) limitBody(c *gin.Context) bool {
	if c.Request.ContentLength > s.opts.MaxBodyBytes {
		s.fail(c, http.StatusRequestEntityTooLarge, "request body too large")
		c.Abort()
		return false
	}
	// A declared length within the cap needs no wrapper: net/http never
	// reads beyond it.
	if c.Request.ContentLength < 0 && c.Request.Body != nil && c.Request.Body != http.NoBody {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.opts.MaxBodyBytes)
	}
	return true
}
