package api

import (
	"io"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// accessLogger writes one line per request in the logfmt of
// slog.TextHandler (time=… level=INFO msg=http method=… path=… status=…
// duration_ms=… bytes=… client=… user=…), so it reads like the rest of the
// log. It is formatted by hand into a pooled buffer: through slog the line
// cost about as much CPU as answering a cached request.
type accessLogger struct {
	mu   sync.Mutex
	w    io.Writer
	bufs sync.Pool
}

func newAccessLogger(w io.Writer) *accessLogger {
	if w == nil {
		return nil
	}
	l := &accessLogger{w: w}
	l.bufs.New = func() any { b := make([]byte, 0, 256); return &b }
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

func (l *accessLogger) log(e accessEntry) {
	bp := l.bufs.Get().(*[]byte)
	b := (*bp)[:0]
	b = append(b, "time="...)
	b = e.at.AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
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
	b = append(b, '\n')
	l.mu.Lock()
	_, _ = l.w.Write(b)
	l.mu.Unlock()
	*bp = b
	l.bufs.Put(bp)
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
