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

// The svg format of /destination/graph (the DOT text drawn by
// Options.DrawSVG), which the console shares through TenantGraphSVG.

// graphTooLarge is implemented by an Options.DrawSVG error about a graph
// over the drawer's size limit (diagram.TooLargeError): the caller gets 422
// and is told to ask for the DOT text instead.
type graphTooLarge interface{ GraphTooLarge() bool }

const (
	formatDOT = "dot"
	formatSVG = "svg"
)

var (
	errNoDrawer = errorf(http.StatusNotImplemented, "format=svg: this server draws no diagrams")
	hdrSVG      = []string{"image/svg+xml"}
	// The drawing is Graphviz's output, which escapes every label: no
	// script, and none may run if one ever got in.
	hdrGraphPolicy = []string{"default-src 'none'"}
)

// graphFormat reads the format parameter of /destination/graph: "dot"
// (the default) or "svg".
func graphFormat(p *params) (string, *apiError) {
	v, present := p.get("format")
	if !present {
		return formatDOT, nil
	}
	switch f := strings.ToLower(strings.TrimSpace(v)); f {
	case formatDOT, formatSVG:
		return f, nil
	}
	return "", errorf(http.StatusBadRequest, "format: must be dot or svg")
}

// tenantDOT is the DOT text of tenant t's call flow.
func tenantDOT(snap *index.Snapshot, t *index.Tenant) []byte {
	var buf bytes.Buffer
	_ = flow.WriteDOT(&buf, t.Name, snap.ObjectsByTenant(t.ID, ""), snap.EdgesByTenant(t.ID)) // a Buffer never fails
	return buf.Bytes()
}

// TenantGraphSVG draws tenant t's call flow as SVG with Options.DrawSVG.
// On failure the status is 501 without a drawer, 422 for a graph too large
// to draw, 500 when drawing failed, and the error is the API's message.
func (s *Server) TenantGraphSVG(ctx context.Context, snap *index.Snapshot, t *index.Tenant) ([]byte, int, error) {
	svg, err := s.drawSVG(ctx, tenantDOT(snap, t), t.ID)
	if err != nil {
		return nil, err.code, err
	}
	return svg, http.StatusOK, nil
}

// drawSVG draws the DOT text of tenant tenantID's call flow.
func (s *Server) drawSVG(ctx context.Context, dot []byte, tenantID string) ([]byte, *apiError) {
	if s.opts.DrawSVG == nil {
		return nil, errNoDrawer
	}
	svg, err := s.opts.DrawSVG(ctx, dot)
	if err == nil {
		return svg, nil
	}
	var tl graphTooLarge
	if errors.As(err, &tl) && tl.GraphTooLarge() {
		return nil, errorf(http.StatusUnprocessableEntity,
			"the call flow of tenant_id "+tenantID+" is too large to draw; ask for format=dot")
	}
	s.log.Error("api: drawing the call flow", "tenant_id", tenantID, "error", err)
	return nil, errorf(http.StatusInternalServerError, "internal error")
}

// graphBody turns the DOT answer of /destination/graph into the body and
// content type asked for (args: tenant_id, then "svg" for format=svg).
func (s *Server) graphBody(ctx context.Context, dot []byte, args []string) ([]byte, []string, *apiError) {
	if len(args) < 2 || args[1] != formatSVG {
		return dot, hdrDOT, nil
	}
	svg, err := s.drawSVG(ctx, dot, args[0])
	return svg, hdrSVG, err
}
