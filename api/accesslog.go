package api

import (
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// accessLogger writes one line per request in the logfmt of
// slog.TextHandler (time=… level=INFO msg=http method=… path=… status=…
// duration_ms=… bytes=… client=… user=…), so it reads like the rest of the
// log. A line is formatted by hand (through slog it cost about as much CPU
// as answering a cached request) and appended to a bounded buffer that a
// goroutine writes out in batches: a write(2) per request was the largest
// cost of a cached answer, and a slow reader of the log (a full pipe) must
// never hold up a request. Lines that find the buffer full are dropped and
// counted (astapi_access_log_dropped_lines_total).
type accessLogger struct {
	w     io.Writer
	every time.Duration // the longest a line waits in the buffer
	limit int           // bytes the buffer holds at most
	batch int           // bytes that are written out at once

	mu      sync.Mutex
	buf     []byte // lines waiting to be written
	spare   []byte // the buffer being written out (only run touches it)
	closed  bool   // after close, lines are written at once
	dropped atomic.Uint64
	stamp   atomic.Pointer[secondStamp] // the last second formatted

	kick chan struct{} // a line entered an empty buffer, or the buffer holds a batch
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// Access log buffering: lines wait at most accessLogFlushEvery, and at most
// accessLogBufferBytes of them (about 6,000 lines) wait at once; once
// accessLogBatchBytes wait, they are written at once. A batch is half a
// pipe's default capacity (64 KiB on Linux): a write that fits returns
// at once, where one of half a megabyte into a pipe blocks its thread
// until the reader has drained it eight times over, and the runtime
// hands its processor to another thread meanwhile.
const (
	accessLogFlushEvery  = 100 * time.Millisecond
	accessLogBufferBytes = 1 << 20
	accessLogBatchBytes  = 32 << 10
)

func newAccessLogger(w io.Writer) *accessLogger {
	if w == nil {
		return nil
	}
	l := &accessLogger{
		w: w, every: accessLogFlushEvery, limit: accessLogBufferBytes, batch: accessLogBatchBytes,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
	}
	go l.run()
	return l
}

// accessEntry is what one line says. Never headers, the query string or
// a body.
type accessEntry struct {
	at       time.Time
	method   string
	path     string
	status   int
	duration time.Duration
	bytes    int
	client   string
	user     string
}

// maxLoggedPath bounds the path in a line; a client chooses it.
const maxLoggedPath = 200

// log queues e's line; it never waits for the writer.
func (l *accessLogger) log(e accessEntry) {
	var arr [384]byte
	b := e.appendLine(arr[:0], &l.stamp)
	l.mu.Lock()
	if l.closed {
		_, _ = l.w.Write(b)
		l.mu.Unlock()
		return
	}
	n := len(l.buf)
	if n+len(b) > l.limit {
		l.mu.Unlock()
		l.dropped.Add(1)
		return
	}
	l.buf = append(l.buf, b...)
	l.mu.Unlock()
	if n == 0 || n < l.batch && n+len(b) >= l.batch {
		select {
		case l.kick <- struct{}{}:
		default:
		}
	}
}

// run writes the buffer out at most every l.every after a line entered it,
// sooner when it holds a batch, and once more when the logger closes.
func (l *accessLogger) run() {
	defer close(l.done)
	t := time.NewTimer(l.every)
	t.Stop()
	for {
		select {
		case <-l.stop:
			l.flush()
			return
		case <-l.kick:
		}
		t.Reset(l.every)
		select {
		case <-l.stop:
			t.Stop()
			l.flush()
			return
		case <-t.C:
		case <-l.kick:
			t.Stop()
		}
		l.flush()
	}
}

// flush writes out what the buffer holds; only run calls it.
func (l *accessLogger) flush() {
	l.mu.Lock()
	l.buf, l.spare = l.spare[:0], l.buf
	l.mu.Unlock()
	if len(l.spare) > 0 {
		_, _ = l.w.Write(l.spare)
	}
	if cap(l.spare) > 2*l.limit {
		l.spare = nil
	}
}

// close writes out the buffered lines and stops the goroutine; later lines
// are written at once.
func (l *accessLogger) close() {
	if l == nil {
		return
	}
	l.once.Do(func() {
		close(l.stop)
		<-l.done
		l.mu.Lock()
		l.closed = true
		if len(l.buf) > 0 { // queued between run's last flush and closed
			_, _ = l.w.Write(l.buf)
			l.buf = l.buf[:0]
		}
		l.mu.Unlock()
	})
}

// appendLine appends e's line, newline included.
func (e *accessEntry) appendLine(b []byte, stamp *atomic.Pointer[secondStamp]) []byte {
	b = append(b, "time="...)
	b = appendLogTime(b, e.at, stamp)
	b = append(b, " level=INFO msg=http method="...)
	b = appendLogfmtValue(b, e.method)
	b = append(b, " path="...)
	path := e.path
	if len(path) > maxLoggedPath {
		path = path[:maxLoggedPath] + "…"
	}
	b = appendLogfmtValue(b, path)
	b = append(b, " status="...)
	b = strconv.AppendInt(b, int64(e.status), 10)
	b = append(b, " duration_ms="...)
	b = strconv.AppendFloat(b, float64(e.duration.Microseconds())/1000, 'f', -1, 64)
	b = append(b, " bytes="...)
	b = strconv.AppendInt(b, int64(e.bytes), 10)
	b = append(b, " client="...)
	b = appendLogfmtValue(b, e.client)
	b = append(b, " user="...)
	b = appendLogfmtValue(b, e.user)
	return append(b, '\n')
}

// logTimeLayout is slog.TextHandler's time format.
const logTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// secondStamp is one second of logTimeLayout formatted, in two halves
// around the milliseconds: formatting the whole time cost a tenth of a
// line, and consecutive lines nearly always share their second.
type secondStamp struct {
	unix           int64
	offset         int    // seconds east of UTC
	prefix, suffix string // "2006-01-02T15:04:05", "Z07:00"
}

// appendLogTime appends t in logTimeLayout, reusing the second in *cache
// (nil: no cache) and replacing it when t is in another one.
func appendLogTime(b []byte, t time.Time, cache *atomic.Pointer[secondStamp]) []byte {
	if y := t.Year(); cache == nil || y < 0 || y > 9999 { // the halves are cut at fixed offsets
		return t.AppendFormat(b, logTimeLayout)
	}
	_, offset := t.Zone()
	st := cache.Load()
	if st == nil || st.unix != t.Unix() || st.offset != offset {
		full := t.Truncate(time.Second).Format(logTimeLayout)
		st = &secondStamp{unix: t.Unix(), offset: offset, prefix: full[:19], suffix: full[23:]}
		cache.Store(st)
	}
	b = append(b, st.prefix...)
	ms := t.Nanosecond() / 1e6
	b = append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	return append(b, st.suffix...)
}

// appendLogfmtValue appends s bare when that is unambiguous, else quoted
// (as slog.TextHandler does: empty, blanks, '=', '"', controls or invalid
// UTF-8).
func appendLogfmtValue(b []byte, s string) []byte {
	if s == "" {
		return append(b, `""`...)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c == '=' || c == '"' || c == 0x7f || c >= utf8.RuneSelf {
			return strconv.AppendQuote(b, s)
		}
	}
	return append(b, s...)
}
