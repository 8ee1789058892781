package index_test

// Scale benchmarks (SPEC §9): parse + index of a generated PBX of 1k and
// 10k tenants (10 peers and 10 dialplan lines per peer each: the 10k one
// is 100k peers and about 1.25M dialplan lines), the same Load again while
// the first snapshot is still held (a reload, as the Store does it), and a
// test that memory and time grow linearly.
//
//	go test ./index -run '^$' -bench LoadScale -benchtime 3x
//	go test ./index -run TestScaleLinear -v
//
// Custom metrics: peak-heap-MB is the highest heap in use (live and not yet
// collected objects, runtime/metrics /memory/classes/heap/objects:bytes)
// sampled every millisecond during one Load; retained-MB is the heap still
// live after the Load with the snapshot held (after a forced GC);
// cpu-s/load is the CPU time the process spent during one Load (all
// goroutines, the collector's included: on a shared machine, wall time
// says more about the neighbours than about the Load).

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/internal/pbxgen"
)

// scaleSpec is the PBX the benchmarks load: tenants × 10 peers × 10 lines.
func scaleSpec(tenants int) pbxgen.Spec {
	return pbxgen.Spec{Tenants: tenants, PeersPerTenant: 10, DialplanPerPeer: 10,
		PasswordHash: pbxgen.DemoHash, AdminUser: "admin"}
}

func writeScale(tb testing.TB, dir string, tenants int) string {
	tb.Helper()
	ini, err := pbxgen.Write(filepath.Join(dir, fmt.Sprintf("pbx%d", tenants)), scaleSpec(tenants))
	if err != nil {
		tb.Fatal(err)
	}
	return ini
}

// heapPeak samples the heap in use until stopped and reports the highest
// value seen.
type heapPeak struct {
	stop chan struct{}
	done chan uint64
}

const heapObjects = "/memory/classes/heap/objects:bytes"

func readHeap(s []metrics.Sample) uint64 {
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func startHeapPeak() *heapPeak {
	h := &heapPeak{stop: make(chan struct{}), done: make(chan uint64, 1)}
	ready := make(chan struct{})
	go func() {
		s := []metrics.Sample{{Name: heapObjects}}
		peak := readHeap(s)
		close(ready)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				if v := readHeap(s); v > peak {
					peak = v
				}
				h.done <- peak
				return
			case <-t.C:
				if v := readHeap(s); v > peak {
					peak = v
				}
			}
		}
	}()
	<-ready
	return h
}

func (h *heapPeak) end() uint64 {
	close(h.stop)
	return <-h.done
}

// loadResult is one measured Load.
type loadResult struct {
	snap     *index.Snapshot
	elapsed  time.Duration
	cpu      time.Duration // process CPU time (user + system) during the Load
	peak     uint64        // heap in use, highest sample
	alloc    uint64        // bytes allocated by the Load
	mallocs  uint64        // objects allocated by the Load
	retained uint64        // live heap after the Load (snapshot held) minus before
}

func measureLoad(tb testing.TB, ini string) loadResult {
	return measureLoadWith(tb, ini, func() (*index.Snapshot, error) { return index.Load(ini) })
}

// measureLoadWith is measureLoad of another load of ini (see
// BenchmarkLoadScale's served).
func measureLoadWith(tb testing.TB, ini string, load func() (*index.Snapshot, error)) loadResult {
	tb.Helper()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := startHeapPeak()
	cpu0 := cpuTime()
	start := time.Now()
	snap, err := load()
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	p := peak.end()
	if err != nil {
		tb.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	r := loadResult{snap: snap, elapsed: elapsed, cpu: cpu, peak: p,
		alloc: after.TotalAlloc - before.TotalAlloc, mallocs: after.Mallocs - before.Mallocs}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if after.HeapAlloc > before.HeapAlloc {
		r.retained = after.HeapAlloc - before.HeapAlloc
	}
	return r
}

const mb = 1 << 20

// cpuTime is the CPU time the process has used (user + system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func report(b *testing.B, rs []loadResult) {
	var peak, retained, alloc, mallocs uint64
	times := make([]time.Duration, 0, len(rs))
	cpus := make([]time.Duration, 0, len(rs))
	for _, r := range rs {
		cpus = append(cpus, r.cpu)
		peak = max(peak, r.peak)
		retained = max(retained, r.retained)
		alloc += r.alloc
		mallocs += r.mallocs
		times = append(times, r.elapsed)
	}
	n := uint64(len(rs))
	// The median: one load of a big PBX takes seconds, so b.N is 1 and a
	// single sample is at the mercy of a busy machine.
	slices.Sort(times)
	median := times[len(times)/2]
	slices.Sort(cpus)
	b.ReportMetric(cpus[len(cpus)/2].Seconds(), "cpu-s/load")
	b.ReportMetric(float64(median.Nanoseconds()), "ns/op")
	b.ReportMetric(median.Seconds(), "s/load")
	b.ReportMetric(float64(peak)/mb, "peak-heap-MB")
	b.ReportMetric(float64(retained)/mb, "retained-MB")
	b.ReportMetric(float64(alloc/n), "B/op")
	b.ReportMetric(float64(mallocs/n), "allocs/op")
}

