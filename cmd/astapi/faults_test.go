package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// probes are the answers the fault tests watch: they must never fail and
// never change unless the files did.
var probes = []call{
	{method: "POST", path: "/extension/bytenant", user: "admin", form: form("tenant_id", acmeID)},
	{method: "POST", path: "/destination/all", user: "acme", form: form("tenant_id", acmeID)},
	{method: "GET", path: "/user/get", user: "admin"},
}

// snapshotOf returns the probes' answers.
func (s *server) snapshotOf() []answer {
	out := make([]answer, len(probes))
	for i, c := range probes {
		out[i] = s.do(c)
		if out[i].code != http.StatusOK {
			s.t.Fatalf("%s: %d %s", c.path, out[i].code, out[i].body)
		}
	}
	return out
}

func sameAnswers(t *testing.T, what string, got, want []answer) {
	t.Helper()
	for i := range want {
		if got[i].code != want[i].code || got[i].etag != want[i].etag || got[i].body != want[i].body {
			t.Errorf("%s: %s changed: %d %s %.200s, want %d %s %.200s", what, probes[i].path,
				got[i].code, got[i].etag, got[i].body, want[i].code, want[i].etag, want[i].body)
		}
	}
}

// nextReload waits until /status reports a reload attempt after the one
// it reported as prev (compare At).
func (s *server) nextReload(prev statusDoc) statusDoc {
	s.t.Helper()
	var st statusDoc
	if !waitFor(5*time.Second, func() bool {
		st = s.status()
		return st.Data.LastReload.At != prev.Data.LastReload.At
	}) {
		s.t.Fatalf("no reload after %s:\n%s", prev.Data.LastReload.At, s.log)
	}
	return st
}

// hammer sends the probes from n goroutines until stop is closed and
// reports every answer to check; it returns how many were sent.
func (s *server) hammer(n int, stop <-chan struct{}, check func(i int, a answer, err error)) func() int {
	var wg sync.WaitGroup
	var sent atomic.Int64
	for g := 0; g < n; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := i % len(probes)
				a, err := s.try(probes[k], nil)
				sent.Add(1)
				check(k, a, err)
			}
		}()
	}
	return func() int { wg.Wait(); return int(sent.Load()) }
}

// faultServer serves a copy of the fixtures with a short debounce and
// returns it, the copy's Asterisk directory and the probes' answers.
func faultServer(t *testing.T) (*server, string, []answer) {
	t.Helper()
	ini := copyFixtures(t)
	s := startServe(t, "--config", ini, "--debounce", "20ms")
	return s, filepath.Join(filepath.Dir(ini), "asterisk"), s.snapshotOf()
}

// TestFaultUnreadable: a configuration directory or a sip.conf that cannot
// be read fails the reload; the last good configuration keeps being
// served with the same ETags, /status shows the failure, and fixing it
// recovers.
func TestFaultUnreadable(t *testing.T) {
	s, ast, good := faultServer(t)

	var gen uint64 // the generation served before the fault
	checkFailed := func(what string, st statusDoc) {
		t.Helper()
		lr := st.Data.LastReload
		if lr.Success || lr.Error == "" || st.Data.Generation != gen {
			t.Errorf("%s: /status generation %d, last reload %+v; want a failure and generation %d", what, st.Data.Generation, lr, gen)
		}
		sameAnswers(t, what, s.snapshotOf(), good)
		if !strings.Contains(s.log.String(), "reload failed; keeping the last good configuration") {
			t.Errorf("%s: failure not logged:\n%s", what, s.log)
		}
	}
	recovered := func(what string) {
		t.Helper()
		if !waitFor(5*time.Second, func() bool { return s.status().Data.LastReload.Success }) {
			t.Fatalf("%s: did not recover:\n%s", what, s.log)
		}
		sameAnswers(t, what+", fixed", s.snapshotOf(), good)
	}

	// sip.conf replaced by something that cannot be read as a file
	// (works as root too).
	inc := filepath.Join(ast, "sip.conf")
	body, err := os.ReadFile(inc)
	if err != nil {
		t.Fatal(err)
	}
	prev := s.status()
	gen = prev.Data.Generation
	if err := os.Remove(inc); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(inc, 0o755); err != nil {
		t.Fatal(err)
	}
	st := s.nextReload(prev)
	if !waitFor(5*time.Second, func() bool { st = s.status(); return !st.Data.LastReload.Success }) {
		t.Fatalf("reload over an unreadable sip.conf did not fail: %+v", st.Data.LastReload)
	}
	checkFailed("sip.conf is a directory", st)
	if err := os.Remove(inc); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(inc, body, 0o644); err != nil {
		t.Fatal(err)
	}
	recovered("sip.conf is a directory")

	if os.Geteuid() == 0 {
		t.Log("running as root, which ignores permissions: chmod 000 part skipped")
		return
	}
	prev = s.status()
	gen = prev.Data.Generation
	if err := os.Chmod(ast, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(ast, 0o755) })
	if !waitFor(5*time.Second, func() bool {
		st = s.status()
		return st.Data.LastReload.At != prev.Data.LastReload.At && !st.Data.LastReload.Success
	}) {
		t.Fatalf("reload of a chmod 000 directory did not fail: %+v\n%s", st.Data.LastReload, s.log)
	}
	checkFailed("chmod 000", st)
	if err := os.Chmod(ast, 0o755); err != nil {
		t.Fatal(err)
	}
	recovered("chmod 000")
}

