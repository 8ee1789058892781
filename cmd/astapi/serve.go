package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"github.com/astapi/astapi/api"
	"github.com/astapi/astapi/console"
	"github.com/astapi/astapi/diagram"
	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/internal/httplimits"
)

// HTTP server limits; the timeouts and header size are httplimits'
// (shared with the benchmark baseline).
const (
	maxBodyBytes    = 1 << 20
	shutdownTimeout = 10 * time.Second
	defaultListen   = "127.0.0.1:8080"
	// defaultMaxConns stays under the usual 1024 soft limit on file
	// descriptors, with room for the configuration files and the watcher.
	defaultMaxConns     = 900
	defaultMaxIdleConns = 200
)

// runServe is `astapi serve`: load the configuration (failing at once when
// it cannot be served), watch it, and answer the HTTP API until SIGINT or
// SIGTERM. SIGHUP reloads.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := fs.String("config", "astapi.ini", "astapi.ini to serve")
	listen := fs.String("listen", "", "address to listen on (default: [server] listen of astapi.ini, else "+defaultListen+")")
	debounce := fs.Duration("debounce", index.DefaultDebounce, "wait this long after the last file change before reloading")
	poll := fs.Duration("poll-interval", 0, "poll the files at this interval instead of using inotify (0: inotify)")
	tlsCert := fs.String("tls-cert", "", "serve HTTPS with this certificate (PEM)")
	tlsKey := fs.String("tls-key", "", "private key of --tls-cert (PEM)")
	tlsCheck := fs.Duration("tls-check-interval", tlsCheckInterval, "look for a renewed --tls-cert/--tls-key pair this often")
	cacheMB := fs.Int("cache-mb", 64, "response cache size in MiB (0 disables)")
	failLimit := fs.Int("login-failure-limit", 10, "failed logins a client may make per --login-failure-window before it gets 429 (negative: no limit)")
	failWindow := fs.Duration("login-failure-window", time.Minute, "window of --login-failure-limit")
	metricsAuth := fs.Bool("metrics-auth", false, "GET /metrics requires the credentials of any astapi.ini user (default: open, for Prometheus scrapes by annotation)")
	metricsMaxTenants := fs.Int("metrics-max-tenants", 1000, "above this many tenants the per-tenant metrics are summed under tenant=\"_all\" (negative: no limit)")
	maxConns := fs.Int("max-connections", defaultMaxConns, "connections served at once; more wait to be accepted (0: no limit)")
	maxIdle := fs.Int("max-idle-connections", defaultMaxIdleConns, "keep-alive connections kept idle between requests; one more is closed when its answer is sent (0: no limit)")
	memLimit := fs.String("memory-limit", "", "soft memory limit of the process, as GOMEMLIMIT takes it (e.g. 2GiB, 800MiB; off: none; auto: 1GiB or 3 times the live heap after a reload, whichever is larger) (default: GOMEMLIMIT when set, else auto)")
	pprofAddr := fs.String("pprof", "", "serve net/http/pprof on this loopback address, e.g. 127.0.0.1:6060 (default: off)")
	var proxies stringList
	fs.Var(&proxies, "trusted-proxy", "address or CIDR of a reverse proxy whose X-Forwarded-For names the client (repeatable)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(stderr, "usage: astapi serve --config astapi.ini [--listen ADDR] [--tls-cert F --tls-key F] [--debounce 50ms] [--poll-interval 0]")
		return 2
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		fmt.Fprintln(stderr, "astapi: --tls-cert and --tls-key go together")
		return 2
	}
	if *failLimit == 0 || *failWindow <= 0 {
		fmt.Fprintln(stderr, "astapi: --login-failure-limit must not be 0 (negative disables it) and --login-failure-window must be positive")
		return 2
	}
	if *tlsCheck <= 0 {
		fmt.Fprintln(stderr, "astapi: --tls-check-interval must be positive")
		return 2
	}
	if *metricsMaxTenants == 0 {
		fmt.Fprintln(stderr, "astapi: --metrics-max-tenants must not be 0 (negative: no limit)")
		return 2
	}
	if *maxConns < 0 || *maxIdle < 0 {
		fmt.Fprintln(stderr, "astapi: --max-connections and --max-idle-connections must not be negative (0: no limit)")
		return 2
	}
	if *pprofAddr != "" && !isLoopback(*pprofAddr) {
		fmt.Fprintln(stderr, "astapi: --pprof takes a loopback address (profiles show memory contents)")
		return 2
	}
	_, autoLimit, err := applyMemoryLimit(*memLimit, os.Getenv("GOMEMLIMIT"))
	if err != nil {
		fmt.Fprintf(stderr, "astapi: %v\n", err)
		return 2
	}
	// The log and the access log share stderr: one lock, so their lines
	// never interleave (and a test's buffer is never written concurrently).
	stderr = &lockedWriter{w: stderr}
	logger := slog.New(slog.NewTextHandler(stderr, nil))

	cfgPath := *cfg
	mem := index.MemoryTuning{AutoLimit: autoLimit}
	if os.Getenv("GOGC") != "" {
		mem.MinHeapGoal = -1 // the operator chose the collector's pace
	}
	// Each reload starts from the snapshot served: what the files that
	// did not change built is taken over (index.LoadFrom).
	var store *index.Store
	store = index.NewStore(mem.Wrap(func() (*index.Snapshot, error) { return index.LoadFrom(cfgPath, store.Current()) }))
	store.OnReload(mem.Release)
	if !autoLimit {
		store.OnReload(func(res index.ReloadResult, _ *index.Snapshot) { warnTightLimit(logger, res) })
	}
	store.OnReload(func(res index.ReloadResult, served *index.Snapshot) { logReload(logger, res, served) })
	if res := store.Reload(); !res.Success {
		fmt.Fprintf(stderr, "astapi: cannot serve %s: %s\n", cfgPath, api.Redact(store.Current(), res.Err.Error()))
		return 1
	}

	addr := *listen
	if addr == "" {
		addr = store.Current().Server.Listen
	}
	if addr == "" {
		addr = defaultListen
	}
	var certs *certReloader
	if *tlsCert != "" {
		var err error
		if certs, err = newCertReloader(*tlsCert, *tlsKey, logger); err != nil {
			fmt.Fprintf(stderr, "astapi: %v\n", err)
			return 1
		}
	} else if !isLoopback(addr) {
		logger.Warn(warnCleartext, "listen", addr)
	}

	cacheBytes := int64(*cacheMB) << 20
	if *cacheMB <= 0 {
		cacheBytes = -1
	}
	handler := api.New(store, api.Options{
		Logger:             logger,
		AccessLog:          stderr,
		ResponseCacheBytes: cacheBytes,
		MaxBodyBytes:       maxBodyBytes,
		TrustedProxies:     proxies,
		LoginFailureLimit:  *failLimit,
		LoginFailureWindow: *failWindow,
		MetricsRequireAuth: *metricsAuth,
		MetricsMaxTenants:  *metricsMaxTenants,
		DrawSVG:            diagram.New(0).SVG,
		Mount:              console.Mount,
	})
	conns := newConnLimits(*maxConns, *maxIdle)
	srv := &http.Server{
		Handler:   handler,
		ConnState: conns.connState,
		ErrorLog:  slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	httplimits.Apply(srv)
	if certs != nil {
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: certs.GetCertificate}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if *pprofAddr != "" {
		if err := startPprof(ctx, *pprofAddr, logger); err != nil {
			fmt.Fprintf(stderr, "astapi: %v\n", err)
			return 1
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(stderr, "astapi: %v\n", err)
		return 1
	}
	ln = conns.listener(ln)
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		err := index.Watch(ctx, store, index.WatchOptions{Debounce: *debounce, PollInterval: *poll, Logger: logger})
		if err != nil && ctx.Err() == nil {
			logger.Error("watcher stopped; use SIGHUP to reload", "error", err)
		}
	}()
	if certs != nil {
		go certs.run(ctx, *tlsCheck)
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				logger.Info("SIGHUP: reloading")
				store.Reload()
			}
		}
	}()

	serveErr := make(chan error, 1)
	go func() {
		if certs != nil {
			serveErr <- srv.ServeTLS(ln, "", "")
		} else {
			serveErr <- srv.Serve(ln)
		}
	}()
	logger.Info("serving", "listen", ln.Addr().String(), "config", cfgPath, "tls", certs != nil, "generation", store.Current().Generation, "memory_limit", formatBytes(debug.SetMemoryLimit(-1)), "memory_limit_auto", autoLimit)

	code := 0
	select {
	case <-ctx.Done():
		logger.Info("shutting down")
	case err := <-serveErr:
		if !errors.Is(err, http.ErrServerClosed) {
			logger.Error("server failed", "error", err)
			code = 1
		}
	}
	cancel()
	sctx, scancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer scancel()
	if err := srv.Shutdown(sctx); err != nil {
		logger.Error("shutdown", "error", err)
		code = 1
	}
	// The watcher returns once its reload does, and a reload returns
	// within reload_timeout even when its build is stuck: never wait
	// longer than the shutdown timeout for it.
	select {
	case <-watchDone:
	case <-sctx.Done():
		logger.Warn("shutdown: a reload is still running; exiting without it")
	}
	handler.Close() // the access log lines still buffered
	return code
}

