package api

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestAccessLogLine: the hand-made line is logfmt as slog.TextHandler
// writes it, with client-chosen text quoted and long paths cut.
func TestAccessLogLine(t *testing.T) {
	var buf bytes.Buffer
	l := newAccessLogger(&buf)
	at := time.Date(2026, 11, 27, 4, 5, 6, 789e6, time.UTC)
	l.log(accessEntry{at: at, method: "GET", path: `/a b"c=d`, status: 404, duration: 1234567 * time.Nanosecond, bytes: 56, client: "::1", user: ""})
	l.log(accessEntry{at: at, method: "POST", path: "/" + strings.Repeat("x", 300), status: 200, client: "10.0.0.1", user: "ünï"})
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	want := `time=2026-11-27T04:05:06.789Z level=INFO msg=http method=GET path="/a b\"c=d" status=404 duration_ms=1.234 bytes=56 client=::1 user=""`
	if lines[0] != want {
		t.Errorf("got  %s\nwant %s", lines[0], want)
	}
	if !strings.Contains(lines[1], `path="/`+strings.Repeat("x", maxLoggedPath-1)+`…"`) || !strings.HasSuffix(lines[1], `user="ünï"`) {
		t.Errorf("long path or non-ASCII user: %s", lines[1])
	}
	if newAccessLogger(nil) != nil {
		t.Error("a nil writer should mean no access log")
	}
}
