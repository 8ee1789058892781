package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/astapi/astapi/index"
)

// bigPhase measures the cached endpoints on --big-config, with a baseline
// serving its answers.
func bigPhase(ctx context.Context, client *http.Client, accessLog io.Writer, o options) ([]*row, error) {
	srv, err := startAstapi(ctx, o.bigConfig, accessLog, nil)
	if err != nil {
		return nil, err
	}
	defer srv.close()
	bo := o
	bo.config, bo.duration, bo.tenantID = o.bigConfig, o.bigDuration, ""
	if bo.secrets = o.bigSecrets; bo.secrets.user == "" {
		bo.secrets = o.admin
	}
	eps, err := endpoints(client, srv, bo)
	if err != nil {
		return nil, err
	}
	base, err := startBaseline(eps)
	if err != nil {
		return nil, err
	}
	defer base.Close()
	snap := srv.store.Current()
	fmt.Fprintf(os.Stderr, "astapi-load: big phase on %s (%d tenants, %d extensions, %d destinations)\n",
		o.bigConfig, len(snap.Tenants), len(snap.Extensions), len(snap.Destinations))
	var rows []*row
	for _, ep := range eps {
		r := &row{phase: "big", ep: ep}
		r.astapi, r.baseline = measurePair(client, srv.url, base.URL, ep, bo)
		rows = append(rows, r)
		fmt.Fprintf(os.Stderr, "  big    %-22s %8.0f req/s vs %8.0f: ratio %.2f (%d bytes)\n", ep.name, r.astapi.rps(), r.baseline.rps(), r.ratio(), len(ep.body))
	}
	return rows, nil
}

// reloadPhase copies the configuration to a temporary directory, serves
// the copy, and measures every endpoint while a file of it is rewritten.
func reloadPhase(ctx context.Context, client *http.Client, baseURL string, eps []*endpoint, accessLog io.Writer, o options) ([]*row, error) {
	tmp, err := os.MkdirTemp("", "astapi-load-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	cfgDir := filepath.Dir(o.config)
	if err := copyDir(cfgDir, tmp); err != nil {
		return nil, err
	}
	cfg := filepath.Join(tmp, filepath.Base(o.config))
	var reloads, failures atomic.Int64
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv, err := startAstapi(ctx, cfg, accessLog, func(res index.ReloadResult) {
		if res.Success {
			reloads.Add(1)
		} else {
			failures.Add(1)
		}
	})
	if err != nil {
		return nil, err
	}
	defer srv.close()
	// The file rewritten: extensions.conf of the copy (else the first
	// Asterisk file read), with a comment line that changes each time, so
	// that every reload makes a new snapshot with the same answers.
	snap := srv.store.Current()
	target := ""
	for _, f := range snap.Files {
		if filepath.Base(f) == "extensions.conf" {
			target = f
			break
		}
	}
	if target == "" {
		for _, f := range snap.Files {
			if f != snap.ConfigFile {
				target = f
				break
			}
		}
	}
	if target == "" || !strings.HasPrefix(target, tmp) {
		return nil, fmt.Errorf("reload phase: no Asterisk file of the copy in %s to rewrite (is asterisk_dir inside the config's directory?)", tmp)
	}
	orig, err := os.ReadFile(target)
	if err != nil {
		return nil, err
	}
	for _, ep := range eps { // the copy answers as the original does
		body, err := fetch(client, srv.url, ep)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(body, ep.body) {
			return nil, fmt.Errorf("reload phase: %s of the copy differs from the original's", ep.name)
		}
	}
	fmt.Fprintf(os.Stderr, "astapi-load: reload phase on a copy in %s: %s rewritten (%s) every %v\n", tmp, filepath.Base(target), o.rewrite, o.reloadEvery)

	var rows []*row
	for _, ep := range eps {
		stop := make(chan struct{})
		var rw sync.WaitGroup
		rw.Go(func() { rewriteLoop(target, orig, o, stop) })
		before, failedBefore := reloads.Load(), failures.Load()
		r := &row{phase: "reload", ep: ep}
		r.astapi, r.baseline = measurePair(client, srv.url, baseURL, ep, o)
		close(stop)
		rw.Wait()
		r.reloads, r.failures = reloads.Load()-before, failures.Load()-failedBefore
		rows = append(rows, r)
		fmt.Fprintf(os.Stderr, "  reload %-22s %8.0f req/s vs %8.0f: ratio %.2f, %d reloads\n", ep.name, r.astapi.rps(), r.baseline.rps(), r.ratio(), r.reloads)
	}
	return rows, nil
}

func rewriteLoop(target string, orig []byte, o options, stop <-chan struct{}) {
	t := time.NewTicker(o.reloadEvery)
	defer t.Stop()
	for n := 1; ; n++ {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		data := append(append(slices.Clip(orig), "\n; rewritten by astapi-load "...), fmt.Sprintf("%d\n", n)...)
		var err error
		if o.rewrite == "atomic" {
			tmp := filepath.Join(filepath.Dir(target), ".astapi-load.tmp")
			if err = os.WriteFile(tmp, data, 0o644); err == nil {
				err = os.Rename(tmp, target)
			}
		} else {
			err = os.WriteFile(target, data, 0o644)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "astapi-load: rewrite:", err)
		}
	}
}

// copyDir copies the regular files and directories under src into dst.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		out := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(out, 0o755)
		case d.Type().IsRegular():
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(out, data, 0o644)
		}
		return nil // symlinks and others are not copied
	})
}
