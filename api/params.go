package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// params are a request's parameters by name: the query string's, overridden
// by the body's.
type params struct {
	vals map[string]string
	// bad names JSON values that are neither a string nor a number (true,
	// null, arrays, objects): present, but never a valid parameter. Nil
	// until one is seen.
	bad map[string]bool
}

func (p *params) set(name, value string) {
	p.vals[name] = value
	delete(p.bad, name)
}

func (p *params) setBad(name string) {
	if p.bad == nil {
		p.bad = map[string]bool{}
	}
	p.vals[name] = ""
	p.bad[name] = true
}

// maxMultipartParts bounds the parts of a multipart body (each costs
// headers and a map entry even when empty).
const maxMultipartParts = 1000

// decodeParams reads the query string and, when there is one, the body:
// application/x-www-form-urlencoded, multipart/form-data or a JSON object.
// The body must already be limited (http.MaxBytesReader); a body over the
// limit is a 413. The first of repeated names wins within a source; body
// values win over query values. Files of a multipart body are ignored.
func decodeParams(r *http.Request) (*params, *apiError) {
	p := &params{vals: make(map[string]string, 4)}
	if r.URL != nil && r.URL.RawQuery != "" {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return p, errorf(http.StatusBadRequest, "malformed query string")
		}
		for k, v := range q {
			p.set(k, v[0])
		}
	}
	if r.Body == nil || r.Body == http.NoBody {
		return p, nil
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return p, errorf(http.StatusRequestEntityTooLarge, "request body too large")
		}
		return p, errorf(http.StatusBadRequest, "cannot read request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return p, nil
	}
	ct := r.Header.Get("Content-Type")
	var mt string
	var mparams map[string]string
	if ct == "" {
		mt = "application/x-www-form-urlencoded"
		if bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
			mt = "application/json"
		}
	} else {
		mt, mparams, err = mime.ParseMediaType(ct)
		if err != nil {
			return p, errorf(http.StatusUnsupportedMediaType, "malformed Content-Type")
		}
	}
	switch {
	case mt == "application/x-www-form-urlencoded":
		return p, decodeForm(p, body)
	case mt == "multipart/form-data":
		return p, decodeMultipart(p, body, mparams["boundary"])
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return p, decodeJSON(p, body)
	}
	return p, errorf(http.StatusUnsupportedMediaType,
		"unsupported Content-Type: use application/x-www-form-urlencoded, multipart/form-data or application/json")
}

func decodeForm(p *params, body []byte) *apiError {
	f, err := url.ParseQuery(string(body))
	if err != nil {
		return errorf(http.StatusBadRequest, "malformed form body")
	}
	for k, v := range f {
		p.set(k, v[0])
	}
	return nil
}

func decodeMultipart(p *params, body []byte, boundary string) *apiError {
	if boundary == "" {
		return errorf(http.StatusBadRequest, "malformed multipart body: no boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	seen := map[string]bool{}
	for n := 0; ; n++ {
		part, err := mr.NextRawPart()
		if err == io.EOF {
			return nil
		}
		if err != nil || n >= maxMultipartParts {
			return errorf(http.StatusBadRequest, "malformed multipart body")
		}
		name := part.FormName()
		if name == "" || part.FileName() != "" || seen[name] {
			continue
		}
		v, err := io.ReadAll(part)
		if err != nil {
			return errorf(http.StatusBadRequest, "malformed multipart body")
		}
		seen[name] = true
		p.set(name, string(v))
	}
}

func decodeJSON(p *params, body []byte) *apiError {
	bad := errorf(http.StatusBadRequest, "malformed JSON body: want one JSON object")
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]json.RawMessage
	if err := dec.Decode(&m); err != nil || m == nil {
		return bad
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad
	}
	for k, raw := range m {
		raw = bytes.TrimSpace(raw)
		switch {
		case len(raw) > 0 && raw[0] == '"':
			var s string
			if json.Unmarshal(raw, &s) != nil {
				return bad
			}
			p.set(k, s)
		case len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9'):
			p.set(k, string(raw)) // the number's literal text: 80, 8e1, -1, 80.0
		default:
			p.setBad(k)
		}
	}
	return nil
}

// paramKind is how a parameter is validated and normalised.
type paramKind int

const (
	kindID    paramKind = iota // positive decimal integer
	kindEmail                  // an e-mail address
)

type paramSpec struct {
	name string
	kind paramKind
}

func (ps paramSpec) parse(p *params) (string, *apiError) {
	if ps.kind == kindEmail {
		return emailParam(p, ps.name)
	}
	return idParam(p, ps.name)
}

func missing(name string) *apiError {
	return errorf(http.StatusBadRequest, "missing parameter: "+name)
}

func blank(name string) *apiError {
	return errorf(http.StatusBadRequest, "blank parameter: "+name)
}

func invalidID(name string) *apiError {
	return errorf(http.StatusBadRequest, "invalid parameter: "+name+" must be a positive integer")
}

// idParam returns the named ID parameter in canonical form (no sign, no
// leading zeros). Surrounding blanks are trimmed.
func idParam(p *params, name string) (string, *apiError) {
	v, ok := p.vals[name]
	if !ok {
		return "", missing(name)
	}
	if p.bad[name] {
		return "", invalidID(name)
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return "", blank(name)
	}
	id, ok := canonicalID(v)
	if !ok {
		return "", invalidID(name)
	}
	return id, nil
}

// canonicalID reports whether s is ASCII digits denoting 1..2^63-1, and
// returns it without leading zeros.
func canonicalID(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return "", false
	}
	if s[0] != '0' {
		return s, true
	}
	return strconv.FormatInt(n, 10), true
}

const maxEmailLen = 254

// emailParam returns the named e-mail parameter, lower-cased.
func emailParam(p *params, name string) (string, *apiError) {
	v, ok := p.vals[name]
	if !ok {
		return "", missing(name)
	}
	invalid := errorf(http.StatusBadRequest, "invalid parameter: "+name+" must be an e-mail address")
	if p.bad[name] {
		return "", invalid
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return "", blank(name)
	}
	v = strings.ToLower(v)
	if !validEmail(v) {
		return "", invalid
	}
	return v, nil
}

func validEmail(v string) bool {
	if len(v) > maxEmailLen || !utf8.ValidString(v) {
		return false
	}
	for _, r := range v {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError {
			return false
		}
	}
	at := strings.IndexByte(v, '@')
	return at > 0 && at < len(v)-1 && strings.Count(v, "@") == 1
}