// BenchmarkLoadScale: load = index.Load of the files with nothing else
// held; reload = index.Load again while the previous snapshot is still
// held (what the Store does: peak heap is old + new); served = load as
// `astapi serve` makes its first load: under index.MemoryTuning (GOGC
// 400 while it runs) and the default soft memory limit.
// Each iteration measures loadSamples loads (see report).
const loadSamples = 3

func BenchmarkLoadScale(b *testing.B) {
	dir := b.TempDir()
	for _, tenants := range []int{1000, 10000} {
		var (
			once sync.Once
			ini  string
		)
		setup := func(b *testing.B) string {
			once.Do(func() { ini = writeScale(b, dir, tenants) })
			return ini
		}
		b.Run(fmt.Sprintf("tenants=%d/load", tenants), func(b *testing.B) {
			ini := setup(b)
			var rs []loadResult
			for b.Loop() {
				for range loadSamples {
					r := measureLoad(b, ini)
					r.snap = nil
					rs = append(rs, r)
				}
			}
			report(b, rs)
		})
		b.Run(fmt.Sprintf("tenants=%d/served", tenants), func(b *testing.B) {
			ini := setup(b)
			defer debug.SetMemoryLimit(debug.SetMemoryLimit(index.DefaultMemoryLimit))
			var mt index.MemoryTuning
			load := mt.Wrap(func() (*index.Snapshot, error) { return index.Load(ini) })
			var rs []loadResult
			for b.Loop() {
				for range loadSamples {
					r := measureLoadWith(b, ini, load)
					r.snap = nil
					rs = append(rs, r)
				}
			}
			report(b, rs)
		})
		b.Run(fmt.Sprintf("tenants=%d/reload", tenants), func(b *testing.B) {
			ini := setup(b)
			held, err := index.Load(ini)
			if err != nil {
				b.Fatal(err)
			}
			var rs []loadResult
			for b.Loop() {
				for range loadSamples {
					r := measureLoad(b, ini)
					held = r.snap // the new snapshot replaces the old one, as in the Store
					r.snap = nil
					rs = append(rs, r)
				}
			}
			runtime.KeepAlive(held)
			report(b, rs)
		})
	}
}

// TestScaleLinear checks that a 5k-tenant PBX costs about five times a
// 1k-tenant one: allocated bytes, retained heap and (loosely) time.
func TestScaleLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("scale test skipped with -short")
	}
	if raceEnabled() {
		t.Skip("scale test skipped under the race detector (time and memory are not the program's)")
	}
	dir := t.TempDir()
	small, large := 1000, 5000
	iniS, iniL := writeScale(t, dir, small), writeScale(t, dir, large)
	// The cheapest of two loads (CPU time); memory figures are nearly the
	// same each time.
	best := func(ini string) loadResult {
		var out loadResult
		for i := 0; i < 2; i++ {
			r := measureLoad(t, ini)
			r.snap = nil
			if i == 0 || r.cpu < out.cpu {
				out = r
			}
		}
		return out
	}
	measureLoad(t, iniS) // warm up (page cache, code)
	s, l := best(iniS), best(iniL)
	want := float64(large) / float64(small)
	check := func(what string, a, b float64, slack float64) {
		ratio := b / a
		t.Logf("%s: %d tenants %.1f, %d tenants %.1f: ratio %.2f (linear %.1f)", what, small, a, large, b, ratio, want)
		if ratio > want*slack || ratio < want/slack {
			t.Errorf("%s grows by %.2f from %d to %d tenants, not about %.1f: not linear", what, ratio, small, large, want)
		}
	}
	check("allocated MB", float64(s.alloc)/mb, float64(l.alloc)/mb, 1.3)
	check("retained MB", float64(s.retained)/mb, float64(l.retained)/mb, 1.3)
	check("allocations", float64(s.mallocs), float64(l.mallocs), 1.3)
	// Time is noisy on a shared machine: CPU time rather than wall time
	// (a neighbour's burst stretches the one, much less the other), and
	// only a clearly non-linear growth fails.
	check("load CPU ms", float64(s.cpu.Milliseconds()), float64(l.cpu.Milliseconds()), 2)
	t.Logf("load wall ms: %d tenants %d, %d tenants %d", small, s.elapsed.Milliseconds(), large, l.elapsed.Milliseconds())
}

