package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/astapi/astapi/index"
)

// iniDoc is what `astapi init` writes into astapi.ini.
type iniDoc struct {
	out, dir, listen, discover string
	name                       string   // [server] name: the one tenant's
	roots                      []string // include_roots
	admin, hash                string   // the admin user and its bcrypt hash
	sections                   []index.TenantSection
	unwritten                  string // why sections could not be written, if so
	found                      *index.Snapshot
}

// iniWriter accumulates astapi.ini lines; the first value that cannot be
// written so that gopkg.in/ini.v1 reads it back unchanged is kept in err.
type iniWriter struct {
	b        strings.Builder
	err      error
	inTenant bool // writing the [tenant] sections
}

func (w *iniWriter) line(s string) { w.b.WriteString(s + "\n") }

// fail keeps the first error; inside a [tenant] section it is an
// unwritableError (the file is then written without them).
func (w *iniWriter) fail(err error) {
	if w.err != nil {
		return
	}
	if w.inTenant {
		err = &unwritableError{err}
	}
	w.err = err
}

// kv writes "key = value ; comment", aligned.
func (w *iniWriter) kv(key, value, comment string) {
	v, err := iniValue(value)
	if err != nil {
		w.fail(fmt.Errorf("%s = %q: %w", key, value, err))
	}
	s := fmt.Sprintf("%-8s = %s", key, v)
	if comment != "" {
		s = fmt.Sprintf("%-34s ; %s", s, comment)
	}
	w.line(s)
}

// list writes a comma-separated list value.
func (w *iniWriter) list(key string, items []string, comment string) {
	for _, it := range items {
		if strings.Contains(it, ",") || it != strings.TrimSpace(it) || it == "" {
			w.fail(fmt.Errorf("%s: %q cannot be a list item (commas, surrounding blanks)", key, it))
		}
	}
	w.kv(key, strings.Join(items, ", "), comment)
}

func (w *iniWriter) section(name string) {
	if strings.ContainsAny(name, "\r\n") || name != strings.TrimSpace(name) {
		w.fail(fmt.Errorf("[%s]: not a possible section name", name))
	}
	w.line("[" + name + "]")
}

func (w *iniWriter) rule() {
	w.line(";" + strings.Repeat("-", 75))
}

// renderINI writes the commented astapi.ini of d.
func renderINI(d iniDoc) (string, error) {
	w := &iniWriter{}
	w.line("; astapi.ini for the Asterisk configuration in " + d.dir + ", written by")
	w.line("; `astapi init`. astapi reloads it when it changes; check an edit with")
	w.line(";   astapi validate --config " + shellQuote(d.out))
	w.line("; It holds a password hash: keep it readable by astapi only (mode 0600).")
	w.line("")
	writeServer(w, d, len(d.sections) == 0)
	w.line("")
	w.rule()
	writeTenants(w, d)
	w.rule()
	w.line("; API users (HTTP Basic Auth). Add one with a hash from astapi hash-password;")
	w.line("; a tenant user has role = tenant and tenants = <tenant section names>.")
	w.rule()
	w.line("")
	w.section("user " + d.admin)
	w.kv("password", d.hash, "bcrypt; astapi init printed the password once")
	w.kv("role", "admin", "sees every tenant")
	w.kv("secrets", "no", "yes: may also read SIP secrets (/extension/user)")
	return w.b.String(), w.err
}

// writeServer writes the [server] section; discover only when asked for
// and no [tenant] section follows (it is moot otherwise).
func writeServer(w *iniWriter, d iniDoc, withDiscover bool) {
	w.section("server")
	w.kv("listen", d.listen, "loopback: a TLS proxy in front, or serve --tls-cert/--tls-key")
	if len(d.roots) == 0 {
		w.kv("asterisk_dir", d.dir, "read only; #include may not leave it (include_roots = DIR, … allows more)")
	} else {
		w.kv("asterisk_dir", d.dir, "read only; #include may leave it only for include_roots")
		w.list("include_roots", d.roots, "given, or where the Asterisk directory's symlinks lead")
	}
	if withDiscover && d.discover != "" {
		w.kv("discover", d.discover, "how tenants are found while no [tenant] section exists")
	}
	if withDiscover && d.name != "" {
		w.kv("name", d.name, "the discovered tenant's name")
	}
}

