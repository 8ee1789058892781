package console

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/astapi/astapi/api"
	"github.com/astapi/astapi/index"
)

// version enters every page's ETag (with the API's own inputs): a new
// astapi whose pages differ for the same files does not validate the old
// one's ETags.
const version = "console-1"

const cssPath = "/ui/static/console.css"

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/console.css
var css []byte

//go:embed static/favicon.svg
var favicon []byte

// Headers of every page. No script may run (there is none); styles come
// from the embedded stylesheet only (Graphviz's SVG uses presentation
// attributes, which style-src does not govern); no framing, no form posts.
var pageHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
	"X-Content-Type-Options":  "nosniff",
	"X-Frame-Options":         "DENY",
	"Referrer-Policy":         "no-referrer",
}

// Console serves the pages. Make it with Mount.
type Console struct {
	api     *api.Server
	pages   map[string]*template.Template
	cssURL  string // cssPath?v=<hash>: the stylesheet may be cached for long
	cssETag string
}

// Mount registers the console's routes on r, answering through s's
// authentication and scoping. It is the api.Options.Mount hook.
func Mount(s *api.Server, r gin.IRouter) {
	c := newConsole(s)
	r.GET("/ui", func(g *gin.Context) { g.Redirect(http.StatusMovedPermanently, "/ui/") })
	r.GET("/ui/", c.tenants)
	r.GET("/ui/tenants/:id", c.tenant)
	r.GET("/ui/status", c.status)
	r.GET(cssPath, c.stylesheet)
	r.GET("/ui/static/favicon.svg", func(g *gin.Context) { serveStatic(g, "image/svg+xml", favicon, faviconETag) })
}

func newConsole(s *api.Server) *Console {
	sum := sha256.Sum256(css)
	c := &Console{
		api:     s,
		pages:   map[string]*template.Template{},
		cssURL:  cssPath + "?v=" + hex.EncodeToString(sum[:6]),
		cssETag: hashETag(css),
	}
	layout := template.Must(template.ParseFS(templateFS, "templates/layout.html"))
	for _, name := range []string{"tenants", "tenant", "status", "error"} {
		t := template.Must(layout.Clone())
		c.pages[name] = template.Must(t.ParseFS(templateFS, "templates/"+name+".html"))
	}
	return c
}

// page is what the layout renders.
type page struct {
	Title string
	CSS   string
	User  *index.User
	Data  any
}

// tenants serves /ui/: the caller's tenants and their counts.
func (c *Console) tenants(g *gin.Context) {
	snap, u, ok := c.api.Authorize(g)
	if !ok {
		return
	}
	tag := api.PageETag(snap, version+"/ui/", nil, u.Name)
	if c.notModified(g, tag) {
		return
	}
	v := tenantsOf(snap, u, c.api.Findings(snap, u, nil))
	c.render(g, http.StatusOK, tag, "tenants", page{Title: "Tenants", User: u, Data: v})
}

// tenant serves /ui/tenants/{id}. A tenant the caller may not see is 403
// whether or not it exists, as in the API (404 for an admin).
func (c *Console) tenant(g *gin.Context) {
	snap, u, ok := c.api.Authorize(g)
	if !ok {
		return
	}
	t, code := api.VisibleTenant(snap, u, g.Param("id"))
	if t == nil {
		msg := "You may not see this tenant."
		if code == http.StatusNotFound {
			msg = "There is no tenant " + strconv.Quote(g.Param("id")) + "."
		}
		c.render(g, code, "", "error", page{Title: http.StatusText(code), User: u, Data: msg})
		return
	}
	tag := api.PageETag(snap, version+"/ui/tenants", []string{t.ID}, u.Name)
	if c.notModified(g, tag) {
		return
	}
	v := tenantOf(snap, t, c.api.Findings(snap, u, t))
	switch {
	case snap.Flow == nil:
		v.DiagramNote = "The call flow of this configuration has not been read."
	case len(snap.ObjectsByTenant(t.ID, "")) == 0:
		v.DiagramNote = "No call-flow object was found for this tenant."
	default:
		svg, _, err := c.api.TenantGraphSVG(g.Request.Context(), snap, t)
		if err != nil {
			v.DiagramNote = "The diagram could not be drawn: " + err.Error() + "."
		} else {
			// Graphviz's output: it escapes every label and tooltip as
			// XML, and the page's policy would stop a script anyway.
			v.Diagram = template.HTML(svg)
		}
	}
	c.render(g, http.StatusOK, tag, "tenant", page{Title: t.Name, User: u, Data: v})
}

// status serves /ui/status. It is never cached: the last reload attempt
// is not part of the snapshot.
func (c *Console) status(g *gin.Context) {
	snap, u, ok := c.api.Authorize(g)
	if !ok {
		return
	}
	v := statusOf(c.api.Status(snap, u), u)
	c.render(g, http.StatusOK, "", "status", page{Title: "Status", User: u, Data: v})
}

// stylesheet serves the embedded stylesheet.
func (c *Console) stylesheet(g *gin.Context) {
	serveStatic(g, "text/css; charset=utf-8", css, c.cssETag)
}

var faviconETag = hashETag(favicon)

func hashETag(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// serveStatic serves an embedded file; it needs no credentials (the
// browser asks for the icon and the stylesheet of a 401 page too).
func serveStatic(g *gin.Context, ctype string, body []byte, tag string) {
	h := g.Writer.Header()
	h.Set("ETag", tag)
	h.Set("Cache-Control", "public, max-age=86400")
	if api.ETagMatches(g.GetHeader("If-None-Match"), tag) {
		g.Status(http.StatusNotModified)
		g.Writer.WriteHeaderNow()
		return
	}
	h.Set("X-Content-Type-Options", "nosniff")
	g.Data(http.StatusOK, ctype, body)
}

// notModified answers 304 when If-None-Match names tag.
func (c *Console) notModified(g *gin.Context, tag string) bool {
	if !api.ETagMatches(g.GetHeader("If-None-Match"), tag) {
		return false
	}
	c.setHeaders(g, tag)
	g.Status(http.StatusNotModified)
	g.Writer.WriteHeaderNow()
	return true
}

// setHeaders sets the headers of a page; tag "" means not cacheable.
func (c *Console) setHeaders(g *gin.Context, tag string) {
	h := g.Writer.Header()
	for k, v := range pageHeaders {
		h.Set(k, v)
	}
	if tag == "" {
		h.Set("Cache-Control", "no-store")
		return
	}
	h.Set("ETag", tag)
	h.Set("Cache-Control", "private, no-cache")
	h.Set("Vary", "Authorization")
}

// render writes page p with template name.
func (c *Console) render(g *gin.Context, code int, tag, name string, p page) {
	p.CSS = c.cssURL
	var buf bytes.Buffer
	if err := c.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		// A template bug, not the caller's: the tests render every page.
		g.Header("Cache-Control", "no-store")
		g.String(http.StatusInternalServerError, "internal error")
		return
	}
	c.setHeaders(g, tag)
	g.Data(code, "text/html; charset=utf-8", buf.Bytes())
}
