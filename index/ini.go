package index

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/crypto/bcrypt"
	"gopkg.in/ini.v1"

	"github.com/astapi/astapi/internal/safefile"
	"github.com/astapi/astapi/parser"
)

// tenantDecl is a [tenant KEY] section of astapi.ini.
type tenantDecl struct {
	key, pin, name, code string
	contexts, peers      []string // globs
}

func (d tenantDecl) equal(e tenantDecl) bool {
	return d.key == e.key && d.pin == e.pin && d.name == e.name && d.code == e.code &&
		slices.Equal(d.contexts, e.contexts) && slices.Equal(d.peers, e.peers)
}

// iniConfig is astapi.ini after validation.
type iniConfig struct {
	path    string
	digest  [sha256.Size]byte // of the content read
	server  Server
	tenants []tenantDecl
	users   []*User  // Tenants holds tenant keys until IDs are known
	userPin []string // pinned IDs, parallel to users
	warns   []string // non-fatal remarks
}

// ErrINISyntax is wrapped by the error about a line of astapi.ini that is
// not INI at all.
var ErrINISyntax = errors.New("syntax error")

// maxINIBytes bounds astapi.ini: a real one is a few KiB per tenant.
const maxINIBytes = 16 << 20

// loadINI reads astapi.ini with gopkg.in/ini.v1. Every problem is an error
// naming the section, because a half-understood user file must not be
// served.
func loadINI(path string) (*iniConfig, error) { return loadINIFrom(path, nil) }

// loadINIFrom is loadINI, giving back prev (never changed once made) when
// the file is prev's and holds the same bytes: a 10k-tenant astapi.ini
// takes ini.v1 a tenth of a second to read.
func loadINIFrom(path string, prev *iniConfig) (*iniConfig, error) {
	data, err := safefile.ReadFile(path, maxINIBytes)
	if err != nil {
		return nil, err
	}
	if prev != nil && sha256.Sum256(data) == prev.digest {
		if abs, err := filepath.Abs(path); err == nil && abs == prev.path {
			return prev, nil
		}
	}
	opts := ini.LoadOptions{SpaceBeforeInlineComment: true}
	f, err := ini.LoadSources(opts, data)
	if err != nil {
		// ini.v1's message quotes the line, which may be a password: say
		// where and what, never the line itself.
		return nil, fmt.Errorf("%s:%d: %w: not a [section] header, a key = value line or a comment", path, iniErrorLine(data, opts, err), ErrINISyntax)
	}
	abs, _ := filepath.Abs(path)
	c := &iniConfig{path: abs, digest: sha256.Sum256(data), server: Server{Listen: "127.0.0.1:8080", Limits: DefaultLimits()}}
	var errs []string
	fail := func(section, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("[%s]: %s", section, fmt.Sprintf(format, args...)))
	}
	for _, s := range f.Sections() {
		name := s.Name()
		kind, key, _ := strings.Cut(name, " ")
		key = strings.TrimSpace(key)
		switch {
		case name == ini.DefaultSection:
			if len(s.Keys()) > 0 {
				fail("top", "settings before any [section]: %s", strings.Join(s.KeyStrings(), ", "))
			}
		case name == "server":
			if v := s.Key("listen").String(); v != "" {
				c.server.Listen = v
			}
			c.server.Name = s.Key("name").MustString("default")
			switch d := strings.ToLower(s.Key("discover").String()); d {
			case "", DiscoverSingle, DiscoverCode, DiscoverContexts:
				c.server.Discover = d
			default:
				fail(name, "discover %q must be single, code or contexts", d)
			}
			dir := s.Key("asterisk_dir").String()
			if dir == "" {
				fail(name, "asterisk_dir is required")
				continue
			}
			if !filepath.IsAbs(dir) {
				dir = filepath.Join(filepath.Dir(abs), dir)
			}
			c.server.AsteriskDir = filepath.Clean(dir)
			if r := s.Key("region").String(); r != "" {
				if !isRegion(r) {
					fail(name, "region %q is not a two-letter ISO 3166 country code (CA, US, FR…)", r)
				}
				c.server.Region = strings.ToUpper(r)
			}
			for _, r := range splitList(s.Key("include_roots").String()) {
				if !filepath.IsAbs(r) {
					r = filepath.Join(filepath.Dir(abs), r)
				}
				c.server.IncludeRoots = append(c.server.IncludeRoots, filepath.Clean(r))
			}
			var lerrs []string
			c.server.Limits, lerrs = parseLimits(func(k string) string { return s.Key(k).String() })
			for _, e := range lerrs {
				fail(name, "%s", e)
			}
		case kind == "tenant" && key != "":
			t := tenantDecl{key: key, pin: s.Key("id").String(), name: s.Key("name").String(),
				code: s.Key("code").String(), contexts: splitList(s.Key("contexts").String()), peers: splitList(s.Key("peers").String())}
			if t.name == "" {
				t.name = key
			}
			if t.pin != "" && !validID(t.pin) {
				fail(name, "id %q is not a decimal integer in 1..%d", t.pin, MaxID)
			}
			for _, g := range append(append([]string{}, t.contexts...), t.peers...) {
				if _, err := filepath.Match(g, ""); err != nil {
					fail(name, "bad glob %q: %v", g, err)
				}
			}
			c.tenants = append(c.tenants, t)
		case kind == "user" && key != "":
			u := &User{Name: key, Email: s.Key("email").String(), Role: Role(strings.ToLower(s.Key("role").MustString("tenant"))),
				Secrets: parser.IsTrue(s.Key("secrets").String()), Tenants: splitList(s.Key("tenants").String())}
			pin := s.Key("id").String()
			if pin != "" && !validID(pin) {
				fail(name, "id %q is not a decimal integer in 1..%d", pin, MaxID)
			}
			hash := s.Key("password").String()
			switch {
			case hash == "":
				fail(name, "password is required (a bcrypt hash: astapi hash-password)")
			case !isBcrypt(hash):
				fail(name, "password is not a bcrypt hash: plaintext passwords are refused (make one with astapi hash-password)")
			default:
				u.PasswordHash = []byte(hash)
			}
			if u.Role != RoleAdmin && u.Role != RoleTenant {
				fail(name, "role %q must be admin or tenant", u.Role)
			}
			c.users = append(c.users, u)
			c.userPin = append(c.userPin, pin)
		default:
			c.warns = append(c.warns, fmt.Sprintf("[%s]: unknown section ignored", name))
		}
	}
	if c.server.AsteriskDir == "" && !hasServer(f) {
		fail("server", "section missing: asterisk_dir is required")
	}
	known := map[string]bool{}
	pins := map[string]string{}
	for _, t := range c.tenants {
		if known[t.key] {
			fail("tenant "+t.key, "tenant declared twice")
		}
		known[t.key] = true
		if t.pin != "" {
			if other, dup := pins[t.pin]; dup {
				fail("tenant "+t.key, "id %s is also pinned by [tenant %s]", t.pin, other)
			}
			pins[t.pin] = t.key
		}
	}
	emails := map[string]string{}
	upins := map[string]string{}
	for i, u := range c.users {
		for _, t := range u.Tenants {
			if !known[t] && len(c.tenants) > 0 {
				fail("user "+u.Name, "tenants names unknown tenant %q", t)
			}
		}
		if u.Role == RoleTenant && len(u.Tenants) == 0 {
			c.warns = append(c.warns, fmt.Sprintf("[user %s]: tenant user without tenants sees nothing", u.Name))
		}
		if u.Email != "" {
			if other, dup := emails[lower(u.Email)]; dup {
				fail("user "+u.Name, "email %s is also used by [user %s]", u.Email, other)
			}
			emails[lower(u.Email)] = u.Name
		}
		if p := c.userPin[i]; p != "" {
			if other, dup := upins[p]; dup {
				fail("user "+u.Name, "id %s is also pinned by [user %s]", p, other)
			}
			upins[p] = u.Name
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s: %s", path, strings.Join(errs, "; "))
	}
	return c, nil
}

