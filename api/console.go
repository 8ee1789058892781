package api

import (
	"github.com/gin-gonic/gin"

	"github.com/astapi/astapi/audit"
	"github.com/astapi/astapi/index"
)

// The exported functions below are what another package serving pages on
// the API's router (Options.Mount: the web console) needs, so that it
// answers with the API's own authentication, scoping, audit and ETags
// instead of a second copy of them.

// Authorize runs the API's first three checks on a request (a
// configuration loaded, the client under its failed-login limit, valid
// Basic Auth credentials; see the package comment) against the served
// snapshot. When one fails it has written the API's answer (503, 429 or
// 401 with WWW-Authenticate) and returns false.
func (s *Server) Authorize(c *gin.Context) (*index.Snapshot, *index.User, bool) {
	return s.authorizeCurrent(c)
}

// VisibleTenant returns the tenant with the given ID (digits, leading
// zeros allowed) when u may see it; otherwise nil and the API's status for
// that case: 403 for a tenant user (who cannot tell missing from
// foreign), 404 for an admin.
func VisibleTenant(snap *index.Snapshot, u *index.User, id string) (*index.Tenant, int) {
	canon, ok := canonicalID(id)
	if !ok {
		return nil, notFound(u, "tenant_id").code
	}
	t, err := visibleTenant(snap, u, canon)
	if err != nil {
		return nil, err.code
	}
	return t, 0
}

// Findings returns the secret audit findings of snap that u may see, as
// /audit/secrets does: with tenant set, those of that tenant and the ones
// about sip.conf [general]. The audit runs once per snapshot.
func (s *Server) Findings(snap *index.Snapshot, u *index.User, tenant *index.Tenant) []audit.Finding {
	return s.visibleFindings(snap, u, tenant)
}

// StatusReport is what /status reports: the served snapshot, the last
// reload and the diagnostics, with secrets masked.
type StatusReport = statusData

// Status returns the /status report for snap as user u may see it.
func (s *Server) Status(snap *index.Snapshot, u *index.User) StatusReport {
	return s.statusReport(snap, u)
}

// PageETag is the ETag of a page derived from snap alone, computed as the
// API's are (API version, snapshot content, page, arguments, caller).
func PageETag(snap *index.Snapshot, page string, args []string, user string) string {
	return etag(snap, page, args, user)
}

// ETagMatches reports whether an If-None-Match header names tag.
func ETagMatches(ifNoneMatch, tag string) bool { return etagMatches(ifNoneMatch, tag) }
