package api

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/astapi/astapi/index"
)

// endpoint is one of the seed's seven endpoints.
type endpoint struct {
	method, path string
	params       []paramSpec
	// secrets: only users with `secrets = yes` may call it. Its answers
	// are Cache-Control: no-store.
	secrets bool
	// noStore: the answer is about secrets (though not only for users
	// with secrets = yes): Cache-Control: no-store, so that no browser or
	// proxy keeps a copy on disk.
	noStore bool
	// optional: a parameter may be absent (its arg is then "").
	optional bool
	// handle answers from one snapshot; args are the validated, normalised
	// parameters in the order of params.
	handle func(snap *index.Snapshot, u *index.User, args []string) (any, *apiError)
	// raw, set instead of handle, answers with a body that is not JSON
	// (the call-flow graph, graph.go).
	raw func(ctx context.Context, snap *index.Snapshot, u *index.User, args []string) (rawBody, *apiError)
}

// rawBody is an answer that is not JSON: its bytes, its Content-Type and,
// when not nil, its Content-Security-Policy.
type rawBody struct {
	body       []byte
	ctype, csp []string
}

var (
	pTenant    = paramSpec{"tenant_id", kindID}
	pExtension = paramSpec{"extension_id", kindID}
	pUser      = paramSpec{"user", kindEmail}
)

var endpoints = append([]*endpoint{
	{method: http.MethodGet, path: "/user/login", handle: userLogin},
	{method: http.MethodGet, path: "/user/get", handle: userGet},
	{method: http.MethodPost, path: "/user/tenants", params: []paramSpec{pUser}, handle: userTenants},
	{method: http.MethodPost, path: "/destination/all", params: []paramSpec{pTenant}, handle: destinationAll},
	{method: http.MethodPost, path: "/extension/bytenant", params: []paramSpec{pTenant}, handle: extensionByTenant},
	{method: http.MethodPost, path: "/extension/byid", params: []paramSpec{pExtension}, handle: extensionByID},
	{method: http.MethodPost, path: "/extension/user", params: []paramSpec{pTenant, pExtension}, secrets: true, handle: extensionUser},
}, readEndpoints...) // handlers_read.go

// serveEndpoint runs the checks of the package comment, then answers from
// the response cache or renders and caches the answer.
func (s *Server) serveEndpoint(ep *endpoint) gin.HandlerFunc {
	return func(c *gin.Context) {
		snap, u, ok := s.authorizeCurrent(c)
		if !ok {
			return
		}
		if ep.secrets && !u.Secrets {
			s.writeError(c, errForbidden)
			return
		}
		// args live on the stack for a cache hit; a miss copies them.
		var argv [4]string
		args := argv[:0]
		if n := len(ep.params); n <= len(argv) {
			args = argv[:n]
		} else {
			args = make([]string, n)
		}
		if len(ep.params) > 0 {
			var p params
			if err := p.decode(c.Request, &s.bodies); err != nil {
				s.writeError(c, err)
				return
			}
			for i, ps := range ep.params {
				if _, present := p.get(ps.name); !present && ep.optional {
					continue
				}
				var err *apiError
				if args[i], err = ps.parse(&p); err != nil {
					s.writeError(c, err)
					return
				}
			}
		}
		key := cacheKey(snap.Generation, ep.path, args, u.Name)
		cr, hit := s.cache.get(key)
		s.metrics.cacheLookup(hit)
		if hit {
			s.writeSuccess(c, cr, ep.secrets || ep.noStore)
			return
		}
		s.render(c, ep, snap, u, key, args)
	}
}

