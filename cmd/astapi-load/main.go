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
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
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
