package main

import (
	"net"
	"net/http"
	"sync"
)

// connLimits caps the connections `astapi serve` holds: at most max at
// once (more wait in the kernel's accept queue), and at most maxIdle of
// them idle between keep-alive requests. Without the second, idle
// keep-alive connections fill the first (or the file descriptors) and new
// clients wait for the idle timeout; a connection that would go idle
// beyond it is closed instead, which HTTP clients expect of any server.
type connLimits struct {
	max, maxIdle int // 0: no limit

	mu   sync.Mutex
	idle map[net.Conn]struct{}
}

func newConnLimits(max, maxIdle int) *connLimits {
	return &connLimits{max: max, maxIdle: maxIdle, idle: map[net.Conn]struct{}{}}
}

// listener wraps ln with the cap on connections.
func (l *connLimits) listener(ln net.Listener) net.Listener {
	if l.max <= 0 {
		return ln
	}
	return &limitListener{Listener: ln, slots: make(chan struct{}, l.max), done: make(chan struct{})}
}

// limitListener accepts a connection only when fewer than cap(slots) are
// open. (golang.org/x/net/netutil.LimitListener does the same but its
// connections hide CloseWrite, which net/http needs to answer 431 to
// oversized headers without resetting the connection.)
type limitListener struct {
	net.Listener
	slots     chan struct{}
	done      chan struct{} // closed by Close: a waiting Accept gives up
	closeOnce sync.Once
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	lc := &limitedConn{Conn: c}
	lc.release = func() { <-l.slots }
	return lc, nil
}

func (l *limitListener) Close() error {
	err := l.Listener.Close()
	l.closeOnce.Do(func() { close(l.done) })
	return err
}

// limitedConn frees its slot when closed (once).
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// CloseWrite half-closes a TCP connection, as net/http expects of one.
func (c *limitedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// connState is the http.Server's ConnState hook.
func (l *connLimits) connState(c net.Conn, st http.ConnState) {
	if l.maxIdle <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch st {
	case http.StateIdle:
		if len(l.idle) >= l.maxIdle {
			// Its response is complete: closing it loses nothing.
			_ = c.Close()
			return
		}
		l.idle[c] = struct{}{}
	default:
		delete(l.idle, c)
	}
}
