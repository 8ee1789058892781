package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/astapi/astapi/internal/demofixtures"
)

// envChild makes the test binary act as the astapi command (for the
// replica test, which runs real separate processes).
const envChild = "ASTAPI_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(envChild) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// Demo users of fixtures/astapi.ini: the password of NAME is NAME-demo.
var demoUsers = demofixtures.Users

const acmeID = "80" // pinned in fixtures/astapi.ini

// copyFixtures copies fixtures/ into a temp dir and returns the path of its
// astapi.ini (same passwords, cheap hashes).
func copyFixtures(t testing.TB) string {
	t.Helper()
	return demofixtures.Copy(t, filepath.Join("..", "..", "fixtures"))
}

// logSink is runServe's stderr: it keeps every line and reports the
// address of the "serving" line.
type logSink struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	ready chan string
	once  sync.Once
}

var servingRE = regexp.MustCompile(`msg=serving listen=(\S+)`)

func newLogSink() *logSink { return &logSink{ready: make(chan string, 1)} }

func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.buf.Write(p)
	l.mu.Unlock()
	if m := servingRE.FindSubmatch(p); m != nil {
		l.once.Do(func() { l.ready <- string(m[1]) })
	}
	return len(p), nil
}

func (l *logSink) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// waitFor polls cond every 20 ms until it holds or d has passed.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// server is one runServe running in this process.
type server struct {
	t    testing.TB
	addr string
	base string // http(s)://addr
	log  *logSink
	// client talks to it (TLS servers: certificates are not verified).
	client *http.Client
}

// startServe runs `astapi serve args...` on 127.0.0.1:0 (unless args
// say --listen) until the test ends, and returns once it serves. The test
// fails if it exits with an error, logs a panic or runs longer than 15 s
// to shut down.
func startServe(t testing.TB, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	sink := newLogSink()
	if !containsFlag(args, "--listen") {
		args = append(args, "--listen", "127.0.0.1:0")
	}
	done := make(chan int, 1)
	go func() { done <- runServe(ctx, args, io.Discard, sink) }()
	var addr string
	select {
	case addr = <-sink.ready:
	case code := <-done:
		cancel()
		t.Fatalf("serve exited with %d:\n%s", code, sink)
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatalf("serve did not start:\n%s", sink)
	}
	s := &server{t: t, addr: addr, base: "http://" + addr, log: sink}
	tr := &http.Transport{MaxIdleConnsPerHost: 64, TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	s.client = &http.Client{Transport: tr, Timeout: 20 * time.Second}
	if containsFlag(args, "--tls-cert") {
		s.base = "https://" + addr
	}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exited with %d", code)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("serve did not stop")
		}
		if strings.Contains(sink.String(), "panic") {
			t.Errorf("serve logged a panic:\n%s", sink)
		}
	})
	return s
}

func containsFlag(args []string, name string) bool {
	for _, a := range args {
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

// answer is what a test compares: status, ETag, body.
type answer struct {
	code int
	etag string
	body string
	hdr  http.Header
}

// call is one request: method, path, Basic Auth user (password NAME-demo)
// and, for POST, a form body.
type call struct {
	method, path, user string
	form               url.Values
}

func (s *server) do(c call) answer {
	s.t.Helper()
	a, err := s.try(c, nil)
	if err != nil {
		s.t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	return a
}

// try sends c; edit may change the request before it goes.
func (s *server) try(c call, edit func(*http.Request)) (answer, error) {
	return send(s.client, s.base, c, edit)
}

func send(client *http.Client, base string, c call, edit func(*http.Request)) (answer, error) {
	var body io.Reader
	if c.form != nil {
		body = strings.NewReader(c.form.Encode())
	}
	r, err := http.NewRequest(c.method, base+c.path, body)
	if err != nil {
		return answer{}, err
	}
	if c.form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.user != "" {
		r.SetBasicAuth(c.user, c.user+"-demo")
	}
	if edit != nil {
		edit(r)
	}
	resp, err := client.Do(r)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	return answer{code: resp.StatusCode, etag: resp.Header.Get("ETag"), body: string(b), hdr: resp.Header}, nil
}

// message is the "message" of a failed envelope.
func (a answer) message() string {
	var e struct{ Message string }
	_ = json.Unmarshal([]byte(a.body), &e)
	return e.Message
}

// statusOf reads /status as admin.
type statusDoc struct {
	Data struct {
		Generation uint64 `json:"generation"`
		LastReload struct {
			Success    bool   `json:"success"`
			Error      string `json:"error"`
			Generation uint64 `json:"generation"`
			At         string `json:"at"`
		} `json:"last_reload"`
	} `json:"data"`
}

func (s *server) status() statusDoc {
	s.t.Helper()
	a := s.do(call{method: "GET", path: "/status", user: "admin"})
	var d statusDoc
	if a.code != http.StatusOK || json.Unmarshal([]byte(a.body), &d) != nil {
		s.t.Fatalf("/status: %d %s", a.code, a.body)
	}
	return d
}

// form builds url.Values from name, value pairs.
func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}
