package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// replica is one `astapi serve` process (this test binary run as the
// command, see TestMain).
type replica struct {
	base   string
	client *http.Client
}

func startReplica(t *testing.T, ini string) *replica {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "--config", ini, "--listen", "127.0.0.1:0", "--debounce", "20ms")
	cmd.Env = append(os.Environ(), envChild+"=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	logs := make(chan string, 1000)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			if m := servingRE.FindStringSubmatch(line); m != nil {
				addr <- m[1]
			}
			select {
			case logs <- line:
			default:
			}
		}
		close(logs)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("replica: %v", err)
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("replica did not stop on SIGTERM")
		}
	})
	select {
	case a := <-addr:
		return &replica{base: "http://" + a, client: &http.Client{Timeout: 10 * time.Second}}
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		var b strings.Builder
		for l := range logs {
			b.WriteString(l + "\n")
		}
		t.Fatalf("replica did not start:\n%s", b.String())
	}
	return nil
}

func (r *replica) do(t *testing.T, c call) answer {
	t.Helper()
	a, err := send(r.client, r.base, c, nil)
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	return a
}

// everyCall lists a request for every endpoint and object the fixtures
// hold (every tenant, every extension, as admin, tenant user and the
// auditor), plus some failures, built from r's answers. /status (build
// times) and /metrics (this process's counters) differ by design.
func everyCall(t *testing.T, r *replica) []call {
	t.Helper()
	calls := []call{
		{method: "GET", path: "/healthz"},
		{method: "GET", path: "/readyz"},
		{method: "GET", path: "/openapi.json"},
		{method: "GET", path: "/user/login", user: "admin"},
		{method: "GET", path: "/user/login", user: "acme"},
		{method: "GET", path: "/user/get", user: "admin"},
		{method: "GET", path: "/user/get", user: "globex"},
		{method: "POST", path: "/user/tenants", user: "admin", form: form("user", "audit@example.com")},
		{method: "POST", path: "/user/tenants", user: "acme", form: form("user", "it@acme.example")},
		{method: "POST", path: "/extension/bytenant", user: "admin", form: form("tenant_id", "999")},
		{method: "POST", path: "/extension/bytenant", user: "acme", form: form("tenant_id", "x")},
		{method: "GET", path: "/user/login"},
	}
	var tenants struct {
		Data struct {
			Tenants []struct {
				ID string `json:"te_id"`
			} `json:"tenants"`
		} `json:"data"`
	}
	a := r.do(t, call{method: "POST", path: "/user/tenants", user: "admin", form: form("user", "admin@example.com")})
	if err := json.Unmarshal([]byte(a.body), &tenants); err != nil || len(tenants.Data.Tenants) == 0 {
		t.Fatalf("tenants: %d %s", a.code, a.body)
	}
	for _, te := range tenants.Data.Tenants {
		calls = append(calls,
			call{method: "POST", path: "/destination/all", user: "admin", form: form("tenant_id", te.ID)},
			call{method: "POST", path: "/destination/all", user: "auditor", form: form("tenant_id", te.ID)},
			call{method: "POST", path: "/extension/bytenant", user: "admin", form: form("tenant_id", te.ID)},
			call{method: "POST", path: "/extension/bytenant", user: "acme", form: form("tenant_id", te.ID)})
		var exts struct {
			Data []struct {
				ID string `json:"ex_id"`
			} `json:"data"`
		}
		a := r.do(t, call{method: "POST", path: "/extension/bytenant", user: "admin", form: form("tenant_id", te.ID)})
		if err := json.Unmarshal([]byte(a.body), &exts); err != nil {
			t.Fatalf("extensions: %d %s", a.code, a.body)
		}
		for _, e := range exts.Data {
			calls = append(calls,
				call{method: "POST", path: "/extension/byid", user: "admin", form: form("extension_id", e.ID)},
				call{method: "POST", path: "/extension/user", user: "auditor", form: form("tenant_id", te.ID, "extension_id", e.ID)})
		}
	}
	return calls
}

// sameEverywhere asks every replica every call and compares status, ETag
// and body byte for byte; it returns the first replica's answers.
func sameEverywhere(t *testing.T, rs []*replica) map[string]answer {
	t.Helper()
	calls := everyCall(t, rs[0])
	out := map[string]answer{}
	for _, c := range calls {
		key := c.method + " " + c.path + " " + c.user + " " + c.form.Encode()
		want := rs[0].do(t, c)
		for i, r := range rs[1:] {
			got := r.do(t, c)
			if got.code != want.code || got.etag != want.etag || got.body != want.body {
				t.Errorf("%s: replica %d answers %d %s %.300s; replica 0 %d %s %.300s",
					key, i+1, got.code, got.etag, got.body, want.code, want.etag, want.body)
			}
		}
		out[key] = want
	}
	if len(calls) < 30 {
		t.Errorf("only %d calls", len(calls))
	}
	return out
}

// TestThreeReplicas: three `astapi serve` processes over the same files
// give byte-identical answers (body and ETag) for every endpoint, before
// and after the files change.
func TestThreeReplicas(t *testing.T) {
	ini := copyFixtures(t)
	rs := []*replica{startReplica(t, ini), startReplica(t, ini), startReplica(t, ini)}
	before := sameEverywhere(t, rs)

	// A new Acme extension, saved the way editors do (temp + rename).
	sip := filepath.Join(filepath.Dir(ini), "asterisk", "sip.conf")
	b, err := os.ReadFile(sip)
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, "\n[299-Acme]\ntype=friend\nhost=dynamic\nsecret=replica-test-299\ncontext=acme-internal\ncallerid=\"Replica Test\" <299>\n"...)
	if err := os.WriteFile(sip+".tmp", b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(sip+".tmp", sip); err != nil {
		t.Fatal(err)
	}
	acme := call{method: "POST", path: "/extension/bytenant", user: "admin", form: form("tenant_id", acmeID)}
	old := before["POST /extension/bytenant admin "+acme.form.Encode()]
	for i, r := range rs {
		if !waitFor(5*time.Second, func() bool { return r.do(t, acme).etag != old.etag }) {
			t.Fatalf("replica %d did not reload", i)
		}
	}
	after := sameEverywhere(t, rs)
	if a := after["POST /extension/bytenant admin "+acme.form.Encode()]; !strings.Contains(a.body, "Replica Test") {
		t.Errorf("new extension not served: %s", a.body)
	}
	if len(after) <= len(before) {
		t.Errorf("%d calls after the change, %d before: the new extension should add some", len(after), len(before))
	}
}
