package api

import (
	"crypto/sha256"
	_ "embed"
	"net/http"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/astapi/astapi/index"
)

// healthz: the process is up. No credentials.
func (s *Server) healthz(c *gin.Context) {
	c.Writer.Header().Set("Cache-Control", "no-store")
	writeJSON(c, http.StatusOK, []byte(`{"status":"ok"}`))
}

// readyz: a configuration is loaded and served. No credentials.
func (s *Server) readyz(c *gin.Context) {
	if s.store.Current() == nil {
		s.writeError(c, errNotLoaded)
		return
	}
	c.Writer.Header().Set("Cache-Control", "no-store")
	writeJSON(c, http.StatusOK, []byte(`{"status":"ok"}`))
}

//go:embed openapi.json
var openapiJSON []byte

var openapiETag = func() string {
	sum := sha256.Sum256(openapiJSON)
	return quoteTag(sum[:])
}()

// openapi serves the OpenAPI 3.0 description. No credentials.
func (s *Server) openapi(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("ETag", openapiETag)
	h.Set("Cache-Control", "public, max-age=300")
	if etagMatches(c.Request.Header.Get("If-None-Match"), openapiETag) {
		c.Writer.WriteHeader(http.StatusNotModified)
		c.Writer.WriteHeaderNow()
		return
	}
	writeJSON(c, http.StatusOK, openapiJSON)
}

type statusData struct {
	Generation      uint64             `json:"generation"`
	BuiltAt         string             `json:"built_at"`
	BuildDurationMS float64            `json:"build_duration_ms"`
	Files           []string           `json:"files"`
	LastReload      *lastReload        `json:"last_reload"`
	Reloading       *reloading         `json:"reloading"`
	Diagnostics     []statusDiagnostic `json:"diagnostics"`
}

type lastReload struct {
	At         string  `json:"at"`
	Success    bool    `json:"success"`
	Error      string  `json:"error"`
	DurationMS float64 `json:"duration_ms"`
	Generation uint64  `json:"generation"`
}

// reloading is a build under way, or stuck past its reload_timeout.
type reloading struct {
	Since       string  `json:"since"`
	RunningMS   float64 `json:"running_ms"`
	PastTimeout bool    `json:"past_timeout"`
}