// TestFaultTruncated: extensions.conf truncated to half (mid-line), again
// and again while clients read. Every answer is a 200; an ETag always
// comes with the same body (no answer mixes two reloads); once the files
// are whole again the original answers come back.
func TestFaultTruncated(t *testing.T) {
	ini := copyFixtures(t)
	file := filepath.Join(filepath.Dir(ini), "asterisk", "extensions.conf")
	whole, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	half := len(whole) / 2
	for whole[half-1] == '\n' {
		half++ // cut mid-line
	}
	s := startServe(t, "--config", ini, "--debounce", "5ms")
	good := s.snapshotOf()

	var mu sync.Mutex
	bodyOf := map[string]string{} // ETag -> body
	var failures []string
	stop := make(chan struct{})
	wait := s.hammer(4, stop, func(k int, a answer, err error) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil:
			failures = append(failures, err.Error())
		case a.code != http.StatusOK:
			failures = append(failures, fmt.Sprintf("%s: %d %s", probes[k].path, a.code, a.body))
		case bodyOf[a.etag] != "" && bodyOf[a.etag] != a.body:
			failures = append(failures, fmt.Sprintf("%s: ETag %s with two bodies", probes[k].path, a.etag))
		default:
			bodyOf[a.etag] = a.body
		}
	})
	for round := 0; round < 8; round++ {
		prev := s.status()
		if err := os.Truncate(file, int64(half)); err != nil {
			t.Fatal(err)
		}
		st := s.nextReload(prev)
		// Either the truncated file is served or the reload failed and
		// the last good snapshot still is; both are consistent.
		if !st.Data.LastReload.Success && st.Data.LastReload.Error == "" {
			t.Errorf("failed reload without a reason: %+v", st.Data.LastReload)
		}
		if err := os.WriteFile(file, whole, 0o644); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	n := wait()
	for _, f := range failures {
		t.Error(f)
		if len(failures) > 10 {
			break
		}
	}
	if !waitFor(5*time.Second, func() bool {
		st := s.status()
		return st.Data.LastReload.Success && s.do(probes[0]).etag == good[0].etag
	}) {
		t.Fatalf("not back to the whole file:\n%s", s.log)
	}
	sameAnswers(t, "whole again", s.snapshotOf(), good)
	t.Logf("%d answers, %d distinct ETags", n, len(bodyOf))
}