// raceEnabled reports whether the test binary was built with -race.
func raceEnabled() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// BenchmarkReloadPeakRSS: the process's peak resident memory (VmHWM) over
// a first load and five reloads of the 10k-tenant PBX through a Store, one
// file edited before each reload: every reload a full index.Load with the
// runtime's defaults (untuned), and as `astapi serve` runs them (tuned):
// index.MemoryTuning, the default soft memory limit following the live
// heap, and reloads from the snapshot served (index.LoadFrom). The peak is reset between the two
// (/proc/self/clear_refs), so each reports its own.
//
//	go test ./index -run '^$' -bench ReloadPeakRSS -benchtime 1x
func BenchmarkReloadPeakRSS(b *testing.B) {
	ini := writeScale(b, b.TempDir(), 10000)
	sip := filepath.Join(filepath.Dir(ini), "asterisk", "sip.conf")
	for _, tuned := range []bool{false, true} {
		name := map[bool]string{false: "untuned", true: "tuned"}[tuned]
		b.Run(name, func(b *testing.B) {
			var loads []time.Duration
			var peak uint64
			for b.Loop() {
				r := sixLoads(b, ini, tuned, tuned, false, func(i int) { appendLine(b, sip, fmt.Sprintf("; edit %d\n", i)) })
				loads, peak = append(loads, r.loads...), max(peak, r.peak)
			}
			slices.Sort(loads)
			b.ReportMetric(float64(peak)/mb, "peak-RSS-MB")
			b.ReportMetric(loads[len(loads)/2].Seconds(), "s/reload")
		})
	}
}

// sixRun is what sixLoads measured.
type sixRun struct {
	loads  []time.Duration // the first load, then the five reloads
	reused int             // call-flow parts the last reload reused
	peak   uint64          // the process's peak RSS over the six
}

// sixLoads loads ini through a Store and reloads it five times, edit(i)
// before reload i: with tuned, as `astapi serve` runs (index.MemoryTuning
// with the default limit following the live heap); with fromPrevious,
// each reload from the snapshot served (index.LoadFrom), else a full
// index.Load. Each reload's time is the reload's own, or with watched,
// from the edit to the new snapshot served by index.Watch with its
// default debounce.
func sixLoads(b *testing.B, ini string, tuned, fromPrevious, watched bool, edit func(i int)) sixRun {
	b.Helper()
	runtime.GC()
	debug.FreeOSMemory()
	if err := resetPeakRSS(); err != nil {
		b.Skip("cannot reset the peak RSS:", err)
	}
	var st *index.Store
	load := func() (*index.Snapshot, error) {
		if fromPrevious {
			return index.LoadFrom(ini, st.Current())
		}
		return index.Load(ini)
	}
	mt := index.MemoryTuning{AutoLimit: true}
	if tuned {
		load = mt.Wrap(load)
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(index.DefaultMemoryLimit))
	}
	st = index.NewStore(load)
	served := make(chan time.Time, 8)
	st.OnReload(func(res index.ReloadResult, _ *index.Snapshot) {
		if res.Success && watched {
			served <- time.Now() // before Release's collection: the snapshot is served
		}
	})
	if tuned {
		st.OnReload(mt.Release)
	}
	var r sixRun
	for i := range 6 {
		if i == 0 || !watched {
			if i > 0 {
				edit(i)
			}
			res := st.Reload()
			if !res.Success {
				b.Fatal(res.Err)
			}
			r.loads = append(r.loads, res.Duration)
			r.reused = st.Current().Flow.Reuse.Reused
			continue
		}
		if i == 1 {
			<-served // the first load's
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- index.Watch(ctx, st, index.WatchOptions{Logger: slog.New(slog.DiscardHandler)}) }()
			defer func() {
				cancel()
				<-done
			}()
		}
		// Edits come apart, as people make them: the last reload's
		// collection is over, and the watches are in place.
		time.Sleep(time.Second)
		for len(served) > 0 {
			<-served
		}
		start := time.Now()
		edit(i)
		select {
		case at := <-served:
			r.loads = append(r.loads, at.Sub(start))
		case <-time.After(time.Minute):
			b.Fatal("the edit was not served within a minute")
		}
		r.reused = st.Current().Flow.Reuse.Reused
	}
	p, err := peakRSS()
	if err != nil {
		b.Fatal(err)
	}
	r.peak = p
	return r
}