type statusDiagnostic struct {
	Severity string `json:"severity"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Message  string `json:"message"`
}

// msgReloadFailed is a tenant user's view of a failed reload: why it
// failed may be about other tenants' files.
const msgReloadFailed = "reload failed; the last good configuration is served (an administrator's /status says why)"

// status describes the served snapshot and the last reload attempt. Any
// valid user may read it. An admin sees everything; a tenant user sees
// only the files and diagnostics that belong wholly to their tenants (see
// index.Snapshot.DiagTenants), and not why a reload failed. Messages
// quote no configuration line; known secrets are masked all the same,
// and host directories are cut from every path.
func (s *Server) status(c *gin.Context) {
	snap, u, ok := s.authorizeCurrent(c)
	if !ok {
		return
	}
	body, err := renderSuccess(s.statusReport(snap, u))
	if err != nil {
		s.writeError(c, errorf(http.StatusInternalServerError, "internal error"))
		return
	}
	c.Writer.Header().Set("Cache-Control", "no-store")
	writeJSON(c, http.StatusOK, body)
}

// statusReport is the data of /status for snap as user u may see it.
func (s *Server) statusReport(snap *index.Snapshot, u *index.User) statusData {
	red := s.redact.forSnapshot(snap)
	admin := u.IsAdmin()
	d := statusData{
		Generation:      snap.Generation,
		BuiltAt:         timeString(snap.BuiltAt),
		BuildDurationMS: millis(snap.BuildDuration),
		Files:           visibleFiles(snap, u),
		Diagnostics:     []statusDiagnostic{},
	}
	diags := snap.Diags
	if last := s.store.LastReload(); last != nil {
		lr := &lastReload{
			At:         timeString(last.At),
			Success:    last.Success,
			DurationMS: millis(last.Duration),
			Generation: last.Generation,
		}
		if last.Err != nil {
			lr.Error = msgReloadFailed
			if admin {
				lr.Error = trimDirs(maskAssignments(red.Replace(last.Err.Error())))
			}
		}
		// The failed attempt's diagnostics are about files the served
		// snapshot may not map to tenants: only admins get them.
		if last.Diags != nil && (admin || last.Success) {
			diags = last.Diags
		}
		d.LastReload = lr
	}
	if since, running := s.store.Running(); running {
		took := s.opts.Now().Sub(since)
		d.Reloading = &reloading{Since: timeString(since), RunningMS: millis(took), PastTimeout: took > snap.ReloadTimeout()}
	}
	for _, x := range diags {
		if !admin && !snap.OnlyTenantsOf(u, x.Pos) {
			continue
		}
		d.Diagnostics = append(d.Diagnostics, statusDiagnostic{
			Severity: x.Severity.String(),
			File:     trimDirs(x.Pos.File),
			Line:     x.Pos.Line,
			Message:  trimDirs(maskAssignments(red.Replace(x.Message))),
		})
	}
	return d
}

func timeString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// visibleFiles lists the snapshot's files u may see, relative to
// astapi.ini's directory or asterisk_dir when they lie below either, else
// by name alone (where they live on the host is not the API users'
// business). A tenant user sees only the files whose sections all belong
// to their tenants.
func visibleFiles(snap *index.Snapshot, u *index.User) []string {
	out := make([]string, 0, len(snap.Files))
	var bases []string
	if snap.ConfigFile != "" {
		bases = append(bases, filepath.Dir(snap.ConfigFile))
	}
	if snap.Server.AsteriskDir != "" {
		bases = append(bases, snap.Server.AsteriskDir)
	}
	for _, f := range snap.Files {
		name := filepath.Base(f)
		for _, base := range bases {
			if r, err := filepath.Rel(base, f); err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) {
				name = filepath.ToSlash(r)
				break
			}
		}
		if !u.IsAdmin() && !ownFile(snap, u, f) {
			continue
		}
		out = append(out, name)
	}
	return out
}

// ownFile reports whether every section of file f (absolute) that
// belongs to a tenant belongs to one of u's, and one does.
func ownFile(snap *index.Snapshot, u *index.User, f string) bool {
	rel := f
	if d := snap.Server.AsteriskDir; d != "" {
		if r, err := filepath.Rel(d, f); err == nil {
			rel = filepath.ToSlash(r)
		}
	}
	owners := snap.Owners()
	marks, ok := owners[rel]
	if !ok {
		marks = owners[f]
	}
	mine := false
	for _, m := range marks {
		for _, t := range m.Tenants {
			if !u.CanSeeTenant(t) {
				return false
			}
			mine = true
		}
	}
	return mine
}

// redactor masks the SIP secrets of a snapshot in free text, with a
// replacer built once per snapshot.
type redactor struct {
	mu   sync.Mutex
	snap *index.Snapshot
	r    *strings.Replacer
}

// minSecretLen: shorter secrets are not masked (masking "1" would mangle
// every line number).
const minSecretLen = 4

const mask = "********"

func (r *redactor) forSnapshot(snap *index.Snapshot) *strings.Replacer {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.snap != snap {
		r.snap, r.r = snap, secretReplacer(snap)
	}
	return r.r
}

func secretReplacer(snap *index.Snapshot) *strings.Replacer {
	seen := map[string]bool{}
	var secrets []string
	add := func(p *index.Peer) {
		if len(p.Secret) >= minSecretLen && !seen[p.Secret] {
			seen[p.Secret] = true
			secrets = append(secrets, p.Secret)
		}
	}
	for _, e := range snap.Extensions {
		for _, p := range e.Peers {
			add(p)
		}
	}
	for _, p := range snap.Trunks {
		add(p)
	}
	// Longest first: the replacer tries its pairs in order.
	sort.Slice(secrets, func(i, j int) bool {
		if len(secrets[i]) != len(secrets[j]) {
			return len(secrets[i]) > len(secrets[j])
		}
		return secrets[i] < secrets[j]
	})
	pairs := make([]string, 0, 2*len(secrets))
	for _, x := range secrets {
		pairs = append(pairs, x, mask)
	}
	return strings.NewReplacer(pairs...)
}

// absPath is an absolute path at the start of a message or after a blank,
// quote or parenthesis, up to its last element.
var absPath = regexp.MustCompile(`(^|[\s"'(])/(?:[^/\s:"']+/)*([^/\s:"']+)`)

// trimDirs shortens absolute paths in a reload error to their file name:
// /status is for any API user, and where astapi's files live on the host
// is not theirs to know (the log keeps the whole path).
func trimDirs(msg string) string {
	return absPath.ReplaceAllString(msg, "${1}${2}")
}

// Redact masks the snapshot's known SIP secrets in msg (for log lines about
// a reload), and any value given to a secret-bearing key. snap may be nil.
func Redact(snap *index.Snapshot, msg string) string {
	if snap != nil {
		msg = secretReplacer(snap).Replace(msg)
	}
	return maskAssignments(msg)
}

// Secrets the snapshot does not hold (a PJSIP outbound_auth password, a
// register => line, a line the parser skipped) cannot be masked by value;
// these patterns mask them where a message quotes them with their key:
// key=value, key => value, a quoted line "key value", and the password of
// register => user:password@host. A value may be quoted, escaped or hold
// blanks, so everything after the key up to the end of the line is
// masked: a diagnostic loses its tail rather than leak part of a secret.
const secretKeys = `(?:secret|md5secret|remotesecret|vmsecret|password|md5_cred|auth_pass)`

var (
	secretAssignment  = regexp.MustCompile(`(?i)(\b` + secretKeys + `\s*=>?[ \t]*)[^\n]+`)
	secretQuotedLine  = regexp.MustCompile(`(?i)("\s*` + secretKeys + `[ \t]+)[^\n]+`)
	registerPassword  = regexp.MustCompile(`(?i)(\bregister\s*=>\s*[^:\s;"]+:)[^@\s;"]+`)
	maskedReplacement = "${1}" + mask
)

// maskAssignments masks the values of secret-bearing keys in msg.
func maskAssignments(msg string) string {
	if !strings.ContainsAny(msg, "=\"") {
		return msg
	}
	for _, re := range []*regexp.Regexp{secretAssignment, secretQuotedLine, registerPassword} {
		msg = re.ReplaceAllString(msg, maskedReplacement)
	}
	return msg
}
