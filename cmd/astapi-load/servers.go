package main

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/astapi/astapi/api"
	"github.com/astapi/astapi/index"
	"github.com/gin-gonic/gin"
)

// server is an in-process `astapi serve`.
type server struct {
	url    string
	store  *index.Store
	http   *http.Server
	cancel context.CancelFunc // stops the watcher
	done   chan struct{}      // closed when the watcher is done
}

func (s *server) close() {
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.http.Shutdown(sctx)
	s.cancel()
	<-s.done
}

// startAstapi loads cfg, watches it and serves the API on 127.0.0.1:0 as
// cmd/astapi/serve.go does. onReload, when set, sees every reload.
func startAstapi(ctx context.Context, cfg string, accessLog io.Writer, onReload func(index.ReloadResult)) (*server, error) {
	store := index.NewStore(func() (*index.Snapshot, error) { return index.Load(cfg) })
	if onReload != nil {
		store.OnReload(func(res index.ReloadResult, _ *index.Snapshot) { onReload(res) })
	}
	if res := store.Reload(); !res.Success {
		return nil, fmt.Errorf("cannot serve %s: %s", cfg, api.Redact(store.Current(), res.Err.Error()))
	}
	handler := api.New(store, api.Options{AccessLog: accessLog, MaxBodyBytes: 1 << 20})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &server{url: "http://" + ln.Addr().String(), store: store, cancel: cancel, done: make(chan struct{}),
		http: &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 120 * time.Second,
			ErrorLog: slog.NewLogLogger(slog.DiscardHandler, slog.LevelWarn)}}
	go func() { _ = s.http.Serve(ln) }()
	go func() {
		defer close(s.done)
		err := index.Watch(ctx, store, index.WatchOptions{Logger: slog.New(slog.DiscardHandler)})
		if err != nil && ctx.Err() == nil {
			fmt.Fprintln(os.Stderr, "astapi-load: watcher:", err)
		}
	}()
	return s, nil
}

// endpoints picks the tenant and extension to query and fetches each
// endpoint's answer once (it must be a 200).
func endpoints(client *http.Client, srv *server, o options) ([]*endpoint, error) {
	snap := srv.store.Current()
	tenant := o.tenantID
	if tenant == "" {
		su := snap.UserByName(o.secrets.user)
		for _, t := range snap.Tenants {
			if len(snap.ExtensionsByTenant(t.ID)) > 0 && (su == nil || su.CanSeeTenant(t.ID)) {
				tenant = t.ID
				break
			}
		}
		if tenant == "" {
			return nil, errors.New("no tenant with extensions: give --tenant-id")
		}
	}
	byTenant := &endpoint{name: "/extension/bytenant", method: "POST", query: "tenant_id=" + tenant, cred: o.admin}
	body, err := fetch(client, srv.url, byTenant)
	if err != nil {
		return nil, err
	}
	var answer struct {
		Data []struct {
			ID string `json:"ex_id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &answer); err != nil || len(answer.Data) == 0 {
		return nil, fmt.Errorf("/extension/bytenant tenant_id=%s: no extension in %.200q", tenant, body)
	}
	eps := []*endpoint{
		byTenant,
		{name: "/extension/user", method: "POST", query: "tenant_id=" + tenant + "&extension_id=" + answer.Data[0].ID, cred: o.secrets},
		{name: "/destination/all", method: "POST", query: "tenant_id=" + tenant, cred: o.admin},
		{name: "/user/get", method: "GET", cred: o.admin},
	}
	for _, ep := range eps {
		if ep.body, err = fetch(client, srv.url, ep); err != nil {
			return nil, err
		}
	}
	return eps, nil
}

func newRequest(base string, ep *endpoint) *http.Request {
	u := base + ep.name
	if ep.query != "" {
		u += "?" + ep.query
	}
	req, err := http.NewRequest(ep.method, u, nil)
	if err != nil {
		panic(err)
	}
	req.SetBasicAuth(ep.cred.user, ep.cred.pass)
	return req
}

func fetch(client *http.Client, base string, ep *endpoint) ([]byte, error) {
	resp, err := client.Do(newRequest(base, ep))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s?%s as %s: %d %.200s", ep.method, ep.name, ep.query, ep.cred.user, resp.StatusCode, body)
	}
	return body, nil
}

// startBaseline serves each endpoint's answer from a bare gin handler that
// checks the endpoint's credentials in constant time.
func startBaseline(eps []*endpoint) (*baseline, error) {
	e := gin.New()
	for _, ep := range eps {
		user, pass, body := []byte(ep.cred.user), []byte(ep.cred.pass), ep.body
		e.Handle(ep.method, ep.name, func(c *gin.Context) {
			u, p, ok := c.Request.BasicAuth()
			if !ok || subtle.ConstantTimeCompare([]byte(u), user)&subtle.ConstantTimeCompare([]byte(p), pass) != 1 {
				c.Header("WWW-Authenticate", `Basic realm="astapi"`)
				c.AbortWithStatus(http.StatusUnauthorized)
				return
			}
			c.Data(http.StatusOK, "application/json; charset=utf-8", body)
		})
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &baseline{URL: "http://" + ln.Addr().String(), srv: &http.Server{Handler: e, ReadHeaderTimeout: 5 * time.Second}}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// baseline is the bare gin server.
type baseline struct {
	URL string
	srv *http.Server
}

func (b *baseline) Close() { _ = b.srv.Close() }