func appendLine(tb testing.TB, path, line string) {
	tb.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(line); err != nil {
		tb.Fatal(err)
	}
}

// resetPeakRSS resets VmHWM to the current RSS (Linux).
func resetPeakRSS() error { return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS returns VmHWM, in bytes.
func peakRSS() (uint64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}

// BenchmarkEditToAnswer: the 10k-tenant PBX with a file per tenant
// (pbxgen FilePerTenant), served through a Store as `astapi serve` runs it
// (memory tuning on), one tenant's dialplan file edited before each of
// five reloads. "full" rebuilds everything at each reload (index.Load,
// the baseline); "incremental" starts from the snapshot served
// (index.LoadFrom); "incremental-peers" too, with a phone added to one
// tenant's sip.conf file instead; the "-watched" ones are those two
// served by index.Watch. Reported: the median reload (edit-s: the
// reload's own time, or with the watcher, from the edit to the new
// snapshot being served, its default debounce included, as SPEC §9
// counts), the first load (load-s), their ratio, the call-flow parts
// reused, and the process's peak resident memory over the six loads.
//
//	go test ./index -run '^$' -bench EditToAnswer -benchtime 1x
func BenchmarkEditToAnswer(b *testing.B) {
	dir := b.TempDir()
	ini, err := pbxgen.Write(filepath.Join(dir, "pbx"), pbxgen.Spec{Tenants: 10000, PeersPerTenant: 10, DialplanPerPeer: 10,
		PasswordHash: pbxgen.DemoHash, AdminUser: "admin", FilePerTenant: true})
	if err != nil {
		b.Fatal(err)
	}
	ast := filepath.Join(filepath.Dir(ini), "asterisk")
	dialplanEdit := func(i int) {
		t := i * 1637 % 10000
		_, ext := pbxgen.TenantFiles(t)
		appendLine(b, filepath.Join(ast, ext), fmt.Sprintf("[t%d-internal](+)\nexten => %d,1,Dial(SIP/100-T%d,20)\n", t, 800+i, t))
	}
	peerEdit := func(i int) {
		t := i * 1637 % 10000
		sip, _ := pbxgen.TenantFiles(t)
		appendLine(b, filepath.Join(ast, sip), fmt.Sprintf("\n[19%d-T%d](t%d-phone)\nsecret=Added%dSecret%d\n", i, t, t, i, t))
	}
	for _, c := range []struct {
		name                 string
		incremental, watched bool
		edit                 func(int)
	}{
		{"full", false, false, dialplanEdit},
		{"incremental", true, false, dialplanEdit},
		{"incremental-peers", true, false, peerEdit},
		{"incremental-watched", true, true, dialplanEdit},
		{"incremental-peers-watched", true, true, peerEdit},
	} {
		b.Run(c.name, func(b *testing.B) {
			var edits []time.Duration
			var first time.Duration
			var peak uint64
			reused := 0
			for b.Loop() {
				r := sixLoads(b, ini, true, c.incremental, c.watched, c.edit)
				first, edits, reused, peak = r.loads[0], append(edits, r.loads[1:]...), r.reused, max(peak, r.peak)
			}
			slices.Sort(edits)
			med := edits[len(edits)/2]
			b.ReportMetric(med.Seconds(), "edit-s")
			b.ReportMetric(first.Seconds(), "load-s")
			b.ReportMetric(med.Seconds()/first.Seconds(), "edit/load")
			b.ReportMetric(float64(reused), "parts-reused")
			b.ReportMetric(float64(peak)/mb, "peak-RSS-MB")
		})
	}
}
