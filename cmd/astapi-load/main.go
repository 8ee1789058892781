// Command astapi-load measures the astapi HTTP API side by side with the
// framework's ceiling (SPEC §9), in one process and on loopback only.
//
// Its ratios are NOT comparable with those of `make bench` (wrk against
// `astapi serve` and a baseline process, scripts/bench-http.sh), which are
// the reference: here the Go client runs in the same process and on the
// same CPUs (about 20 µs per request of its own, diluting the server's
// difference), the access log is discarded rather than written, and the
// parameters travel in the query string. Its use is the reload phase (no
// error answer while files change under load). What it does:
//
//  1. it starts the real server (package api over an index.Store, with the
//     watcher, as `astapi serve` does) on the fixtures, and a baseline: a
//     bare gin handler that checks the same Basic Auth credentials (a
//     constant-time compare of a fixed pair) and writes a fixed body of
//     the same size as the measured endpoint's answer (the answer itself);
//  2. it drives both with the same keep-alive http.Client, the same
//     concurrency and duration (in alternating slices, so that a change of
//     machine speed hits both alike), for /extension/bytenant,
//     /extension/user, /destination/all and /user/get;
//  3. it does it again on a copy of the configuration (never the
//     fixtures themselves) while a goroutine rewrites one of its files
//     every 100 ms, so that the watcher reloads under load;
//  4. with --big-config, it measures the cached endpoints on a second,
//     big configuration too (e.g. one tenant of 10k extensions);
//  5. it prints one table: body size, requests/s, p50, p99, non-2xx,
//     errors, and the ratio astapi/baseline. It exits 0 unless --strict
//     and a target is missed.
//
// Targets: ratio >= 0.85 on cached answers and no non-2xx answer; under
// reload ratio >= 0.7 and no error answer (non-2xx, transport error, or a
// body that differs from the expected one).
package main

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/astapi/astapi/api"
	"github.com/astapi/astapi/index"
)

type options struct {
	config      string
	duration    time.Duration
	concurrency int
	rounds      int
	warmup      time.Duration
	reloadEvery time.Duration
	rewrite     string
	admin       credentials
	secrets     credentials
	tenantID    string
	accessLog   string
	noReload    bool
	bigConfig   string
	bigSecrets  credentials
	bigDuration time.Duration
	cpuProfile  string
	strict      bool
}

type credentials struct{ user, pass string }

func (c *credentials) String() string { return c.user + ":" + strings.Repeat("*", len(c.pass)) }

func (c *credentials) Set(v string) error {
	u, p, ok := strings.Cut(v, ":")
	if !ok || u == "" {
		return errors.New("want user:password")
	}
	c.user, c.pass = u, p
	return nil
}

