package main

import (
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDeployArgs: the serve command lines of the Dockerfile and the
// Kubernetes manifest parse (runServe then fails only because
// /etc/astapi/astapi.ini is not here: exit 1, not the usage error 2), and
// the manifest probes and scrapes paths the server answers.
func TestDeployArgs(t *testing.T) {
	docker := readFile(t, "../../Dockerfile")
	k8s := readFile(t, "../../deploy/kubernetes/astapi.yaml")
	for name, re := range map[string]*regexp.Regexp{
		"Dockerfile CMD": regexp.MustCompile(`(?m)^CMD (\[.*\])$`),
		"manifest args":  regexp.MustCompile(`(?m)^\s+args: (\[.*\])$`),
	} {
		src := docker
		if strings.HasPrefix(name, "manifest") {
			src = k8s
		}
		m := re.FindStringSubmatch(src)
		if m == nil {
			t.Errorf("%s: not found", name)
			continue
		}
		var args []string
		if err := json.Unmarshal([]byte(m[1]), &args); err != nil || len(args) == 0 || args[0] != "serve" {
			t.Errorf("%s: %s (%v)", name, m[1], err)
			continue
		}
		var stderr strings.Builder
		code := runServe(t.Context(), args[1:], &stderr, &stderr)
		if code != 1 || !strings.Contains(stderr.String(), "/etc/astapi/astapi.ini") {
			t.Errorf("%s %q: exit %d: %s", name, args, code, stderr.String())
		}
	}
	for _, want := range []string{
		"path: /readyz", "path: /healthz", `prometheus.io/path: /metrics`, `prometheus.io/port: "8080"`,
		"readOnlyRootFilesystem: true", "runAsNonRoot: true", "kind: PodDisruptionBudget",
		"kind: HorizontalPodAutoscaler", "kind: Service", "kind: ConfigMap", "kind: Secret",
		"secretName: astapi-ini", "mountPath: /etc/asterisk", "mountPath: /etc/astapi",
	} {
		if !strings.Contains(k8s, want) {
			t.Errorf("manifest lacks %q", want)
		}
	}
	s := startServe(t, "--config", copyFixtures(t))
	for _, p := range []string{"/readyz", "/healthz"} {
		if a := s.do(call{method: "GET", path: p}); a.code != 200 {
			t.Errorf("%s: %d %s", p, a.code, a.body)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestMetricsAuth: /metrics is open by default (the manifest's scrape
// annotation sends no credentials) and needs a user with --metrics-auth.
func TestMetricsAuth(t *testing.T) {
	ini := copyFixtures(t)
	for _, tc := range []struct {
		args []string
		user string
		code int
	}{
		{nil, "", 200},
		{[]string{"--metrics-auth"}, "", 401},
		{[]string{"--metrics-auth"}, "acme", 200},
	} {
		s := startServe(t, append([]string{"--config", ini}, tc.args...)...)
		a := s.do(call{method: "GET", path: "/metrics", user: tc.user})
		if a.code != tc.code || tc.code == 200 && !strings.Contains(a.body, "astapi_") {
			t.Errorf("%v as %q: %d %.200s, want %d", tc.args, tc.user, a.code, a.body, tc.code)
		}
	}
}

// TestServeBadFlags: contradictory or impossible flags are usage errors
// (exit 2) before anything is loaded.
func TestServeBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--tls-cert", "a.pem"},
		{"--tls-key", "a.key"},
		{"--tls-check-interval", "0s"},
		{"--login-failure-limit", "0"},
		{"--login-failure-window", "-1s"},
		{"--pprof", "0.0.0.0:6060"},
		{"--metrics-max-tenants", "0"},
		{"--pprof", ":6060"},
		{"extra"},
	} {
		var stderr strings.Builder
		if code := runServe(t.Context(), append([]string{"--config", "nowhere.ini"}, args...), &stderr, &stderr); code != 2 {
			t.Errorf("%q: exit %d, want 2: %s", args, code, stderr.String())
		}
	}
}

// TestPprof: --pprof serves the profiles on loopback, and nothing of them
// on the API's address.
func TestPprof(t *testing.T) {
	s := startServe(t, "--config", copyFixtures(t), "--pprof", "127.0.0.1:0")
	var addr string
	if !waitFor(5*time.Second, func() bool {
		m := regexp.MustCompile(`msg=pprof listen=(\S+)`).FindStringSubmatch(s.log.String())
		if m != nil {
			addr = m[1]
		}
		return m != nil
	}) {
		t.Fatalf("no pprof line:\n%s", s.log)
	}
	resp, err := http.Get("http://" + addr + "/debug/pprof/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("pprof cmdline: %d", resp.StatusCode)
	}
	resp, err = s.client.Get(s.base + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("pprof on the API address: %d", resp.StatusCode)
	}
}
