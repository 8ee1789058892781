package api

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/astapi/astapi/flow"
	"github.com/astapi/astapi/index"
)

// pathGraph is the call-flow graph endpoint: the tenant's call flow as
// Graphviz DOT (format=dot, the default) or drawn as SVG (format=svg,
// TenantGraphSVG, which the console shares).
const pathGraph = "/destination/graph"

// graphTooLarge is implemented by an Options.DrawSVG error about a graph
// over the drawer's size limit (diagram.TooLargeError): the caller gets 422
// and is told to ask for the DOT text instead.
type graphTooLarge interface{ GraphTooLarge() bool }

var (
	errNoDrawer = errorf(http.StatusNotImplemented, "format=svg: this server draws no diagrams")
	hdrSVG      = []string{"image/svg+xml"}
	// The SVG is Graphviz's output: no script, and none may run if a
	// label ever smuggled markup in.
	hdrSVGPolicy = []string{"default-src 'none'"}
)

// tenantDOT is the DOT text of tenant t's call flow.
func tenantDOT(snap *index.Snapshot, t *index.Tenant) []byte {
	var buf bytes.Buffer
	_ = flow.WriteDOT(&buf, t.Name, snap.ObjectsByTenant(t.ID, ""), snap.EdgesByTenant(t.ID))
	return buf.Bytes()
}

// TenantGraphSVG draws tenant t's call flow as SVG with Options.DrawSVG.
// On failure the status is 501 without a drawer, 422 for a graph too large
// to draw, 500 when drawing failed, and the error is the API's message.
func (s *Server) TenantGraphSVG(ctx context.Context, snap *index.Snapshot, t *index.Tenant) ([]byte, int, error) {
	svg, err := s.tenantGraphSVG(ctx, snap, t)
	if err != nil {
		return nil, err.code, err
	}
	return svg, http.StatusOK, nil
}

func (s *Server) tenantGraphSVG(ctx context.Context, snap *index.Snapshot, t *index.Tenant) ([]byte, *apiError) {
	if s.opts.DrawSVG == nil {
		return nil, errNoDrawer
	}
	svg, err := s.opts.DrawSVG(ctx, tenantDOT(snap, t))
	if err == nil {
		return svg, nil
	}
	var tl graphTooLarge
	if errors.As(err, &tl) && tl.GraphTooLarge() {
		return nil, errorf(http.StatusUnprocessableEntity,
			"the call flow of tenant_id "+t.ID+" is too large to draw; ask for format=dot")
	}
	s.log.Error("api: drawing the call flow", "tenant_id", t.ID, "error", err)
	return nil, errorf(http.StatusInternalServerError, "internal error")
}

// graphFormat is the format parameter: dot (absent or blank) or svg, in
// any case.
func graphFormat(p *params, name string) (string, *apiError) {
	format, _ := p.get(name)
	switch format = strings.ToLower(strings.TrimSpace(format)); format {
	case "":
		return "dot", nil
	case "dot", "svg":
		return format, nil
	}
	return "", errorf(http.StatusBadRequest, "format: must be dot or svg")
}

// graph answers GET /destination/graph?tenant_id=…[&format=dot|svg]
// (args: tenant_id, format) through serveEndpoint, cached and validated
// by ETag as the other answers are.
func (s *Server) graph(ctx context.Context, snap *index.Snapshot, u *index.User, args []string) (rawBody, *apiError) {
	t, err := visibleTenant(snap, u, args[0])
	if err != nil {
		return rawBody{}, err
	}
	if args[1] != "svg" {
		return rawBody{body: tenantDOT(snap, t), ctype: hdrDOT}, nil
	}
	svg, err := s.tenantGraphSVG(ctx, snap, t)
	if err != nil {
		return rawBody{}, err
	}
	return rawBody{body: svg, ctype: hdrSVG, csp: hdrSVGPolicy}, nil
}
