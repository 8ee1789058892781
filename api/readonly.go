package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// readOnlyResources are the resources of the original API whose write
// endpoints (…/updatebyid, …/deletebyid) astapi answers with 405: it only
// reads the Asterisk files, which stay the source of truth.
var readOnlyResources = []string{
	"extension", "did", "hunt", "ivr", "condition", "voicemail", "custom", "phone", "destination",
}

// writePaths are the original API's write endpoints.
func writePaths() []string {
	var out []string
	for _, r := range readOnlyResources {
		out = append(out, "/"+r+"/updatebyid", "/"+r+"/deletebyid")
	}
	return append(out, "/phone/AddNewPhone")
}

// notServedPaths are read endpoints of the original API that are not
// about configuration.
var notServedPaths = []string{"/cdr/getCallHistory"}

const (
	msgReadOnly = "astapi is read-only: the Asterisk configuration files are the source of truth; " +
		"change them and the API follows on the next reload"
	msgNoCDR = "astapi is read-only over the Asterisk configuration files, the source of truth: " +
		"call records are not configuration and are not served"
)

// writeMethods are the methods the write endpoints answer on (all with
// the same failed envelope).
var writeMethods = []string{http.MethodPost}

// routeReadOnly registers the write endpoints (405) and /cdr/* (501).
// Both authenticate first: without credentials they are a 401 like every
// other endpoint, so they reveal nothing to strangers.
func (s *Server) routeReadOnly(e *gin.Engine) {
	for _, p := range writePaths() {
		for _, m := range writeMethods {
			e.Handle(m, p, s.refuse(http.StatusMethodNotAllowed, msgReadOnly))
		}
	}
	for _, p := range notServedPaths {
		for _, m := range writeMethods {
			e.Handle(m, p, s.refuse(http.StatusNotImplemented, msgNoCDR))
		}
	}
}

func (s *Server) refuse(code int, message string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if _, _, ok := s.authorizeCurrent(c); !ok {
			return
		}
		if code == http.StatusMethodNotAllowed {
			// No method is allowed on a write endpoint (RFC 9110 §10.2.1:
			// an empty Allow).
			c.Writer.Header()["Allow"] = []string{""}
		}
		s.fail(c, code, message)
	}
}
