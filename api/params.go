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
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/astapi/astapi/index"
)

// params are a request's parameters by name: the query string's, overridden
// by the body's. A request names one or two parameters, so a short slice
// (backed by an array in the struct) beats a map and costs no allocation.
type params struct {
	first    [4]param // no self-referencing slice, so params stays on the stack
	n        int      // used entries of first
	more     []param  // beyond the first four
	overflow bool     // more than maxParams names: refused (find is linear)
}

// maxParams bounds the distinct names of one request; the endpoints read
// at most two.
const maxParams = 100

// param is one named parameter and where it came from.
type param struct {
	name, value string
	where       string   // the source, as error messages name it
	flaw        flawKind // why it can never be valid, whatever its value says; 0: none
}

type flawKind uint8

const (
	flawType      flawKind = iota + 1 // a JSON value neither string nor number (true, null, array, object)
	flawUTF8                          // a JSON string that is not valid UTF-8
	flawDuplicate                     // given more than once in one source
)

// The media types of the usual bodies.
const (
	mimeForm = "application/x-www-form-urlencoded"
	mimeJSON = "application/json"
)

// Sources, as error messages name them.
const (
	srcQuery     = "the query string"
	srcForm      = "the form body"
	srcMultipart = "the multipart body"
	srcJSON      = "the JSON body"
)

func (p *params) find(name string) *param {
	for i := range p.n {
		if p.first[i].name == name {
			return &p.first[i]
		}
	}
	for i := range p.more {
		if p.more[i].name == name {
			return &p.more[i]
		}
	}
	return nil
}

// get returns the named parameter's raw value.
func (p *params) get(name string) (string, bool) {
	if q := p.find(name); q != nil {
		return q.value, true
	}
	return "", false
}

// add records name = value from source where. A name repeated within one
// source is flagged, whatever the values (which one is meant cannot be
// known); a later source (the body) replaces an earlier one's value and
// flaw.
func (p *params) add(where, name, value string) {
	q := p.find(name)
	if q != nil {
		if q.where == where {
			q.flaw = flawDuplicate
		} else {
			*q = param{name: name, value: value, where: where}
		}
		return
	}
	if p.n+len(p.more) >= maxParams {
		p.overflow = true
		return
	}
	if p.n < len(p.first) {
		p.first[p.n] = param{name: name, value: value, where: where}
		p.n++
		return
	}
	p.more = append(p.more, param{name: name, value: value, where: where})
}

// flag marks name (added from source where just before) as flawed; a
// duplicate stays the message.
func (p *params) flag(name string, k flawKind) {
	if q := p.find(name); q != nil && q.flaw != flawDuplicate {
		q.flaw = k
	}
}

// maxMultipartParts bounds the parts of a multipart body (each costs
// headers and a map entry even when empty).
const maxMultipartParts = 1000

// decode reads the query string and, when there is one, the body:
// application/x-www-form-urlencoded, multipart/form-data or a JSON object.
// The body must already be limited (http.MaxBytesReader); a body over the
// limit is a 413. A name repeated within one source is flagged (a 400 when
// the endpoint reads it); body values win over query values. Files of a
// multipart body are ignored.
func (p *params) decode(r *http.Request, bodies *bodyPool) *apiError {
	if err := p.decodeSources(r, bodies); err != nil {
		return err
	}
	if p.overflow {
		return errorf(http.StatusBadRequest, "too many parameters: at most "+strconv.Itoa(maxParams)+" names")
	}
	return nil
}

func (p *params) decodeSources(r *http.Request, bodies *bodyPool) *apiError {
	if r.URL != nil && r.URL.RawQuery != "" {
		if !p.addQuery(srcQuery, r.URL.RawQuery) {
			return errorf(http.StatusBadRequest, "malformed query string")
		}
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	if ce := r.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		// Not decoded: reading a compressed body as a form would give a
		// misleading 400 about its content.
		return errorf(http.StatusUnsupportedMediaType, "request bodies with a Content-Encoding are not supported: send the body uncompressed")
	}
	bb := bodies.get()
	defer bodies.put(bb)
	_, err := bb.ReadFrom(r.Body)
	body := bb.Bytes() // every value taken from it is copied (string conversions)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errorf(http.StatusRequestEntityTooLarge, "request body too large")
		}
		return errorf(http.StatusBadRequest, "cannot read request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	ct := r.Header.Get("Content-Type")
	var mt string
	var mparams map[string]string
	if ct == "" {
		mt = mimeForm
		if bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
			mt = mimeJSON
		}
	} else {
		mt, mparams, err = parseMediaType(ct)
		if err != nil {
			return errorf(http.StatusUnsupportedMediaType, "malformed Content-Type header")
		}
	}
	switch mt {
	case mimeForm:
		if !p.addQuery(srcForm, string(body)) {
			return errorf(http.StatusBadRequest, "malformed form body")
		}
		return nil
	case "multipart/form-data":
		return p.addMultipart(body, mparams["boundary"])
	case mimeJSON:
		return p.addJSON(body)
	}
	if strings.HasSuffix(mt, "+json") {
		return p.addJSON(body)
	}
	// mt is a lower-case token/token pair: safe to echo.
	return errorf(http.StatusUnsupportedMediaType, "unsupported Content-Type "+strconv.Quote(mt)+
		": use application/x-www-form-urlencoded, multipart/form-data or application/json")
}

