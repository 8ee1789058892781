// Command astapi-benchsum prints the output of `go test -bench` (a file,
// as `make bench` saves it) as one table, then the SPEC §9 figures it holds
// against their targets or baselines (MET / NOT MET).
//
//	astapi-benchsum bench.txt
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: astapi-benchsum FILE   (the output of go test -bench)")
		os.Exit(2)
	}
	if err := summariseBench(os.Stdout, os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "astapi-benchsum:", err)
		os.Exit(1)
	}
}

// summariseBench prints the benchmark lines of a `go test -bench` output
// as one table, then the SPEC §9 figures it holds against their targets
// or baselines.
func summariseBench(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	type bench struct {
		pkg, name string
		metrics   map[string]float64
		units     []string
	}
	var all []bench
	var fails []string
	pkg := ""
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimPrefix(p, "github.com/astapi/astapi/")
			continue
		}
		if strings.HasPrefix(line, "FAIL") || strings.HasPrefix(line, "--- FAIL") || strings.HasPrefix(line, "panic:") {
			fails = append(fails, line)
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		b := bench{pkg: pkg, name: strings.TrimPrefix(fields[0], "Benchmark"), metrics: map[string]float64{}}
		if i := strings.LastIndexByte(b.name, '-'); i > 0 {
			b.name = b.name[:i] // the -GOMAXPROCS suffix
		}
		for i := 2; i+1 < len(fields); i += 2 {
			var v float64
			if _, err := fmt.Sscan(fields[i], &v); err != nil {
				break
			}
			b.metrics[fields[i+1]] = v
			b.units = append(b.units, fields[i+1])
		}
		all = append(all, b)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n== go test -bench (%s) ==\n", path)
	fmt.Fprintf(w, "%-9s %-58s %s\n", "package", "benchmark", "metrics")
	for _, b := range all {
		var ms []string
		for _, u := range b.units {
			ms = append(ms, fmtMetric(b.metrics[u], u))
		}
		fmt.Fprintf(w, "%-9s %-58s %s\n", b.pkg, b.name, strings.Join(ms, "  "))
	}
	find := func(pkg, name string) map[string]float64 {
		for _, b := range all {
			if b.pkg == pkg && b.name == name {
				return b.metrics
			}
		}
		return nil
	}
	fmt.Fprintln(w, "\n== SPEC §9 figures from the benchmarks ==")
	if m := find("index", "LoadScale/tenants=10000/load"); m != nil {
		fmt.Fprintf(w, "%-8s parse+index 10k tenants/100k peers/1.25M dialplan lines: %.2fs (target < 2s), peak heap %.0f MB (target < 1536), retained %.0f MB, %.0f MB allocated, %.0f allocs\n",
			verdict(m["s/load"] < 2 && m["peak-heap-MB"] < 1536), m["s/load"], m["peak-heap-MB"], m["retained-MB"], m["B/op"]/(1<<20), m["allocs/op"])
	} else {
		fmt.Fprintln(w, "         (no BenchmarkLoadScale/tenants=10000/load in the output)")
	}
	if m := find("index", "LoadScale/tenants=10000/served"); m != nil {
		fmt.Fprintf(w, "         as astapi serve makes its first load (GOGC 400, the 1 GiB default memory limit): %.2fs, peak heap %.0f MB\n", m["s/load"], m["peak-heap-MB"])
	}
	if m := find("index", "LoadScale/tenants=10000/reload"); m != nil {
		fmt.Fprintf(w, "         reload of the same (previous snapshot held): %.2fs, peak heap %.0f MB\n", m["s/load"], m["peak-heap-MB"])
	}
	if s, l := find("index", "LoadScale/tenants=1000/load"), find("index", "LoadScale/tenants=10000/load"); s != nil && l != nil {
		fmt.Fprintf(w, "         1k -> 10k tenants: time ×%.1f, allocated ×%.1f, retained ×%.1f (linear: ×10)\n",
			l["s/load"]/s["s/load"], l["B/op"]/s["B/op"], l["retained-MB"]/s["retained-MB"])
	}
	if f, i := find("index", "EditToAnswer/full"), find("index", "EditToAnswer/incremental"); f != nil && i != nil {
		fmt.Fprintf(w, "%-8s one-file edit at 10k tenants (a file per tenant): reload %.2fs (target < 0.3s), %.2f of a load (target <= 0.25); rebuilding everything: %.2fs, %.2f of a load\n",
			verdict(i["edit-s"] < 0.3 && i["edit/load"] <= 0.25), i["edit-s"], i["edit/load"], f["edit-s"], f["edit/load"])
		fmt.Fprintf(w, "%-8s peak RSS over a load and five edited reloads: %.0f MB (target < 1200), rebuilding everything %.0f MB; call-flow parts reused %.0f\n",
			verdict(i["peak-RSS-MB"] < 1200), i["peak-RSS-MB"], f["peak-RSS-MB"], i["parts-reused"])
	}
	if p := find("index", "EditToAnswer/incremental-peers"); p != nil {
		fmt.Fprintf(w, "%-8s a phone added to a tenant's sip.conf file: reload %.2fs (target < 0.3s), %.2f of a load (target <= 0.25), peak RSS %.0f MB\n",
			verdict(p["edit-s"] < 0.3 && p["edit/load"] <= 0.25 && p["peak-RSS-MB"] < 1200), p["edit-s"], p["edit/load"], p["peak-RSS-MB"])
	}
	for _, c := range []struct{ name, what string }{
		{"EditToAnswer/incremental-watched", "a tenant's dialplan file"},
		{"EditToAnswer/incremental-peers-watched", "a phone added to a tenant's sip.conf file"},
	} {
		if m := find("index", c.name); m != nil {
			fmt.Fprintf(w, "%-8s %s, from the edit to the answer through the watcher, debounce included: %.2fs (target < 0.3s)\n",
				verdict(m["edit-s"] < 0.3), c.what, m["edit-s"])
		}
	}
	for _, file := range []string{"sip.conf", "extensions.conf"} {
		a, b := find("parser", "ParseScale/"+file+"/astapi"), find("parser", "ParseScale/"+file+"/ini.v1-baseline")
		if a != nil && b != nil && b["MB/s"] > 0 {
			fmt.Fprintf(w, "         parser on the generated %s: %.0f MB/s, gopkg.in/ini.v1 %.0f MB/s (×%.1f)\n", file, a["MB/s"], b["MB/s"], a["MB/s"]/b["MB/s"])
		}
	}
	if a, b := find("api", "CachedExtensionByTenant"), find("api", "BareGinBaseline"); a != nil && b != nil && a["ns/op"] > 0 {
		fmt.Fprintf(w, "         handlers alone (no network), cached /extension/bytenant vs bare gin: %.0f ns vs %.0f ns, ratio %.2f\n",
			a["ns/op"], b["ns/op"], b["ns/op"]/a["ns/op"])
	}
	if a, b := find("api", "HTTPCachedExtensionByTenant"), find("api", "HTTPBareGinBaseline"); a != nil && b != nil && a["ns/op"] > 0 {
		r := b["ns/op"] / a["ns/op"]
		fmt.Fprintf(w, "%-8s over HTTP, cached /extension/bytenant vs bare gin: %.0f µs vs %.0f µs, ratio %.2f (target >= 0.85)\n",
			verdict(r >= 0.85), a["ns/op"]/1e3, b["ns/op"]/1e3, r)
	}
	for _, l := range fails {
		fmt.Fprintln(w, "FAILED   "+l)
	}
	return nil
}

func verdict(ok bool) string {
	if ok {
		return "MET"
	}
	return "NOT MET"
}

func fmtMetric(v float64, unit string) string {
	switch {
	case unit == "ns/op" && v >= 1e6:
		return fmt.Sprintf("%.2fms/op", v/1e6)
	case v >= 1e6 || v == float64(int64(v)):
		return fmt.Sprintf("%.0f %s", v, unit)
	}
	return fmt.Sprintf("%.2f %s", v, unit)
}