func main() {
	o := options{admin: credentials{"admin", "admin-demo"}, secrets: credentials{"auditor", "auditor-demo"}}
	flag.StringVar(&o.config, "config", "fixtures/astapi.ini", "astapi.ini to serve (its asterisk_dir must lie in its directory, which the reload phase copies)")
	flag.DurationVar(&o.duration, "duration", 5*time.Second, "measured time per endpoint and server")
	flag.IntVar(&o.concurrency, "concurrency", 32, "concurrent requests (and keep-alive connections per server)")
	flag.IntVar(&o.rounds, "rounds", 10, "the duration is split in this many alternating slices per server (finer interleaving: less drift between the two)")
	flag.DurationVar(&o.warmup, "warmup", 200*time.Millisecond, "unmeasured load per endpoint and server first")
	flag.DurationVar(&o.reloadEvery, "reload-every", 100*time.Millisecond, "reload phase: rewrite a file this often")
	flag.StringVar(&o.rewrite, "rewrite", "atomic", "reload phase: how the file is rewritten: atomic (temp file + rename, as editors and config tools do) or inplace (truncate + write)")
	flag.Var(&o.admin, "admin", "user:password of an admin (all endpoints but /extension/user)")
	flag.Var(&o.secrets, "secrets-user", "user:password of a user with secrets=yes (/extension/user)")
	flag.StringVar(&o.tenantID, "tenant-id", "", "tenant to query (default: the first, by ID, with extensions that --secrets-user may see)")
	flag.StringVar(&o.accessLog, "access-log", "discard", "the server's access log: discard (formatted, as `astapi serve` does, then dropped), off, or stderr")
	flag.BoolVar(&o.noReload, "no-reload", false, "skip the reload phase")
	flag.StringVar(&o.bigConfig, "big-config", "", "also measure the cached endpoints on this configuration (phase \"big\"), e.g. one tenant of 10k extensions made by internal/pbxgen/cmd/pbxgen")
	flag.Var(&o.bigSecrets, "big-secrets-user", "user:password with secrets=yes in --big-config (default: --admin)")
	flag.DurationVar(&o.bigDuration, "big-duration", 2*time.Second, "measured time per endpoint and server in the big phase")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run (server and load generator)")
	flag.BoolVar(&o.strict, "strict", false, "exit with status 1 when a target is not met")
	flag.Parse()
	if o.concurrency < 1 || o.rounds < 1 || o.duration <= 0 {
		fmt.Fprintln(os.Stderr, "astapi-load: --concurrency, --rounds and --duration must be positive")
		os.Exit(2)
	}
	if o.rewrite != "atomic" && o.rewrite != "inplace" {
		fmt.Fprintln(os.Stderr, "astapi-load: --rewrite is atomic or inplace")
		os.Exit(2)
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fatal(err)
		}
	}
	gin.SetMode(gin.ReleaseMode)
	ok, err := run(o)
	if o.cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		fatal(err)
	}
	if !ok && o.strict {
		os.Exit(1)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "astapi-load:", err)
	os.Exit(1)
}

// endpoint is one measured request.
type endpoint struct {
	name   string // path
	method string
	query  string
	cred   credentials
	body   []byte // astapi's answer, which the baseline writes
}

// result is one endpoint measured on one server.
type result struct {
	requests   int64
	elapsed    time.Duration
	latencies  []time.Duration
	non2xx     int64
	errs       int64 // transport errors
	mismatches int64 // 2xx answers whose body is not the expected one
}

func (r *result) add(o *result) {
	r.requests += o.requests
	r.elapsed += o.elapsed
	r.latencies = append(r.latencies, o.latencies...)
	r.non2xx += o.non2xx
	r.errs += o.errs
	r.mismatches += o.mismatches
}

func (r *result) rps() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.requests) / r.elapsed.Seconds()
}

func (r *result) percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	slices.Sort(r.latencies)
	return r.latencies[min(len(r.latencies)-1, int(p*float64(len(r.latencies))))]
}

// row is a line of the final table.
type row struct {
	phase             string
	ep                *endpoint
	astapi, baseline  result
	reloads, failures int64 // reload phase: reloads done and failed meanwhile
}

func (r *row) ratio() float64 {
	if r.baseline.rps() == 0 {
		return 0
	}
	return r.astapi.rps() / r.baseline.rps()
}

