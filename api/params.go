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
	// flaws names parameters that are present but can never be valid,
	// whatever their value says. Nil until one is seen.
	flaws map[string]flaw
}

// flaw is why a present parameter is refused.
type flaw struct {
	kind  flawKind
	where string // flawDuplicate: the source it was repeated in
}

type flawKind uint8

const (
	flawType      flawKind = iota + 1 // a JSON value neither string nor number (true, null, array, object)
	flawUTF8                          // a JSON string that is not valid UTF-8
	flawDuplicate                     // given more than once in one source
)

// Sources, as error messages name them.
const (
	srcQuery     = "the query string"
	srcForm      = "the form body"
	srcMultipart = "the multipart body"
	srcJSON      = "the JSON body"
)

// source collects one source's parameters; merged into params at the end
// so that a body value replaces a query value and its flaws.
type source struct {
	where string
	vals  map[string]string
	flaws map[string]flaw
}

func newSource(where string) *source {
	return &source{where: where, vals: make(map[string]string, 4)}
}

// add records name = value; a repeated name is flagged, whatever the
// values (which one is meant cannot be known).
func (s *source) add(name, value string) {
	if _, dup := s.vals[name]; dup {
		s.flag(name, flawDuplicate)
		return
	}
	s.vals[name] = value
}

func (s *source) flag(name string, k flawKind) {
	if s.flaws == nil {
		s.flaws = map[string]flaw{}
	}
	if _, seen := s.vals[name]; !seen {
		s.vals[name] = ""
	}
	if s.flaws[name].kind == flawDuplicate {
		return // the duplicate is the message
	}
	s.flaws[name] = flaw{kind: k, where: s.where}
}

// merge lays s over p: each of s's names replaces p's value and flaw.
func (p *params) merge(s *source) {
	for k, v := range s.vals {
		p.vals[k] = v
		delete(p.flaws, k)
	}
	for k, f := range s.flaws {
		if p.flaws == nil {
			p.flaws = map[string]flaw{}
		}
		p.flaws[k] = f
	}
}

// maxMultipartParts bounds the parts of a multipart body (each costs
// headers and a map entry even when empty).
const maxMultipartParts = 1000

// decodeParams reads the query string and, when there is one, the body:
// application/x-www-form-urlencoded, multipart/form-data or a JSON object.
// The body must already be limited (http.MaxBytesReader); a body over the
// limit is a 413. A name repeated within one source is flagged (a 400 when
// the endpoint reads it); body values win over query values. Files of a
// multipart body are ignored.
func decodeParams(r *http.Request) (*params, *apiError) {
	p := &params{vals: make(map[string]string, 4)}
	if r.URL != nil && r.URL.RawQuery != "" {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return p, errorf(http.StatusBadRequest, "malformed query string")
		}
		p.merge(fromValues(srcQuery, q))
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
			return p, errorf(http.StatusUnsupportedMediaType, "malformed Content-Type header")
		}
	}
	var src *source
	var aerr *apiError
	switch {
	case mt == "application/x-www-form-urlencoded":
		src, aerr = decodeForm(body)
	case mt == "multipart/form-data":
		src, aerr = decodeMultipart(body, mparams["boundary"])
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		src, aerr = decodeJSON(body)
	default:
		// mt is a lower-case token/token pair: safe to echo.
		return p, errorf(http.StatusUnsupportedMediaType, "unsupported Content-Type "+strconv.Quote(mt)+
			": use application/x-www-form-urlencoded, multipart/form-data or application/json")
	}
	if aerr != nil {
		return p, aerr
	}
	p.merge(src)
	return p, nil
}

// fromValues is a parsed query string or form as a source.
func fromValues(where string, vs url.Values) *source {
	s := newSource(where)
	for k, v := range vs {
		s.add(k, v[0])
		if len(v) > 1 {
			s.flag(k, flawDuplicate)
		}
	}
	return s
}

func decodeForm(body []byte) (*source, *apiError) {
	f, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "malformed form body")
	}
	return fromValues(srcForm, f), nil
}

