package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"
)

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
