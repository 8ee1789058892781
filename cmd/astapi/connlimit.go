package main

import (
	"net"
	"net/http"
	"sync"
	"sync/atomic"
)

// connLimits caps the connections `astapi serve` holds: at most max at
// once (more wait in the kernel's accept queue), and at most maxIdle of
// them idle between keep-alive requests. Without the second, idle
// keep-alive connections fill the first (or the file descriptors) and new
// clients wait for the idle timeout; a connection that would go idle
// beyond it is closed instead, which HTTP clients expect of any server.
//
// The idle count is an atomic counter and each connection marks itself
// (limitedConn.idle): the ConnState hook runs twice per request, and a
// lock shared by every connection there costs a cached answer about 1%
// of its CPU under load.
type connLimits struct {
	max, maxIdle int // 0: no limit
	idle         atomic.Int64
}

func newConnLimits(max, maxIdle int) *connLimits {
	return &connLimits{max: max, maxIdle: maxIdle}
}

// listener wraps ln with the cap on connections, and marks its
// connections for the cap on idle ones.
func (l *connLimits) listener(ln net.Listener) net.Listener {
	if l.max <= 0 && l.maxIdle <= 0 {
		return ln
	}
	ll := &limitListener{Listener: ln, done: make(chan struct{})}
	if l.max > 0 {
		ll.slots = make(chan struct{}, l.max)
	}
	return ll
}

// limitListener accepts a connection only when fewer than cap(slots) are
// open (nil slots: no cap). (golang.org/x/net/netutil.LimitListener does
// the same but its connections hide CloseWrite, which net/http needs to
// answer 431 to oversized headers without resetting the connection.)
type limitListener struct {
	net.Listener
	slots     chan struct{}
	done      chan struct{} // closed by Close: a waiting Accept gives up
	closeOnce sync.Once
}

func (l *limitListener) Accept() (net.Conn, error) {
	if l.slots != nil {
		select {
		case l.slots <- struct{}{}:
		case <-l.done:
			return nil, net.ErrClosed
		}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		if l.slots != nil {
			<-l.slots
		}
		return nil, err
	}
	return &limitedConn{Conn: c, slots: l.slots}, nil
}

func (l *limitListener) Close() error {
	err := l.Listener.Close()
	l.closeOnce.Do(func() { close(l.done) })
	return err
}

// limitedConn frees its slot when closed (once), and says whether
// connLimits counts it idle.
type limitedConn struct {
	net.Conn
	once  sync.Once
	slots chan struct{} // nil: no slot taken
	idle  atomic.Bool
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	if c.slots != nil {
		c.once.Do(func() { <-c.slots })
	}
	return err
}

// CloseWrite half-closes a TCP connection, as net/http expects of one.
func (c *limitedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// connState is the http.Server's ConnState hook. A connection leaves the
// idle state for active or closed; closed can come twice (net/http's
// shutdown closes idle connections from another goroutine), hence the
// compare-and-swap.
func (l *connLimits) connState(c net.Conn, st http.ConnState) {
	if l.maxIdle <= 0 {
		return
	}
	lc := limitedOf(c)
	if lc == nil {
		return
	}
	if st != http.StateIdle {
		if lc.idle.CompareAndSwap(true, false) {
			l.idle.Add(-1)
		}
		return
	}
	lc.idle.Store(true)
	if l.idle.Add(1) > int64(l.maxIdle) {
		if lc.idle.CompareAndSwap(true, false) {
			l.idle.Add(-1)
		}
		// Its response is complete: closing it loses nothing.
		_ = c.Close()
	}
}

// limitedOf is the limitedConn under c (a TLS connection wraps it), or
// nil.
func limitedOf(c net.Conn) *limitedConn {
	if t, ok := c.(interface{ NetConn() net.Conn }); ok {
		c = t.NetConn()
	}
	lc, _ := c.(*limitedConn)
	return lc
}
