package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/astapi/astapi/api"
	"github.com/astapi/astapi/index"
)

const (
	// debounce is serve's default: the latencies measured are the ones
	// production sees.
	debounce = 100 * time.Millisecond
	// visibleWithin bounds the time from a change to the first answer
	// showing it.
	visibleWithin = time.Second
	// settle is how long answers are still watched after the new one
	// showed: it must not flip back or change again.
	settle = 3 * debounce
	// pollEvery is the pause between two requests of a poll loop: short
	// for the latency's resolution, not so short that thirty polling
	// tests starve the goroutines changing the files.
	pollEvery = 2 * time.Millisecond

	adminPass = "admin-e2e"
	tenantID  = "80"
)

// passwordHash is adminPass at bcrypt's lowest cost, made once: a fresh
// login after a reload must not cost the latency being measured.
var passwordHash = sync.OnceValue(func() string {
	h, err := bcrypt.GenerateFromPassword([]byte(adminPass), bcrypt.MinCost)
	if err != nil {
		panic(err)
	}
	return string(h)
})

// iniFile is an astapi.ini next to asterisk/ serving tenant Acme (pinned
// to tenantID, peers NNN-Acme) with the user admin and one admin per extra name, all
// with adminPass.
func iniFile(extraUsers ...string) string { return iniFileFor("asterisk", extraUsers...) }

// iniFileFor is iniFile with another asterisk_dir.
func iniFileFor(asteriskDir string, extraUsers ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[server]\nasterisk_dir = %s\n\n[tenant Acme]\nid = %s\ncode = Acme\ncontexts = acme-*\n", asteriskDir, tenantID)
	for _, u := range append([]string{"admin"}, extraUsers...) {
		fmt.Fprintf(&b, "\n[user %s]\nemail = %s@example.com\npassword = %s\nrole = admin\n", u, u, passwordHash())
	}
	return b.String()
}

// sipConf is a sip.conf with the lines head after [general] (includes)
// and phone num-Acme named name for each of nums. A peer's answer is
// "num=name" in the extension state.
func sipConf(head, name string, nums ...int) string {
	var b strings.Builder
	b.WriteString("[general]\ncontext=public\n")
	if head != "" {
		b.WriteString(head + "\n")
	}
	b.WriteString(peers(name, nums...))
	return b.String()
}

// peers are the sections of sipConf without [general], for included files.
func peers(name string, nums ...int) string {
	var b strings.Builder
	for _, n := range nums {
		fmt.Fprintf(&b, "\n[%d-Acme]\ntype=friend\nhost=dynamic\ncontext=acme-internal\nsecret=s3cret%d\ncallerid=\"%s\" <%d>\n", n, n, name, n)
	}
	return b.String()
}

// env is one configuration in a temporary directory, served over HTTP by
// the real stack once started.
type env struct {
	t      *testing.T
	root   string // holds astapi.ini and asterisk/
	config string // astapi.ini, relative to root
	store  *index.Store
	url    string
	client *http.Client
}

// newEnv writes files (paths relative to root, "/"-separated; astapi.ini
// is iniFile() unless given).
func newEnv(t *testing.T, files map[string]string) *env {
	t.Helper()
	e := &env{t: t, root: t.TempDir(), config: "astapi.ini"}
	if _, ok := files["astapi.ini"]; !ok {
		e.write("astapi.ini", iniFile())
	}
	for name, content := range files {
		e.write(name, content)
	}
	return e
}

// start loads e.config, serves it and watches it as serve does, until
// the test ends. opts.Debounce defaults to debounce.
func (e *env) start(opts index.WatchOptions) {
	t := e.t
	t.Helper()
	e.backdate()
	cfg := e.path(e.config)
	e.store = index.NewStore(func() (*index.Snapshot, error) { return index.Load(cfg) })
	if r := e.store.Reload(); !r.Success {
		t.Fatalf("initial load: %v", r.Err)
	}
	srv := httptest.NewServer(api.New(e.store, api.Options{}))
	t.Cleanup(srv.Close)
	e.url, e.client = srv.URL, srv.Client()

	if opts.Debounce == 0 {
		opts.Debounce = debounce
	}
	opts.Logger = slog.New(slog.NewTextHandler(logWriter{t}, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- index.Watch(ctx, e.store, opts) }()
	// Registered after srv.Close, so it runs first: the watcher stops
	// before the server and the temporary directory go.
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch: %v", err)
		}
	})
}

