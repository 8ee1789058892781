package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"

	"github.com/astapi/astapi/internal/httplimits"
)

// startPprof serves the runtime profiles (net/http/pprof) on addr, which
// must be a loopback address: profiles show memory contents such as
// configuration strings. It stops with ctx.
func startPprof(ctx context.Context, addr string, logger *slog.Logger) error {
	if !isLoopback(addr) {
		return errors.New("--pprof " + addr + ": only a loopback address (127.0.0.1:PORT, [::1]:PORT, localhost:PORT)")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	// Its own mux. (Importing net/http/pprof also registers the handlers on
	// http.DefaultServeMux, which astapi never serves: the API is gin.)
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: httplimits.ReadHeaderTimeout}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("pprof server failed", "error", err)
		}
	}()
	logger.Info("pprof", "listen", ln.Addr().String())
	return nil
}