func hasServer(f *ini.File) bool {
	_, err := f.GetSection("server")
	return err == nil
}

func isBcrypt(h string) bool {
	if !(strings.HasPrefix(h, "$2a$") || strings.HasPrefix(h, "$2b$") || strings.HasPrefix(h, "$2y$")) {
		return false
	}
	_, err := bcrypt.Cost([]byte(h))
	return err == nil
}

// isRegion reports whether s looks like an ISO 3166-1 alpha-2 code.
func isRegion(s string) bool {
	if len(s) != 2 {
		return false
	}
	for i := 0; i < 2; i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// validID reports whether s is a decimal integer in 1..MaxID.
func validID(s string) bool {
	n, err := strconv.ParseUint(s, 10, 64)
	return err == nil && n > 0 && n <= MaxID && !strings.HasPrefix(s, "+") && !strings.HasPrefix(s, "0")
}

// iniErrorLine finds the line a gopkg.in/ini.v1 syntax error is about
// (ini.v1 gives no line numbers): the shortest prefix of whole lines that
// ini.v1 refuses with the same message ends there. Only run on a failed
// load, so the few extra parses (a binary search) cost nothing in the
// common case.
func iniErrorLine(data []byte, opts ini.LoadOptions, loadErr error) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	sameError := func(k int) bool {
		_, err := ini.LoadSources(opts, bytes.Join(lines[:k], nil))
		return err != nil && err.Error() == loadErr.Error()
	}
	return sort.Search(len(lines), func(k int) bool { return k > 0 && sameError(k) })
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