// backdate moves the times of everything under root an hour back, like a
// configuration that existed long before serve started. Files written
// just before the load would make Watch reload once more at its start
// (index tests cover that), and that reload could land in the middle of
// a test's first change.
func (e *env) backdate() {
	e.t.Helper()
	old := time.Now().Add(-time.Hour)
	e.check(filepath.WalkDir(e.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink != 0 {
			return err // a symlink's target is walked itself
		}
		return os.Chtimes(p, old, old)
	}))
}

type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// ---------------------------------------------------------------- files

func (e *env) path(name string) string { return filepath.Join(e.root, filepath.FromSlash(name)) }

func (e *env) check(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

// write writes name in place (truncate and write), creating directories.
func (e *env) write(name, content string) {
	e.t.Helper()
	e.mkdir(filepath.Dir(filepath.FromSlash(name)))
	e.check(os.WriteFile(e.path(name), []byte(content), 0o644))
}

// writeAtomic saves like vim or an editor's "safe write": a temporary file
// in the same directory renamed over name.
func (e *env) writeAtomic(name, content string) {
	e.t.Helper()
	p := e.path(name)
	tmp := filepath.Join(filepath.Dir(p), "."+filepath.Base(p)+".tmp")
	e.check(os.WriteFile(tmp, []byte(content), 0o644))
	e.check(os.Rename(tmp, p))
}

func (e *env) mkdir(name string) { e.t.Helper(); e.check(os.MkdirAll(e.path(name), 0o755)) }

func (e *env) remove(name string) { e.t.Helper(); e.check(os.RemoveAll(e.path(name))) }

func (e *env) rename(from, to string) { e.t.Helper(); e.check(os.Rename(e.path(from), e.path(to))) }

// symlink makes name a symlink to target (as written, usually relative).
func (e *env) symlink(target, name string) {
	e.t.Helper()
	e.check(os.Symlink(target, e.path(name)))
}

// ---------------------------------------------------------------- HTTP

// probe is one request and how to summarise its answer's data.
type probe struct {
	method, path string
	form         url.Values
	state        func(data json.RawMessage) (string, error)
}

// extensions asks for tenant Acme's extensions; the state is the sorted
// "number=name" of each.
var extensions = probe{
	method: http.MethodPost,
	path:   "/extension/bytenant",
	form:   url.Values{"tenant_id": {tenantID}},
	state: func(data json.RawMessage) (string, error) {
		var items []struct {
			Number string `json:"ex_number"`
			Name   string `json:"ex_name"`
		}
		if err := json.Unmarshal(data, &items); err != nil {
			return "", err
		}
		out := make([]string, len(items))
		for i, x := range items {
			out[i] = x.Number + "=" + x.Name
		}
		slices.Sort(out)
		return strings.Join(out, ","), nil
	},
}

// users asks for the API users; the state is their sorted names.
var users = probe{
	method: http.MethodGet,
	path:   "/user/get",
	state: func(data json.RawMessage) (string, error) {
		var items []struct {
			Name string `json:"us_username"`
		}
		if err := json.Unmarshal(data, &items); err != nil {
			return "", err
		}
		var out []string
		for _, x := range items {
			out = append(out, x.Name)
		}
		slices.Sort(out)
		return strings.Join(out, ","), nil
	},
}

// call makes one request as admin. It is safe for concurrent use and
// reports failures as errors, not through t.
func (e *env) call(p probe) (status int, body []byte, err error) {
	var rd io.Reader
	if p.form != nil {
		rd = strings.NewReader(p.form.Encode())
	}
	req, err := http.NewRequest(p.method, e.url+p.path, rd)
	if err != nil {
		return 0, nil, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.SetBasicAuth("admin", adminPass)
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

// state makes the request and returns the summary of a 200 success
// answer with its raw body; anything else is an error.
func (e *env) state(p probe) (string, []byte, error) {
	status, body, err := e.call(p)
	if err != nil {
		return "", nil, err
	}
	if status != http.StatusOK {
		return "", body, fmt.Errorf("%s: status %d: %s", p.path, status, body)
	}
	var env struct {
		Status string          `json:"status"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Status != "success" {
		return "", body, fmt.Errorf("%s: not a success envelope (%v): %s", p.path, err, body)
	}
	st, err := p.state(env.Data)
	if err != nil {
		return "", body, fmt.Errorf("%s: data: %v: %s", p.path, err, body)
	}
	return st, body, nil
}

func (e *env) mustState(p probe) (string, []byte) {
	e.t.Helper()
	st, body, err := e.state(p)
	e.check(err)
	return st, body
}

// poll asks p until done says so; done gets each answer's state, body
// and the time since start, and fails the test itself when it must.
func (e *env) poll(p probe, start time.Time, done func(st string, body []byte, elapsed time.Duration) bool) {
	e.t.Helper()
	for {
		st, body, err := e.state(p)
		if err != nil {
			e.t.Fatal(err)
		}
		if done(st, body, time.Since(start)) {
			return
		}
		time.Sleep(pollEvery)
	}
}

// expect runs change and polls p until its answer is the state want, at
// most visibleWithin after change returned. Every answer until then must
// be byte for byte the one before the change, every answer after it (for
// settle) byte for byte the first new one: an answer mixing two
// configurations, or a detour through another, fails the test. It
// returns the time from the end of change to the first new answer.
func (e *env) expect(p probe, want string, change func()) time.Duration {
	e.t.Helper()
	_, old := e.mustState(p)
	change()
	var latency time.Duration
	var seen []byte
	e.poll(p, time.Now(), func(st string, body []byte, elapsed time.Duration) bool {
		switch {
		case seen == nil && bytes.Equal(body, old):
			if elapsed > visibleWithin {
				e.t.Fatalf("still the old answer %v after the change; want %q", visibleWithin, want)
			}
		case seen == nil:
			if st != want {
				e.t.Fatalf("answer is neither the old one nor %q: %q", want, st)
			}
			seen, latency = body, elapsed
		case !bytes.Equal(body, seen):
			e.t.Fatalf("answer changed again %v after the new one showed: %q", elapsed-latency, st)
		}
		return seen != nil && elapsed > latency+settle
	})
	return latency
}

// waitExt polls the extensions until their state is want, at most
// visibleWithin after start, and returns the time from start to that
// answer. Answers in between are not checked: callers that change the
// files several times on the way check them themselves.
func (e *env) waitExt(start time.Time, want string) time.Duration {
	e.t.Helper()
	var latency time.Duration
	e.poll(extensions, start, func(st string, _ []byte, elapsed time.Duration) bool {
		if st != want && elapsed > visibleWithin {
			e.t.Fatalf("not %q %v after the change: %q", want, visibleWithin, st)
		}
		latency = elapsed
		return st == want
	})
	return latency
}

// expectExt is expect on the extensions.
func (e *env) expectExt(want string, change func()) time.Duration {
	e.t.Helper()
	return e.expect(extensions, want, change)
}

// lastReload is /status's last_reload and diagnostics.
type lastReload struct {
	Generation uint64 `json:"generation"`
	LastReload struct {
		Success bool   `json:"success"`
		Error   string `json:"error"`
	} `json:"last_reload"`
	Diagnostics []struct {
		Severity string `json:"severity"`
		File     string `json:"file"`
		Line     int    `json:"line"`
		Message  string `json:"message"`
	} `json:"diagnostics"`
}

func (e *env) status() lastReload {
	e.t.Helper()
	var st lastReload
	p := probe{method: http.MethodGet, path: "/status", state: func(data json.RawMessage) (string, error) {
		return "", json.Unmarshal(data, &st)
	}}
	e.mustState(p)
	return st
}

// expectFailure runs change, which must make reloads fail: within
// visibleWithin /status reports a failed attempt, and until then and for
// settle after, p answers exactly what it answered before. It returns
// the /status seen.
func (e *env) expectFailure(p probe, change func()) lastReload {
	e.t.Helper()
	_, old := e.mustState(p)
	change()
	var failed *lastReload
	var failedAt time.Duration
	e.poll(p, time.Now(), func(_ string, body []byte, elapsed time.Duration) bool {
		if !bytes.Equal(body, old) {
			e.t.Fatalf("a failed reload changed the answer: %s", body)
		}
		if failed == nil {
			if st := e.status(); !st.LastReload.Success {
				failed, failedAt = &st, elapsed
			} else if elapsed > visibleWithin {
				e.t.Fatalf("no failed reload %v after the breaking change", visibleWithin)
			}
		}
		return failed != nil && elapsed > failedAt+settle
	})
	return *failed
}