func writeTenants(w *iniWriter, d iniDoc) {
	if d.unwritten != "" {
		w.line("; Tenants: discovered at every load, as `astapi init` found them; they")
		w.line("; could not be written out as [tenant] sections (" + strings.NewReplacer("`", "'", "\n", " ").Replace(d.unwritten) + ").")
		w.line("; Declare them with [tenant NAME] sections: code (peers named")
		w.line("; <number>-<code>), peers (globs on peer names), contexts (globs on")
		w.line("; dialplan contexts).")
		w.rule()
		w.line("")
		return
	}
	if len(d.sections) == 0 {
		w.line("; Tenants: none was found (no phone in the files read). Declare them")
		w.line("; with [tenant NAME] sections: code (peers named <number>-<code>),")
		w.line("; peers (globs on peer names), contexts (globs on dialplan contexts).")
		w.rule()
		w.line("")
		return
	}
	w.line("; Tenants: what discovery found, written out so that this file gives the")
	w.line("; same tenants. Rename a section or its name freely: id keeps the ID API")
	w.line("; clients know (rename the section in users' tenants = too). A peer")
	w.line("; belongs to the tenant whose code ends its name (<number>-<code>), else")
	w.line("; to the first whose peers glob matches its name, else to the first")
	w.line("; whose contexts glob matches its context=.")
	w.rule()
	w.line("")
	trunks := map[string]bool{}
	for _, p := range d.found.Trunks {
		trunks[p.Name] = true
	}
	if orphans := trunkNames(d.found, ""); len(orphans) > 0 {
		w.line("; Trunks of no tenant (astapi validate says why): neither listed nor")
		w.line("; audited until a tenant's peers = names them.")
		w.line(";   " + strings.Join(orphans, ", "))
		w.line("")
	}
	w.inTenant = true
	defer func() { w.inTenant = false }()
	for _, s := range d.sections {
		w.line(fmt.Sprintf("; %s, %s, %s", plural(len(d.found.ExtensionsByTenant(s.ID)), "phone"),
			plural(len(d.found.TrunksByTenant(s.ID)), "trunk"), plural(didCount(d.found, s.ID), "DID")))
		w.section("tenant " + s.Key)
		// gopkg.in/ini.v1 looks a key missing from [a.b] up in [a]: a
		// dotted section gets every key, empty ones included.
		all := strings.Contains(s.Key, ".")
		w.kv("id", s.ID, "pinned: renaming the tenant keeps its ID")
		w.kv("name", s.Name, "")
		if s.Code != "" {
			w.kv("code", s.Code, "peers named <number>-"+s.Code)
		} else if all {
			w.kv("code", "", "")
		}
		if len(s.Contexts) > 0 || all {
			comment := "globs on dialplan contexts"
			if len(s.Contexts) == 1 && s.Contexts[0] == "*" {
				comment = "every context: every phone, trunk and call flow"
			}
			w.list("contexts", s.Contexts, comment)
		}
		if len(s.Peers) > 0 || all {
			w.list("peers", s.Peers, adoptedComment(s, trunks))
		}
		w.line("")
	}
}

// iniValue returns v as gopkg.in/ini.v1 reads it back unchanged (with
// SpaceBeforeInlineComment, as astapi loads it): as is, or between
// backticks when it holds a comment sign, quotes or surrounding blanks.
func iniValue(v string) (string, error) {
	if strings.ContainsAny(v, "\r\n") {
		return "", errors.New("a value cannot span lines")
	}
	if v == "" {
		return "``", nil // a bare "key = ; comment" would read the comment
	}
	plain := v == strings.TrimSpace(v) && !strings.ContainsAny(v, ";#`") &&
		!strings.HasPrefix(v, `"`) && !strings.HasPrefix(v, "'") && !strings.HasSuffix(v, `\`)
	if plain {
		return v, nil
	}
	if strings.Contains(v, "`") {
		return "", errors.New("a value with a backtick and a comment sign, quote or surrounding blank cannot be written")
	}
	return "`" + v + "`", nil
}

// adoptedComment explains a peers list: globs, or the peers discovery
// gave the tenant by other means than its rules.
func adoptedComment(s index.TenantSection, trunks map[string]bool) string {
	if len(s.Adopted) != len(s.Peers) {
		return "globs on peer names"
	}
	var nt int
	for _, p := range s.Adopted {
		if trunks[p] {
			nt++
		}
	}
	switch nt {
	case len(s.Adopted):
		return "trunks whose inbound routes reach this tenant"
	case 0:
		return "phones sharing a context with this tenant's phones"
	}
	return "trunks that reach this tenant, phones that share its context"
}
