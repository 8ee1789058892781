package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
)

// The envelope of every answer of the seed's endpoints.
const (
	statusSuccess = "success"
	statusFailed  = "failed"
	msgUnauth     = "Unauthorized Access"
	contentJSON   = "application/json; charset=utf-8"
	contentDOT    = "text/vnd.graphviz; charset=utf-8"
)

type successEnvelope struct {
	Status string `json:"status"`
	Data   any    `json:"data"`
}

type failedEnvelope struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// apiError is a failed answer: an HTTP status and the envelope's message.
type apiError struct {
	code       int
	message    string
	retryAfter int // seconds, for 429
}

func (e *apiError) Error() string { return e.message }

func errorf(code int, message string) *apiError { return &apiError{code: code, message: message} }

var (
	errUnauthorized = errorf(http.StatusUnauthorized, msgUnauth)
	errForbidden    = errorf(http.StatusForbidden, msgUnauth)
	errNotLoaded    = errorf(http.StatusServiceUnavailable, "no configuration loaded yet")
)

// marshal renders v as compact JSON without HTML escaping.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// renderSuccess renders {"status":"success","data":data}.
func renderSuccess(data any) ([]byte, error) {
	return marshal(successEnvelope{Status: statusSuccess, Data: data})
}

// fail writes a failed envelope.
func (s *Server) fail(c *gin.Context, code int, message string) {
	s.writeError(c, &apiError{code: code, message: message})
}

func (s *Server) writeError(c *gin.Context, e *apiError) {
	h := c.Writer.Header()
	switch e.code {
	case http.StatusUnauthorized:
		h.Set("WWW-Authenticate", `Basic realm="astapi"`)
	case http.StatusTooManyRequests:
		if e.retryAfter > 0 {
			h.Set("Retry-After", strconv.Itoa(e.retryAfter))
		}
	case http.StatusServiceUnavailable:
		h.Set("Retry-After", "1")
	}
	h.Set("Cache-Control", "no-store")
	body, _ := marshal(failedEnvelope{Status: statusFailed, Message: e.message})
	writeJSON(c, e.code, body)
}

func writeJSON(c *gin.Context, code int, body []byte) {
	h := c.Writer.Header()
	h.Set("Content-Type", contentJSON)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.Writer.WriteHeader(code)
	_, _ = c.Writer.Write(body)
}