func run(o options) (bool, error) {
	var accessLog io.Writer
	switch o.accessLog {
	case "discard":
		accessLog = io.Discard
	case "stderr":
		accessLog = os.Stderr
	case "off":
	default:
		return false, fmt.Errorf("--access-log %q: want discard, off or stderr", o.accessLog)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// Phase 1: the configuration as given.
	srv, err := startAstapi(ctx, o.config, accessLog, nil)
	if err != nil {
		return false, err
	}
	defer srv.close()
	client := &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			Proxy:               nil,
			MaxIdleConns:        4 * o.concurrency,
			MaxIdleConnsPerHost: o.concurrency,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
	}
	eps, err := endpoints(client, srv, o)
	if err != nil {
		return false, err
	}
	base, err := startBaseline(eps)
	if err != nil {
		return false, err
	}
	defer base.Close()

	fmt.Fprintf(os.Stderr, "astapi-load: %s on %s, baseline on %s; %d endpoints × %v per server, concurrency %d, GOMAXPROCS %d\n",
		o.config, srv.url, base.URL, len(eps), o.duration, o.concurrency, runtime.GOMAXPROCS(0))
	var rows []*row
	for _, ep := range eps {
		r := &row{phase: "cached", ep: ep}
		r.astapi, r.baseline = measurePair(client, srv.url, base.URL, ep, o)
		rows = append(rows, r)
		fmt.Fprintf(os.Stderr, "  cached %-22s %8.0f req/s vs %8.0f: ratio %.2f\n", ep.name, r.astapi.rps(), r.baseline.rps(), r.ratio())
	}

	// Optionally: the same on a big configuration.
	if o.bigConfig != "" {
		brows, err := bigPhase(ctx, client, accessLog, o)
		if err != nil {
			return false, err
		}
		rows = append(rows, brows...)
	}

	// Phase 2: a copy of it, one file rewritten every reloadEvery.
	if !o.noReload {
		rrows, err := reloadPhase(ctx, client, base.URL, eps, accessLog, o)
		if err != nil {
			return false, err
		}
		rows = append(rows, rrows...)
	}

	return printTable(os.Stdout, rows, o), nil
}

// bigPhase measures the cached endpoints on --big-config, with a baseline
// serving its answers.
func bigPhase(ctx context.Context, client *http.Client, accessLog io.Writer, o options) ([]*row, error) {
	srv, err := startAstapi(ctx, o.bigConfig, accessLog, nil)
	if err != nil {
		return nil, err
	}
	defer srv.close()
	bo := o
	bo.config, bo.duration, bo.tenantID = o.bigConfig, o.bigDuration, ""
	if bo.secrets = o.bigSecrets; bo.secrets.user == "" {
		bo.secrets = o.admin
	}
	eps, err := endpoints(client, srv, bo)
	if err != nil {
		return nil, err
	}
	base, err := startBaseline(eps)
	if err != nil {
		return nil, err
	}
	defer base.Close()
	snap := srv.store.Current()
	fmt.Fprintf(os.Stderr, "astapi-load: big phase on %s (%d tenants, %d extensions, %d destinations)\n",
		o.bigConfig, len(snap.Tenants), len(snap.Extensions), len(snap.Destinations))
	var rows []*row
	for _, ep := range eps {
		r := &row{phase: "big", ep: ep}
		r.astapi, r.baseline = measurePair(client, srv.url, base.URL, ep, bo)
		rows = append(rows, r)
		fmt.Fprintf(os.Stderr, "  big    %-22s %8.0f req/s vs %8.0f: ratio %.2f (%d bytes)\n", ep.name, r.astapi.rps(), r.baseline.rps(), r.ratio(), len(ep.body))
	}
	return rows, nil
}

// server is an in-process `astapi serve`.
type server struct {
	url    string
	store  *index.Store
	http   *http.Server
	cancel context.CancelFunc // stops the watcher
	done   chan struct{}      // closed when the watcher is done
}

func (s *server) close() {
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.http.Shutdown(sctx)
	s.cancel()
	<-s.done
}

// startAstapi loads cfg, watches it and serves the API on 127.0.0.1:0 as
// cmd/astapi/serve.go does. onReload, when set, sees every reload.
func startAstapi(ctx context.Context, cfg string, accessLog io.Writer, onReload func(index.ReloadResult)) (*server, error) {
	store := index.NewStore(func() (*index.Snapshot, error) { return index.Load(cfg) })
	if onReload != nil {
		store.OnReload(func(res index.ReloadResult, _ *index.Snapshot) { onReload(res) })
	}
	if res := store.Reload(); !res.Success {
		return nil, fmt.Errorf("cannot serve %s: %s", cfg, api.Redact(store.Current(), res.Err.Error()))
	}
	handler := api.New(store, api.Options{AccessLog: accessLog, MaxBodyBytes: 1 << 20})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &server{url: "http://" + ln.Addr().String(), store: store, cancel: cancel, done: make(chan struct{}),
		http: &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 120 * time.Second,
			ErrorLog: slog.NewLogLogger(slog.DiscardHandler, slog.LevelWarn)}}
	go func() { _ = s.http.Serve(ln) }()
	go func() {
		defer close(s.done)
		err := index.Watch(ctx, store, index.WatchOptions{Logger: slog.New(slog.DiscardHandler)})
		if err != nil && ctx.Err() == nil {
			fmt.Fprintln(os.Stderr, "astapi-load: watcher:", err)
		}
	}()
	return s, nil
}

