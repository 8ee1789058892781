package api

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/astapi/astapi/index"
)

// What a cached answer costs on the wire. net/http writes an answer
// through a 4 KiB buffer per connection (its header block, then the body):
// an answer that fits goes out in one write(2), a longer one in two or
// more, and the client reads it as many times. So every header byte
// astapi adds to what bare gin sends moves the body size beyond which an
// answer costs a second write, and the bytes added are pinned here.

// connBufferSize is net/http's per-connection write buffer (conn.bufw).
const connBufferSize = 4 << 10

// addedHead is what a cached 200 answer's head may hold beyond bare gin's
// (status line, Content-Type, Content-Length, Date): the four headers of
// writeSuccess, with an ETag of 128 bits in hex (the SHA-256's 256 bits
// took 32 bytes more). /extension/user's no-store is shorter than
// private, no-cache.
var addedHead = len("Cache-Control: private, no-cache\r\n" +
	`Etag: "` + strings.Repeat("0", 32) + "\"\r\n" +
	"Vary: Authorization\r\n" +
	"X-Content-Type-Options: nosniff\r\n")

// wireCounter counts the writes and bytes a server makes on its
// connections.
type wireCounter struct {
	net.Listener
	writes, bytes atomic.Int64
}

func (l *wireCounter) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countedConn{Conn: c, l: l}, nil
}

type countedConn struct {
	net.Conn
	l *wireCounter
}

func (c *countedConn) Write(p []byte) (int, error) {
	// Counted before the bytes leave: the client cannot have read them
	// before the count is in.
	c.l.writes.Add(1)
	c.l.bytes.Add(int64(len(p)))
	return c.Conn.Write(p)
}

// wireServer is h served over loopback TCP with its writes counted.
type wireServer struct {
	*httptest.Server
	wire   *wireCounter
	client *http.Client
}

func newWireServer(t *testing.T, h http.Handler) *wireServer {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	w := &wireCounter{Listener: srv.Listener}
	srv.Listener = w
	srv.Start()
	t.Cleanup(srv.Close)
	tr := &http.Transport{DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &wireServer{Server: srv, wire: w, client: &http.Client{Transport: tr}}
}

// wireAnswer is an answer and what the server wrote to send it.
type wireAnswer struct {
	code          int
	ctype         string
	body          []byte
	writes, bytes int64
}

// head is the size of the answer's status line and headers.
func (a wireAnswer) head() int64 { return a.bytes - int64(len(a.body)) }

// send makes r as c.
func (ws *wireServer) send(t *testing.T, r req, c caller) wireAnswer {
	t.Helper()
	hr := r.build(c)
	out, err := http.NewRequest(hr.Method, ws.URL+hr.URL.RequestURI(), hr.Body)
	if err != nil {
		t.Fatal(err)
	}
	out.Header = hr.Header
	w0, b0 := ws.wire.writes.Load(), ws.wire.bytes.Load()
	resp, err := ws.client.Do(out)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return wireAnswer{resp.StatusCode, resp.Header.Get("Content-Type"), body,
		ws.wire.writes.Load() - w0, ws.wire.bytes.Load() - b0}
}

// bareHead is the size of the head bare gin sends with a's body and
// Content-Type: c.Data, as cmd/astapi-baseline answers.
func bareHead(t *testing.T, a wireAnswer) int64 {
	t.Helper()
	ginModeOnce.Do(func() { gin.SetMode(gin.ReleaseMode) })
	e := gin.New()
	e.GET("/", func(c *gin.Context) { c.Data(http.StatusOK, a.ctype, a.body) })
	bare := newWireServer(t, e).send(t, req{method: "GET", path: "/"}, cNoAuth)
	if string(bare.body) != string(a.body) {
		t.Fatal("bare gin answered another body")
	}
	return bare.head()
}

// TestCachedAnswerOnTheWire: a cached answer of every endpoint adds no
// more to bare gin's head than writeSuccess's four headers, and goes out
// in one write when it fits the connection's buffer.
func TestCachedAnswerOnTheWire(t *testing.T) {
	s, _ := newTestServer(t, Options{AccessLog: io.Discard})
	ws := newWireServer(t, s)
	for _, ec := range endpointCases {
		t.Run(ec.slug, func(t *testing.T) {
			ws.send(t, ec.r, cRoot) // fills the cache
			a := ws.send(t, ec.r, cRoot)
			if a.code != http.StatusOK {
				t.Fatalf("status %d: %s", a.code, a.body)
			}
			if more := a.head() - bareHead(t, a); more > int64(addedHead) {
				t.Errorf("head of %d bytes: %d more than bare gin's, want at most %d", a.head(), more, addedHead)
			}
			if a.bytes <= connBufferSize && a.writes != 1 {
				t.Errorf("%d bytes in %d writes, want 1", a.bytes, a.writes)
			}
		})
	}
}

// TestAnswerFillingTheBuffer: an answer whose body would just fit the
// connection's buffer behind bare gin's head plus the four headers goes
// out in one write (with a 64-hex-digit ETag it took two, and wrk saw
// /destination/all of the demo at 0.60 of the baseline).
func TestAnswerFillingTheBuffer(t *testing.T) {
	// A tenant whose /destination/all answer has the size wanted: the
	// destinations' file name is the padding.
	answer := func(pad int) wireAnswer {
		snap := func() *index.Snapshot {
			var dests []*index.Destination
			for i := range 12 {
				dests = append(dests, &index.Destination{ID: fmt.Sprint(5001 + i), TenantID: idAcme, TypeSrc: "DID", TypeDst: "EXT", Ord: 1,
					Src: fmt.Sprintf("acme-inbound,51455501%02d,1", i), Dst: "acme-internal,201,1", File: "extensions-acme.conf", Line: 12 + i})
			}
			dests[0].File += strings.Repeat("x", pad)
			base := testSnapshot()
			return withReadAPI(index.NewSnapshot(&index.Snapshot{
				Fingerprint: "fp-wire", Tenants: base.Tenants, Users: base.Users,
				Destinations: dests, Flow: graphOf(dests),
			}))
		}
		ws := newWireServer(t, New(loadedStore(t, snap), Options{AccessLog: io.Discard}))
		r := form("/destination/all", "tenant_id", idAcme)
		ws.send(t, r, cAdmin)
		a := ws.send(t, r, cAdmin)
		if a.code != http.StatusOK {
			t.Fatalf("status %d: %s", a.code, a.body)
		}
		return a
	}
	a := answer(0)
	want := connBufferSize - int(bareHead(t, a)) - addedHead
	if len(a.body) > want {
		t.Fatalf("the unpadded answer has %d bytes, more than the %d wanted", len(a.body), want)
	}
	if a = answer(want - len(a.body)); len(a.body) != want {
		t.Fatalf("padded answer of %d bytes, want %d", len(a.body), want)
	}
	if a.writes != 1 {
		t.Errorf("a %d-byte body: %d bytes on the wire in %d writes, want one", len(a.body), a.bytes, a.writes)
	}
}
