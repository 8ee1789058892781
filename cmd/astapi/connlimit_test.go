package main

import (
	"bufio"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"os"
	"testing"
	"time"
)

// keepAlive opens a connection to addr, makes one keep-alive request on
// it and leaves it open (idle).
func keepAlive(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return c
}

// closedByServer reports whether the server closed c (within wait).
func closedByServer(c net.Conn, wait time.Duration) bool {
	_ = c.SetReadDeadline(time.Now().Add(wait))
	_, err := c.Read(make([]byte, 1))
	return err != nil && !errors.Is(err, os.ErrDeadlineExceeded)
}

// TestIdleConnectionsCapped: with the default limits, keep-alive
// connections beyond --max-idle-connections are closed once their answer
// is sent, so idle clients cannot hold every descriptor.
func TestIdleConnectionsCapped(t *testing.T) {
	s := startServe(t, "--config", copyFixtures(t))
	const extra = 30
	var conns []net.Conn
	for range defaultMaxIdleConns + extra {
		conns = append(conns, keepAlive(t, s.addr))
	}
	results := make(chan bool, len(conns))
	for _, c := range conns {
		go func() { results <- closedByServer(c, 200*time.Millisecond) }()
	}
	closed := 0
	for range conns {
		if <-results {
			closed++
		}
	}
	if closed < extra || closed > extra+5 {
		t.Errorf("%d of %d idle connections closed by the server, want %d", closed, len(conns), extra)
	}
}

// TestMaxConnections: --max-connections holds further clients until a
// connection ends.
func TestMaxConnections(t *testing.T) {
	s := startServe(t, "--config", copyFixtures(t), "--max-connections", "3", "--max-idle-connections", "3")
	held := []net.Conn{keepAlive(t, s.addr), keepAlive(t, s.addr), keepAlive(t, s.addr)}
	answered := make(chan error, 1)
	go func() {
		c, err := net.DialTimeout("tcp", s.addr, 5*time.Second)
		if err != nil {
			answered <- err
			return
		}
		defer c.Close()
		if _, err := c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")); err != nil {
			answered <- err
			return
		}
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err == nil {
			resp.Body.Close()
		}
		answered <- err
	}()
	select {
	case err := <-answered:
		t.Fatalf("a fourth connection was served while three were held (%v)", err)
	case <-time.After(300 * time.Millisecond):
	}
	held[0].Close()
	select {
	case err := <-answered:
		if err != nil {
			t.Errorf("fourth connection: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the fourth connection was not served after one ended")
	}
}

// TestConnStateCountsIdle: the idle count follows each connection's
// states, a connection closed twice is taken off once, and a TLS
// connection is counted by the connection under it.
func TestConnStateCountsIdle(t *testing.T) {
	l := newConnLimits(0, 2)
	conn := func() (*limitedConn, net.Conn) {
		a, b := net.Pipe()
		t.Cleanup(func() { a.Close(); b.Close() })
		return &limitedConn{Conn: a}, b
	}
	c1, _ := conn()
	c2, _ := conn()
	c3, peer3 := conn()
	c4, _ := conn()
	step := func(c net.Conn, st http.ConnState, want int64) {
		t.Helper()
		l.connState(c, st)
		if got := l.idle.Load(); got != want {
			t.Fatalf("after %v: %d idle, want %d", st, got, want)
		}
	}
	step(c1, http.StateNew, 0)
	step(c1, http.StateActive, 0)
	step(c1, http.StateIdle, 1)
	step(c2, http.StateIdle, 2)
	step(c3, http.StateIdle, 2) // one too many: closed
	_ = peer3.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := peer3.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("the third idle connection was not closed (%v)", err)
	}
	step(c3, http.StateClosed, 2)
	step(c1, http.StateActive, 1)
	step(c1, http.StateClosed, 1)
	step(c2, http.StateClosed, 0)
	step(c2, http.StateClosed, 0)
	step(tls.Server(c4, &tls.Config{}), http.StateIdle, 1)
	step(tls.Server(c4, &tls.Config{}), http.StateClosed, 0)
	a, _ := net.Pipe() // not accepted through the listener: not counted
	defer a.Close()
	step(a, http.StateIdle, 0)
}