func decodeMultipart(body []byte, boundary string) (*source, *apiError) {
	if boundary == "" {
		return nil, errorf(http.StatusBadRequest, "malformed multipart body: no boundary")
	}
	s := newSource(srcMultipart)
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for n := 0; ; n++ {
		part, err := mr.NextRawPart()
		if err == io.EOF {
			return s, nil
		}
		if err != nil || n >= maxMultipartParts {
			return nil, errorf(http.StatusBadRequest, "malformed multipart body")
		}
		name := part.FormName()
		if name == "" || part.FileName() != "" {
			continue
		}
		v, err := io.ReadAll(part)
		if err != nil {
			return nil, errorf(http.StatusBadRequest, "malformed multipart body")
		}
		s.add(name, string(v))
	}
}

// decodeJSON reads one JSON object token by token, so that a repeated key
// is seen (encoding/json into a map would keep the last silently).
func decodeJSON(body []byte) (*source, *apiError) {
	bad := errorf(http.StatusBadRequest, "malformed JSON body: want one JSON object")
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, bad
	}
	s := newSource(srcJSON)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, bad
		}
		k, ok := tok.(string)
		if !ok {
			return nil, bad
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, bad
		}
		switch {
		case len(raw) > 0 && raw[0] == '"':
			var v string
			if json.Unmarshal(raw, &v) != nil {
				return nil, bad
			}
			s.add(k, v)
			if !utf8.Valid(raw) {
				// encoding/json replaced the bad bytes with U+FFFD.
				s.flag(k, flawUTF8)
			}
		case len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9'):
			s.add(k, string(raw)) // the number's literal text: 80, 8e1, -1, 80.0
		default:
			s.add(k, "")
			s.flag(k, flawType)
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, bad
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, bad
	}
	return s, nil
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

// maxID is the largest ID a request may name: 2^53-1, the largest integer
// a JavaScript client holds exactly (derived IDs stay below it).
const maxID = 1<<53 - 1

func invalidID(name string) *apiError {
	return errorf(http.StatusBadRequest, "invalid parameter: "+name+" must be a positive integer (at most 9007199254740991)")
}

// lookup returns the named parameter's value without surrounding blanks,
// or the error for a missing, flawed, non-UTF-8 or blank one. invalid is
// the kind's own "malformed" error.
func (p *params) lookup(name string, invalid func(string) *apiError) (string, *apiError) {
	v, ok := p.vals[name]
	if !ok {
		return "", missing(name)
	}
	if f, ok := p.flaws[name]; ok {
		switch f.kind {
		case flawDuplicate:
			return "", errorf(http.StatusBadRequest, "duplicate parameter: "+name+" is given more than once in "+f.where)
		case flawUTF8:
			return "", notUTF8(name)
		}
		return "", invalid(name)
	}
	if !utf8.ValidString(v) {
		return "", notUTF8(name)
	}
	if v = strings.TrimSpace(v); v == "" {
		return "", blank(name)
	}
	return v, nil
}

func notUTF8(name string) *apiError {
	return errorf(http.StatusBadRequest, "invalid parameter: "+name+" is not valid UTF-8")
}

// idParam returns the named ID parameter in canonical form (no sign, no
// leading zeros). Surrounding blanks are trimmed.
func idParam(p *params, name string) (string, *apiError) {
	v, err := p.lookup(name, invalidID)
	if err != nil {
		return "", err
	}
	id, ok := canonicalID(v)
	if !ok {
		return "", invalidID(name)
	}
	return id, nil
}

// canonicalID reports whether s is ASCII digits denoting 1..maxID, and
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
	if err != nil || n <= 0 || n > maxID {
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
	v, err := p.lookup(name, invalidEmail)
	if err != nil {
		return "", err
	}
	v = strings.ToLower(v)
	if !validEmail(v) {
		return "", invalidEmail(name)
	}
	return v, nil
}

func invalidEmail(name string) *apiError {
	return errorf(http.StatusBadRequest, "invalid parameter: "+name+" must be an e-mail address")
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