// endpoints picks the tenant and extension to query and fetches each
// endpoint's answer once (it must be a 200).
func endpoints(client *http.Client, srv *server, o options) ([]*endpoint, error) {
	snap := srv.store.Current()
	tenant := o.tenantID
	if tenant == "" {
		su := snap.UserByName(o.secrets.user)
		for _, t := range snap.Tenants {
			if len(snap.ExtensionsByTenant(t.ID)) > 0 && (su == nil || su.CanSeeTenant(t.ID)) {
				tenant = t.ID
				break
			}
		}
		if tenant == "" {
			return nil, errors.New("no tenant with extensions: give --tenant-id")
		}
	}
	byTenant := &endpoint{name: "/extension/bytenant", method: "POST", query: "tenant_id=" + tenant, cred: o.admin}
	body, err := fetch(client, srv.url, byTenant)
	if err != nil {
		return nil, err
	}
	var answer struct {
		Data []struct {
			ID string `json:"ex_id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &answer); err != nil || len(answer.Data) == 0 {
		return nil, fmt.Errorf("/extension/bytenant tenant_id=%s: no extension in %.200q", tenant, body)
	}
	eps := []*endpoint{
		byTenant,
		{name: "/extension/user", method: "POST", query: "tenant_id=" + tenant + "&extension_id=" + answer.Data[0].ID, cred: o.secrets},
		{name: "/destination/all", method: "POST", query: "tenant_id=" + tenant, cred: o.admin},
		{name: "/user/get", method: "GET", cred: o.admin},
	}
	for _, ep := range eps {
		if ep.body, err = fetch(client, srv.url, ep); err != nil {
			return nil, err
		}
	}
	return eps, nil
}

func newRequest(base string, ep *endpoint) *http.Request {
	u := base + ep.name
	if ep.query != "" {
		u += "?" + ep.query
	}
	req, err := http.NewRequest(ep.method, u, nil)
	if err != nil {
		panic(err)
	}
	req.SetBasicAuth(ep.cred.user, ep.cred.pass)
	return req
}

func fetch(client *http.Client, base string, ep *endpoint) ([]byte, error) {
	resp, err := client.Do(newRequest(base, ep))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s?%s as %s: %d %.200s", ep.method, ep.name, ep.query, ep.cred.user, resp.StatusCode, body)
	}
	return body, nil
}

// startBaseline serves each endpoint's answer from a bare gin handler that
// checks the endpoint's credentials in constant time.
func startBaseline(eps []*endpoint) (*baseline, error) {
	e := gin.New()
	for _, ep := range eps {
		user, pass, body := []byte(ep.cred.user), []byte(ep.cred.pass), ep.body
		e.Handle(ep.method, ep.name, func(c *gin.Context) {
			u, p, ok := c.Request.BasicAuth()
			if !ok || subtle.ConstantTimeCompare([]byte(u), user)&subtle.ConstantTimeCompare([]byte(p), pass) != 1 {
				c.Header("WWW-Authenticate", `Basic realm="astapi"`)
				c.AbortWithStatus(http.StatusUnauthorized)
				return
			}
			c.Data(http.StatusOK, "application/json; charset=utf-8", body)
		})
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &baseline{URL: "http://" + ln.Addr().String(), srv: &http.Server{Handler: e, ReadHeaderTimeout: 5 * time.Second}}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// baseline is the bare gin server.
type baseline struct {
	URL string
	srv *http.Server
}

func (b *baseline) Close() { _ = b.srv.Close() }

// measurePair measures ep on both servers in alternating slices.
func measurePair(client *http.Client, astapiURL, baseURL string, ep *endpoint, o options) (a, b result) {
	if o.warmup > 0 {
		measure(client, astapiURL, ep, o.concurrency, o.warmup)
		measure(client, baseURL, ep, o.concurrency, o.warmup)
	}
	slice := o.duration / time.Duration(o.rounds)
	for range o.rounds {
		ra := measure(client, astapiURL, ep, o.concurrency, slice)
		rb := measure(client, baseURL, ep, o.concurrency, slice)
		a.add(&ra)
		b.add(&rb)
	}
	return a, b
}

// measure sends ep's request from concurrency goroutines for d.
func measure(client *http.Client, base string, ep *endpoint, concurrency int, d time.Duration) result {
	parts := make([]result, concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for i := range parts {
		wg.Go(func() {
			r := &parts[i]
			r.latencies = make([]time.Duration, 0, 4096)
			var buf bytes.Buffer
			for {
				t := time.Now()
				if !t.Before(deadline) {
					return
				}
				resp, err := client.Do(newRequest(base, ep))
				if err != nil {
					r.errs++
					continue
				}
				buf.Reset()
				_, err = buf.ReadFrom(resp.Body)
				resp.Body.Close()
				r.latencies = append(r.latencies, time.Since(t))
				r.requests++
				switch {
				case err != nil:
					r.errs++
				case resp.StatusCode < 200 || resp.StatusCode > 299:
					r.non2xx++
				case !bytes.Equal(buf.Bytes(), ep.body):
					r.mismatches++
				}
			}
		})
	}
	wg.Wait()
	var total result
	for i := range parts {
		total.add(&parts[i])
	}
	total.elapsed = time.Since(start)
	return total
}

// reloadPhase copies the configuration to a temporary directory, serves
// the copy, and measures every endpoint while a file of it is rewritten.
func reloadPhase(ctx context.Context, client *http.Client, baseURL string, eps []*endpoint, accessLog io.Writer, o options) ([]*row, error) {
	tmp, err := os.MkdirTemp("", "astapi-load-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	cfgDir := filepath.Dir(o.config)
	if err := copyDir(cfgDir, tmp); err != nil {
		return nil, err
	}
	cfg := filepath.Join(tmp, filepath.Base(o.config))
	var reloads, failures atomic.Int64
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv, err := startAstapi(ctx, cfg, accessLog, func(res index.ReloadResult) {
		if res.Success {
			reloads.Add(1)
		} else {
			failures.Add(1)
		}
	})
	if err != nil {
		return nil, err
	}
	defer srv.close()
	// The file rewritten: extensions.conf of the copy (else the first
	// Asterisk file read), with a comment line that changes each time, so
	// that every reload makes a new snapshot with the same answers.
	snap := srv.store.Current()
	target := ""
	for _, f := range snap.Files {
		if filepath.Base(f) == "extensions.conf" {
			target = f
			break
		}
	}
	if target == "" {
		for _, f := range snap.Files {
			if f != snap.ConfigFile {
				target = f
				break
			}
		}
	}
	if target == "" || !strings.HasPrefix(target, tmp) {
		return nil, fmt.Errorf("reload phase: no Asterisk file of the copy in %s to rewrite (is asterisk_dir inside the config's directory?)", tmp)
	}
	orig, err := os.ReadFile(target)
	if err != nil {
		return nil, err
	}
	for _, ep := range eps { // the copy answers as the original does
		body, err := fetch(client, srv.url, ep)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(body, ep.body) {
			return nil, fmt.Errorf("reload phase: %s of the copy differs from the original's", ep.name)
		}
	}
	fmt.Fprintf(os.Stderr, "astapi-load: reload phase on a copy in %s: %s rewritten (%s) every %v\n", tmp, filepath.Base(target), o.rewrite, o.reloadEvery)

	var rows []*row
	for _, ep := range eps {
		stop := make(chan struct{})
		var rw sync.WaitGroup
		rw.Go(func() { rewriteLoop(target, orig, o, stop) })
		before, failedBefore := reloads.Load(), failures.Load()
		r := &row{phase: "reload", ep: ep}
		r.astapi, r.baseline = measurePair(client, srv.url, baseURL, ep, o)
		close(stop)
		rw.Wait()
		r.reloads, r.failures = reloads.Load()-before, failures.Load()-failedBefore
		rows = append(rows, r)
		fmt.Fprintf(os.Stderr, "  reload %-22s %8.0f req/s vs %8.0f: ratio %.2f, %d reloads\n", ep.name, r.astapi.rps(), r.baseline.rps(), r.ratio(), r.reloads)
	}
	return rows, nil
}

func rewriteLoop(target string, orig []byte, o options, stop <-chan struct{}) {
	t := time.NewTicker(o.reloadEvery)
	defer t.Stop()
	for n := 1; ; n++ {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		data := append(append(slices.Clip(orig), "\n; rewritten by astapi-load "...), fmt.Sprintf("%d\n", n)...)
		var err error
		if o.rewrite == "atomic" {
			tmp := filepath.Join(filepath.Dir(target), ".astapi-load.tmp")
			if err = os.WriteFile(tmp, data, 0o644); err == nil {
				err = os.Rename(tmp, target)
			}
		} else {
			err = os.WriteFile(target, data, 0o644)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "astapi-load: rewrite:", err)
		}
	}
}

// copyDir copies the regular files and directories under src into dst.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		out := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(out, 0o755)
		case d.Type().IsRegular():
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(out, data, 0o644)
		}
		return nil // symlinks and others are not copied
	})
}

// printTable prints the load-test table and says which targets are met.
func printTable(w io.Writer, rows []*row, o options) bool {
	fmt.Fprintf(w, "\n== IN-PROCESS load test (client and servers share the CPUs: ratios NOT comparable with `make bench`'s wrk table): astapi vs bare gin + Basic Auth (same body), %d connections, %v per endpoint and server, GOMAXPROCS %d ==\n",
		o.concurrency, o.duration, runtime.GOMAXPROCS(0))
	fmt.Fprintf(w, "%-7s %-20s %9s %-9s %10s %9s %9s %8s %7s %6s\n", "phase", "endpoint", "body", "server", "req/s", "p50", "p99", "non-2xx", "errors", "ratio")
	ok := true
	var notes []string
	for _, r := range rows {
		for i, res := range []*result{&r.astapi, &r.baseline} {
			name, ratio := "astapi", fmt.Sprintf("%.2f", r.ratio())
			if i == 1 {
				name, ratio = "baseline", ""
			}
			fmt.Fprintf(w, "%-7s %-20s %9s %-9s %10.0f %9s %9s %8d %7d %6s\n", r.phase, r.ep.name, fmtBytes(len(r.ep.body)), name, res.rps(),
				fmtDur(res.percentile(0.50)), fmtDur(res.percentile(0.99)), res.non2xx, res.errs+res.mismatches, ratio)
		}
		want := 0.85
		if r.phase == "reload" {
			want = 0.7
		}
		bad := r.astapi.non2xx + r.astapi.errs + r.astapi.mismatches
		if r.ratio() < want {
			ok = false
			notes = append(notes, fmt.Sprintf("NOT MET  %s %s: ratio %.2f < %.2f", r.phase, r.ep.name, r.ratio(), want))
		}
		if bad > 0 {
			ok = false
			notes = append(notes, fmt.Sprintf("NOT MET  %s %s: %d non-2xx, %d transport errors, %d wrong bodies", r.phase, r.ep.name, r.astapi.non2xx, r.astapi.errs, r.astapi.mismatches))
		}
		if r.phase == "reload" {
			notes = append(notes, fmt.Sprintf("         %s %s: %d reloads (%d failed) during the measure", r.phase, r.ep.name, r.reloads, r.failures))
		}
	}
	if ok {
		notes = append([]string{"MET      every ratio >= 0.85 cached / 0.7 under reload, no error answer"}, notes...)
	}
	fmt.Fprintln(w, strings.Join(notes, "\n"))
	return ok
}

func fmtBytes(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1fMB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1fkB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%dB", n)
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.0fµs", float64(d)/1e3)
}