// warnCleartext is logged when Basic Auth would travel unencrypted beyond
// this host.
const warnCleartext = "listening on a non-loopback address without TLS: passwords and SIP secrets travel in clear; use --tls-cert/--tls-key or a TLS proxy"

// logReload writes one line per reload attempt: generation, duration,
// object counts, diagnostics, and the error (secrets masked) if any.
func logReload(logger *slog.Logger, res index.ReloadResult, served *index.Snapshot) {
	attrs := []any{
		"generation", res.Generation,
		"duration_ms", float64(res.Duration.Microseconds()) / 1000,
		"diagnostics", len(res.Diags),
		"errors", len(res.Diags.Errors()),
	}
	if !res.Success {
		attrs = append(attrs, "error", api.Redact(served, res.Err.Error()))
		if served == nil {
			logger.Error("load failed; nothing to serve", attrs...)
			return
		}
		attrs = append(attrs, "serving_generation", served.Generation)
		logger.Error("reload failed; keeping the last good configuration", attrs...)
		return
	}
	attrs = append(attrs,
		"tenants", len(served.Tenants),
		"users", len(served.Users),
		"extensions", len(served.Extensions),
		"trunks", len(served.Trunks),
		"destinations", len(served.Destinations),
		"files", len(served.Files),
	)
	if served.Flow != nil {
		// How much of the call flow was taken over from the last snapshot.
		r := served.Flow.Reuse
		attrs = append(attrs, "flow_parts", r.Parts, "flow_parts_reused", r.Reused, "flow_read_whole", r.Whole)
	}
	logger.Info("reloaded", attrs...)
}

// isLoopback reports whether addr (host:port) listens on loopback only.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return fmt.Sprint([]string(*l)) }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// lockedWriter serialises writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
