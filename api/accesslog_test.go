package api

import (
	"bytes"
	"strings"
	"sync/atomic"
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
	l.close()
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

// TestAccessLogFlushesOnItsOwn: a line reaches the writer within the flush
// interval, without a close.
func TestAccessLogFlushesOnItsOwn(t *testing.T) {
	var buf syncBuffer
	l := newAccessLogger(&buf)
	defer l.close()
	start := time.Now()
	l.log(accessEntry{at: start, method: "GET", path: "/healthz", status: 200})
	for buf.String() == "" {
		if time.Since(start) > 5*accessLogFlushEvery {
			t.Fatalf("no line after %v", time.Since(start))
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := time.Since(start); got > 3*accessLogFlushEvery {
		t.Errorf("the line took %v to be written", got)
	}
}

// blockedWriter blocks every Write until released, like a full pipe.
type blockedWriter struct {
	release chan struct{}
	syncBuffer
}

func (w *blockedWriter) Write(p []byte) (int, error) {
	<-w.release
	return w.syncBuffer.Write(p)
}

// TestAccessLogNeverBlocks: with the log's reader stuck, requests still
// finish; the lines that do not fit are dropped and counted, the others
// are written once the reader moves on.
func TestAccessLogNeverBlocks(t *testing.T) {
	w := &blockedWriter{release: make(chan struct{})}
	l := newAccessLogger(w)
	line := accessEntry{at: time.Now(), method: "GET", path: "/" + strings.Repeat("p", 150), status: 200}
	lineLen := len(line.appendLine(nil, nil))
	n := 3 * l.limit / lineLen
	done := make(chan struct{})
	go func() {
		for range n {
			l.log(line)
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("logging blocked on a stuck writer")
	}
	if l.dropped.Load() == 0 {
		t.Error("nothing dropped although the buffer overflowed")
	}
	close(w.release)
	l.close()
	written := strings.Count(w.String(), "\n")
	if written+int(l.dropped.Load()) != n {
		t.Errorf("%d written + %d dropped != %d logged", written, l.dropped.Load(), n)
	}
	if written < l.limit/lineLen {
		t.Errorf("only %d lines written; the buffer holds %d", written, l.limit/lineLen)
	}
}

// TestAppendLogTime: the cached second gives what time.Format gives, across
// seconds, zones and years (the prefix is cut at fixed offsets).
func TestAppendLogTime(t *testing.T) {
	var cache atomic.Pointer[secondStamp]
	east := time.FixedZone("east", 5*3600+30*60)
	base := time.Date(2026, 12, 31, 23, 59, 58, 0, time.UTC)
	for _, at := range []time.Time{
		base, base.Add(7 * time.Millisecond), base.Add(999 * time.Millisecond), base.Add(time.Second + 40*time.Millisecond),
		base.Add(2*time.Second + 123*time.Millisecond), base.In(east), base.Add(time.Millisecond).In(east), base.Add(2 * time.Millisecond),
		time.Date(99999, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		want := at.Format(logTimeLayout)
		if got := string(appendLogTime(nil, at, &cache)); got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
}

// TestAccessLogDroppedMetric: the count of dropped lines is scraped when
// there is an access log, and absent without one.
func TestAccessLogDroppedMetric(t *testing.T) {
	var buf syncBuffer
	s, _ := newTestServer(t, Options{AccessLog: &buf})
	defer s.Close()
	s.access.dropped.Add(3)
	if w := do(s, req{method: "GET", path: "/metrics"}.build(cNoAuth)); !strings.Contains(w.Body.String(), mAccessLogDropped+" 3") {
		t.Errorf("no %s 3 in /metrics", mAccessLogDropped)
	}
	quiet, _ := newTestServer(t, Options{})
	if w := do(quiet, req{method: "GET", path: "/metrics"}.build(cNoAuth)); strings.Contains(w.Body.String(), mAccessLogDropped) {
		t.Errorf("%s without an access log", mAccessLogDropped)
	}
}

// countingWriter counts Write calls.
type countingWriter struct {
	bytes.Buffer
	writes int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes++
	return w.Buffer.Write(p)
}

// TestAccessLogBuffering drives the buffer by hand (no writer goroutine):
// a line that fits exactly is kept and the next dropped; the writer is
// kicked when a line enters an empty buffer and when the buffer reaches
// a batch, not in between; flushing or closing an empty buffer writes
// nothing; an oversized spare is let go.
func TestAccessLogBuffering(t *testing.T) {
	e := accessEntry{at: time.Date(2026, 11, 27, 4, 5, 6, 0, time.UTC), method: "GET", path: "/x", status: 200, client: "::1", user: "u"}
	line := len(e.appendLine(nil, nil))
	var w countingWriter
	l := &accessLogger{w: &w, every: time.Hour, limit: 4 * line, batch: 2 * line, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	kicked := func() bool {
		select {
		case <-l.kick:
			return true
		default:
			return false
		}
	}
	for i, want := range []bool{true, true, false, false} { // empty, reaching a batch, past it, full
		l.log(e)
		if got := kicked(); got != want {
			t.Errorf("line %d: kicked %v, want %v", i+1, got, want)
		}
	}
	if l.dropped.Load() != 0 || len(l.buf) != 4*line {
		t.Fatalf("a line that fits exactly was dropped: %d dropped, %d bytes", l.dropped.Load(), len(l.buf))
	}
	l.log(e)
	if l.dropped.Load() != 1 {
		t.Errorf("a line over the limit was kept")
	}
	l.flush()
	if w.writes != 1 || w.Len() != 4*line {
		t.Errorf("flush: %d writes, %d bytes", w.writes, w.Len())
	}
	if cap(l.spare) < 4*line {
		t.Errorf("the spare buffer was let go")
	}
	l.flush()
	if w.writes != 1 {
		t.Errorf("flushing an empty buffer wrote")
	}
	l.buf = make([]byte, 0, 2*l.limit)
	l.flush()
	if cap(l.spare) != 2*l.limit {
		t.Errorf("a spare of twice the limit was let go")
	}
	l.buf = make([]byte, 1, 2*l.limit+1)
	l.flush()
	if l.spare != nil {
		t.Errorf("an oversized spare was kept (cap %d)", cap(l.spare))
	}
	close(l.done) // no run goroutine
	l.close()
	if w.writes != 2 {
		t.Errorf("close: %d writes, want 2 (the one byte left)", w.writes)
	}
	l.close()
	var w2 countingWriter
	l2 := &accessLogger{w: &w2, every: time.Hour, limit: 4 * line, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	close(l2.done)
	l2.close()
	if w2.writes != 0 {
		t.Errorf("closing an empty logger wrote")
	}
	exact := accessEntry{path: "/" + strings.Repeat("p", maxLoggedPath-1)}
	if got := string(exact.appendLine(nil, nil)); strings.Contains(got, "…") {
		t.Errorf("a path of exactly maxLoggedPath bytes was cut: %s", got)
	}
}