// render answers a cache miss and caches the answer. args is copied: the
// caller's lives on its stack.
func (s *Server) render(c *gin.Context, ep *endpoint, snap *index.Snapshot, u *index.User, key responseKey, args []string) {
	owned := slices.Clone(args) // a new name: reusing args would make the caller's escape
	var rb rawBody
	if ep.raw != nil {
		var err *apiError
		if rb, err = ep.raw(c.Request.Context(), snap, u, owned); err != nil {
			s.writeError(c, err)
			return
		}
	} else {
		data, err := ep.handle(snap, u, owned)
		if err != nil {
			s.writeError(c, err)
			return
		}
		var merr error
		if rb.body, merr = renderSuccess(data); merr != nil {
			s.log.Error("api: render", "path", ep.path, "error", merr)
			s.writeError(c, errorf(http.StatusInternalServerError, "internal error"))
			return
		}
	}
	cr := newCachedResponse(etag(snap, ep.path, owned, u.Name), rb.body)
	cr.ctypeHdr, cr.cspHdr = rb.ctype, rb.csp
	s.cache.add(snap.Generation, key, cr)
	s.writeSuccess(c, cr, ep.secrets || ep.noStore)
}

// writeSuccess writes a 200 answer, or 304 when If-None-Match names its
// ETag. noStore marks an answer that carries secrets.
func (s *Server) writeSuccess(c *gin.Context, cr *cachedResponse, noStore bool) {
	h := c.Writer.Header()
	// Canonical keys and shared, never modified values: no allocation.
	h["Etag"] = cr.etagHdr
	h["Cache-Control"] = hdrPrivate
	if noStore {
		h["Cache-Control"] = hdrNoStore
	}
	h["Vary"] = hdrVaryAuth
	if cr.cspHdr != nil {
		h["Content-Security-Policy"] = cr.cspHdr
	}
	if etagMatches(c.Request.Header.Get("If-None-Match"), cr.etag) {
		c.Writer.WriteHeader(http.StatusNotModified)
		c.Writer.WriteHeaderNow()
		return
	}
	if cr.ctypeHdr != nil {
		h["Content-Type"] = cr.ctypeHdr
	} else {
		h["Content-Type"] = hdrJSON
	}
	h["X-Content-Type-Options"] = hdrNosniff
	h["Content-Length"] = cr.lengthHdr
	c.Writer.WriteHeader(http.StatusOK)
	_, _ = c.Writer.Write(cr.body)
}

var (
	hdrPrivate  = []string{"private, no-cache"}
	hdrNoStore  = []string{"no-store"}
	hdrVaryAuth = []string{"Authorization"}
	hdrJSON     = []string{contentJSON}
	hdrDOT      = []string{contentDOT}
	hdrNosniff  = []string{"nosniff"}
)

// notFound is the answer about a missing or foreign object: 404 naming it
// for admins, 403 for tenant users (who cannot tell missing from foreign).
func notFound(u *index.User, what string) *apiError {
	if !u.IsAdmin() {
		return errForbidden
	}
	return errorf(http.StatusNotFound, what+" not found")
}

// visibleTenant returns the tenant with id when u may see it.
func visibleTenant(snap *index.Snapshot, u *index.User, id string) (*index.Tenant, *apiError) {
	if !u.CanSeeTenant(id) {
		return nil, errForbidden
	}
	t := snap.TenantByID(id)
	if t == nil {
		return nil, notFound(u, "tenant_id "+id)
	}
	return t, nil
}

// ---- /user/login, /user/get, /user/tenants

type userID struct {
	UserID string `json:"user_id"`
}

func userLogin(_ *index.Snapshot, u *index.User, _ []string) (any, *apiError) {
	return userID{UserID: u.ID}, nil
}

type userItem struct {
	ID string `json:"us_id"`
	// Username is the [user NAME] of astapi.ini, the Basic Auth name.
	Username string `json:"us_username"`
}

func userGet(snap *index.Snapshot, u *index.User, _ []string) (any, *apiError) {
	if !u.IsAdmin() {
		return []userItem{{ID: u.ID, Username: u.Name}}, nil
	}
	out := make([]userItem, 0, len(snap.Users))
	for _, x := range snap.Users {
		out = append(out, userItem{ID: x.ID, Username: x.Name})
	}
	return out, nil
}

type tenantItem struct {
	ID   string `json:"te_id"`
	Name string `json:"te_name"`
}

type userTenantsData struct {
	UserID  string       `json:"user_id"`
	Tenants []tenantItem `json:"tenants"`
}