// addQuery adds the pairs of a query string or form body, as
// url.ParseQuery reads them (a semicolon is an error, a pair without "="
// has an empty value) but without allocating when nothing is escaped. It
// reports false for a malformed one.
func (p *params) addQuery(where, raw string) bool {
	ok := true
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if strings.Contains(pair, ";") {
			ok = false
			continue
		}
		if pair == "" {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		name, err1 := queryUnescape(name)
		value, err2 := queryUnescape(value)
		if err1 != nil || err2 != nil {
			ok = false
			continue
		}
		p.add(where, name, value)
	}
	return ok
}

func queryUnescape(s string) (string, error) {
	if !strings.ContainsAny(s, "%+") {
		return s, nil
	}
	return url.QueryUnescape(s)
}

func (p *params) addMultipart(body []byte, boundary string) *apiError {
	if boundary == "" {
		return errorf(http.StatusBadRequest, "malformed multipart body: no boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for n := 0; ; n++ {
		part, err := mr.NextRawPart()
		if err == io.EOF {
			return nil
		}
		if err != nil || n >= maxMultipartParts {
			return errorf(http.StatusBadRequest, "malformed multipart body")
		}
		name := part.FormName()
		if name == "" || part.FileName() != "" {
			continue
		}
		v, err := io.ReadAll(part)
		if err != nil {
			return errorf(http.StatusBadRequest, "malformed multipart body")
		}
		p.add(srcMultipart, name, string(v))
	}
}

// addJSON reads one JSON object token by token, so that a repeated key is
// seen (encoding/json into a map would keep the last silently).
func (p *params) addJSON(body []byte) *apiError {
	bad := errorf(http.StatusBadRequest, "malformed JSON body: want one JSON object")
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return bad
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return bad
		}
		k, ok := tok.(string)
		if !ok {
			return bad
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return bad
		}
		switch raw[0] { // a decoded value is never empty
		case '"':
			var v string
			if json.Unmarshal(raw, &v) != nil {
				return bad
			}
			p.add(srcJSON, k, v)
			if !utf8.Valid(raw) {
				// encoding/json replaced the bad bytes with U+FFFD.
				p.flag(k, flawUTF8)
			}
		case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			p.add(srcJSON, k, string(raw)) // the number's literal text: 80, 8e1, -1, 80.0
		default:
			p.add(srcJSON, k, "")
			p.flag(k, flawType)
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return bad
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad
	}
	return nil
}

// paramKind is how a parameter is validated and normalised.
type paramKind int

const (
	kindID     paramKind = iota // positive decimal integer
	kindEmail                   // an e-mail address
	kindFormat                  // the graph's format: dot (the default) or svg
)

type paramSpec struct {
	name string
	kind paramKind
}

func (ps paramSpec) parse(p *params) (string, *apiError) {
	switch ps.kind {
	case kindEmail:
		return emailParam(p, ps.name)
	case kindFormat:
		return graphFormat(p, ps.name)
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
	return errorf(http.StatusBadRequest, "invalid parameter: "+name+" must be a positive integer (at most 9007199254740991)")
}

// lookup returns the named parameter's value without surrounding blanks,
// or the error for a missing, flawed, non-UTF-8 or blank one. invalid is
// the kind's own "malformed" error.
func (p *params) lookup(name string, invalid func(string) *apiError) (string, *apiError) {
	q := p.find(name)
	if q == nil {
		return "", missing(name)
	}
	v := q.value
	switch q.flaw {
	case 0:
	case flawDuplicate:
		return "", errorf(http.StatusBadRequest, "duplicate parameter: "+name+" is given more than once in "+q.where)
	case flawUTF8:
		return "", notUTF8(name)
	default:
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

// canonicalID reports whether s is ASCII digits denoting 1..index.MaxID, and
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
	if err != nil || n <= 0 || n > index.MaxID {
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

// bodyPool recycles the buffers request bodies are read into (a Server
// has one). A nil pool hands out fresh buffers.
type bodyPool struct{ pool sync.Pool }

// maxPooledBody: a buffer grown beyond this by a big body is left to the
// garbage collector rather than kept.
const maxPooledBody = 64 << 10

func (bp *bodyPool) get() *bytes.Buffer {
	if bp != nil {
		if b, ok := bp.pool.Get().(*bytes.Buffer); ok {
			return b
		}
	}
	return new(bytes.Buffer)
}

func (bp *bodyPool) put(b *bytes.Buffer) {
	if bp == nil || b.Cap() > maxPooledBody {
		return
	}
	b.Reset()
	bp.pool.Put(b)
}

// parseMediaType is mime.ParseMediaType with a fast path for the Content-Type
// values clients send nearly always (a bare form or JSON type, with or
// without "; charset=utf-8"): those need neither a parameter map nor the
// general parser.
func parseMediaType(ct string) (string, map[string]string, error) {
	mt, rest, _ := strings.Cut(ct, ";")
	mt = strings.TrimSpace(mt)
	rest = strings.TrimSpace(rest)
	if rest == "" || strings.EqualFold(rest, "charset=utf-8") {
		for _, known := range [...]string{mimeForm, mimeJSON} {
			if strings.EqualFold(mt, known) {
				return known, nil, nil
			}
		}
	}
	return mime.ParseMediaType(ct)
}
