package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// canonicalPath answers 404 (and reports false) to a request whose path is written with
// percent-escapes that decode to another path (/audit%2Fsecrets,
// /%6detrics): gin routes on the decoded path, so such a request would
// reach /audit/secrets or /metrics past a proxy rule that matches the path
// as written. Every astapi route is plain ASCII, so its canonical form
// needs no escape at all.
func (s *Server) canonicalPath(c *gin.Context) bool {
	if u := c.Request.URL; u.RawPath != "" && u.RawPath != u.Path {
		s.fail(c, http.StatusNotFound, "no such endpoint")
		c.Abort()
		return false
	}
	return true
}

// addHeadRoutes answers HEAD on every GET route, as HTTP asks: the same
// handler, whose body net/http discards.
func addHeadRoutes(e *gin.Engine) {
	for _, r := range e.Routes() {
		if r.Method == http.MethodGet {
			e.Handle(http.MethodHead, r.Path, r.HandlerFunc)
		}
	}
}