func userTenants(snap *index.Snapshot, u *index.User, args []string) (any, *apiError) {
	email := args[0]
	if !u.IsAdmin() && !strings.EqualFold(email, u.Email) {
		return nil, errForbidden
	}
	target := snap.UserByEmail(email)
	if target == nil {
		return nil, notFound(u, "user "+strconv.Quote(email))
	}
	ts := snap.TenantsOf(target)
	out := userTenantsData{UserID: target.ID, Tenants: make([]tenantItem, 0, len(ts))}
	for _, t := range ts {
		out.Tenants = append(out.Tenants, tenantItem{ID: t.ID, Name: t.Name})
	}
	return out, nil
}

// ---- /destination/all

type destinationItem struct {
	ID      string `json:"de_id"`
	TypeSrc string `json:"de_type_src"`
	TypeDst string `json:"de_type_dst"`
	Ord     string `json:"de_ord"`
	Src     string `json:"de_src"`
	Dst     string `json:"de_dst"`
	File    string `json:"de_file"`
	Line    string `json:"de_line"`
}

func destinationAll(snap *index.Snapshot, u *index.User, args []string) (any, *apiError) {
	t, err := visibleTenant(snap, u, args[0])
	if err != nil {
		return nil, err
	}
	es := snap.EdgesByTenant(t.ID)
	out := make([]destinationItem, 0, len(es))
	for _, e := range es {
		out = append(out, destinationItem{
			ID:      e.ID,
			TypeSrc: e.TypeSrc,
			TypeDst: e.TypeDst(),
			Ord:     strconv.Itoa(e.Ord),
			Src:     e.Src,
			Dst:     e.Dst(),
			File:    e.Pos.File,
			Line:    strconv.Itoa(e.Pos.Line),
		})
	}
	return out, nil
}

// ---- /extension/bytenant, /extension/byid

type extensionItem struct {
	ID          string `json:"ex_id"`
	Name        string `json:"ex_name"`
	Number      string `json:"ex_number"`
	CIDNum      string `json:"ex_cidnum"`
	CIDName     string `json:"ex_cidname"`
	CallWaiting string `json:"ex_callwaiting"`
}

func extensionOut(e *index.Extension) extensionItem {
	return extensionItem{
		ID:          e.ID,
		Name:        e.Name,
		Number:      e.Number,
		CIDNum:      e.CIDNum,
		CIDName:     e.CIDName,
		CallWaiting: e.CallWaiting,
	}
}

func extensionByTenant(snap *index.Snapshot, u *index.User, args []string) (any, *apiError) {
	t, err := visibleTenant(snap, u, args[0])
	if err != nil {
		return nil, err
	}
	es := snap.ExtensionsByTenant(t.ID)
	out := make([]extensionItem, 0, len(es))
	for _, e := range es {
		out = append(out, extensionOut(e))
	}
	return out, nil
}

func extensionByID(snap *index.Snapshot, u *index.User, args []string) (any, *apiError) {
	e := snap.ExtensionByID(args[0])
	if e == nil || !u.CanSeeTenant(e.TenantID) {
		return nil, notFound(u, "extension_id "+args[0])
	}
	return []extensionItem{extensionOut(e)}, nil
}

// ---- /extension/user

type peerItem struct {
	Name   string `json:"name"`
	Host   string `json:"host"`
	Secret string `json:"secret"`
}

// md5Prefix marks a secret that is an MD5 digest (md5secret=, md5_cred=)
// rather than the password itself.
const md5Prefix = "md5:"

func peerSecret(p *index.Peer) string {
	switch p.SecretKind {
	case index.SecretMD5, index.SecretMD5Cred:
		return md5Prefix + p.Secret
	}
	return p.Secret
}

func extensionUser(snap *index.Snapshot, u *index.User, args []string) (any, *apiError) {
	e, err := tenantExtension(snap, u, args[0], args[1]) // handlers_read.go
	if err != nil {
		return nil, err
	}
	out := make([]peerItem, 0, len(e.Peers))
	for _, p := range e.Peers {
		out = append(out, peerItem{Name: p.Name, Host: p.Host, Secret: peerSecret(p)})
	}
	return out, nil
}