// TestFaultPartialTempFile: an editor (or a full disk) leaves partial temp
// files next to the configuration that are never renamed in: the reloads
// they cause change nothing.
func TestFaultPartialTempFile(t *testing.T) {
	s, ast, good := faultServer(t)
	sip, err := os.ReadFile(filepath.Join(ast, "sip.conf"))
	if err != nil {
		t.Fatal(err)
	}
	// What vim, emacs, sed -i and a write-temp-then-rename tool leave
	// behind when the write fails with ENOSPC halfway.
	for _, name := range []string{".sip.conf.swp", "4913", "sip.conf~", ".#sip.conf", "sed7XbQ2a", "sip.conf.tmp.4242", ".extensions.conf.astapi-tmp"} {
		prev := s.status()
		f, err := os.Create(filepath.Join(ast, name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(sip[:len(sip)/3]); err != nil {
			t.Fatal(err)
		}
		// The write "fails": the file is closed as it is and left there.
		f.Close()
		st := s.nextReload(prev)
		if !st.Data.LastReload.Success {
			t.Errorf("%s: reload failed: %+v", name, st.Data.LastReload)
		}
		sameAnswers(t, name, s.snapshotOf(), good)
	}
}

// TestFaultSIGHUPStorm: 200 SIGHUPs while clients read: no failed answer,
// no change of answer, and the server still serves afterwards.
func TestFaultSIGHUPStorm(t *testing.T) {
	// Keep a handler of our own for the whole test, so that no SIGHUP can
	// reach the process while runServe's is not registered (the default
	// action would end the test binary). Nobody reads it: once its one
	// slot is full, signal delivery drops further ones for it.
	mine := make(chan os.Signal, 1)
	signal.Notify(mine, syscall.SIGHUP)
	defer signal.Stop(mine)

	s := startServe(t, "--config", copyFixtures(t))
	good := s.snapshotOf()
	gen := s.status().Data.Generation
	var bad atomic.Int64
	var first atomic.Value
	stop := make(chan struct{})
	wait := s.hammer(4, stop, func(k int, a answer, err error) {
		if err != nil || a.code != http.StatusOK || a.etag != good[k].etag || a.body != good[k].body {
			if bad.Add(1) == 1 {
				first.Store(fmt.Sprintf("%s: %d %v %.200s", probes[k].path, a.code, err, a.body))
			}
		}
	})
	for i := 0; i < 200; i++ {
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	// Let the last reloads run under load too.
	waitFor(5*time.Second, func() bool { return s.status().Data.Generation > gen })
	time.Sleep(50 * time.Millisecond)
	close(stop)
	n := wait()
	if bad.Load() > 0 {
		t.Errorf("%d of %d answers failed or changed; first: %v", bad.Load(), n, first.Load())
	}
	st := s.status()
	if st.Data.Generation <= gen || !st.Data.LastReload.Success {
		t.Errorf("after the storm: generation %d (before %d), last reload %+v", st.Data.Generation, gen, st.Data.LastReload)
	}
	sameAnswers(t, "after the storm", s.snapshotOf(), good)
	t.Logf("%d answers during the storm, %d reloads", n, st.Data.Generation-gen)
}

// clientFrom returns an HTTP client whose connections come from the
// loopback address ip (Linux routes all of 127/8 to lo), or nil when the
// system does not allow that.
func clientFrom(ip string) *http.Client {
	local := &net.TCPAddr{IP: net.ParseIP(ip)}
	d := &net.Dialer{LocalAddr: local, Timeout: 10 * time.Second}
	if c, err := d.Dial("tcp", "127.0.0.1:9"); err != nil && strings.Contains(err.Error(), "assign requested address") {
		return nil
	} else if c != nil {
		c.Close()
	}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// TestFaultLoginStorm: 1000 concurrent clients with a wrong password, from
// one source address and then from 1000: the limiter answers 429 with
// Retry-After and keeps doing so (correct credentials included) from the
// offending addresses, while valid users elsewhere keep getting 200.
func TestFaultLoginStorm(t *testing.T) {
	const limit = 1
	s := startServe(t, "--config", copyFixtures(t), "--login-failure-limit", fmt.Sprint(limit))
	one := clientFrom("127.0.0.2")
	if one == nil {
		t.Skip("cannot bind loopback aliases here")
	}
	wrong := func(r *http.Request) { r.SetBasicAuth("admin", "not-the-password") }
	login := call{method: "GET", path: "/user/login", user: "acme"}
	if a := s.do(login); a.code != 200 {
		t.Fatalf("valid login: %d %s", a.code, a.body)
	}

	// Valid users on 127.0.0.1 all along.
	stopValid := make(chan struct{})
	var valid, validBad atomic.Int64
	var validWG sync.WaitGroup
	for g := 0; g < 2; g++ {
		validWG.Add(1)
		go func() {
			defer validWG.Done()
			for {
				select {
				case <-stopValid:
					return
				default:
				}
				a, err := s.try(login, nil)
				valid.Add(1)
				if err != nil || a.code != 200 {
					validBad.Add(1)
				}
				time.Sleep(2 * time.Millisecond)
			}
		}()
	}

	storm := func(clients []*http.Client, perClient int) map[int]int {
		var mu sync.Mutex
		codes := map[int]int{}
		var wg sync.WaitGroup
		for _, c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < perClient; i++ {
					a, err := send(c, s.base, login, wrong)
					mu.Lock()
					if err != nil {
						codes[-1]++
					} else {
						codes[a.code]++
						if a.code == 429 && a.hdr.Get("Retry-After") == "" {
							codes[-429]++
						}
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		return codes
	}
	holds := func(c *http.Client, who string) {
		t.Helper()
		a, err := send(c, s.base, login, nil) // correct credentials
		if err != nil || a.code != 429 || a.hdr.Get("Retry-After") == "" || a.message() == "" {
			t.Errorf("%s after the storm, valid credentials: %d %v %s, want 429 with Retry-After", who, a.code, err, a.body)
		}
	}

	// 1000 concurrent clients on one address.
	clients := make([]*http.Client, 1000)
	for i := range clients {
		clients[i] = clientFrom("127.0.0.2")
	}
	start := time.Now()
	codes := storm(clients, 1)
	t.Logf("one address: %v in %v", codes, time.Since(start))
	if codes[401]+codes[429] != 1000 || codes[429] == 0 || codes[-429] > 0 {
		t.Errorf("one address: %v, want only 401 and 429 (with Retry-After), some 429", codes)
	}
	holds(one, "127.0.0.2")

	// 1000 addresses, each over the limit.
	many := make([]*http.Client, 1000)
	for i := range many {
		if many[i] = clientFrom(fmt.Sprintf("127.3.%d.%d", i/250, i%250+1)); many[i] == nil {
			t.Skip("cannot bind 127.3.0.0/16 here")
		}
	}
	start = time.Now()
	codes = storm(many, limit+1)
	t.Logf("1000 addresses: %v in %v", codes, time.Since(start))
	if codes[401] != 1000*limit || codes[429] != 1000 || codes[-429] > 0 {
		t.Errorf("1000 addresses: %v, want %d 401 and 1000 429 with Retry-After", codes, 1000*limit)
	}
	holds(many[0], "127.3.0.1")
	holds(many[999], "127.3.3.250")

	close(stopValid)
	validWG.Wait()
	if validBad.Load() > 0 || valid.Load() == 0 {
		t.Errorf("valid user during the storms: %d of %d failed", validBad.Load(), valid.Load())
	}
	for _, c := range append(clients, many...) {
		c.CloseIdleConnections()
	}
}
