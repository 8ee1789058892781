package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"golang.org/x/crypto/bcrypt"

	"github.com/astapi/astapi/flow"
	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/parser"
)

// discoverModes are the values of --tenants ([server] discover).
var discoverModes = []string{index.DiscoverSingle, index.DiscoverCode, index.DiscoverContexts}

// initOptions are the flags of `astapi init`.
type initOptions struct {
	dir, out, admin, tenants, name, listen string
	roots                                  stringList // --include-root
	force                                  bool
	cost                                   int
}

// runInit is `astapi init`: it reads an Asterisk directory with the
// loader serve uses, in discovery mode, and writes an astapi.ini that
// declares the tenants discovery made (so they can be renamed and pinned)
// and one admin user whose random password it prints once. The file is
// checked to load into the same tenants before it replaces anything.
func runInit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o initOptions
	fs.StringVar(&o.dir, "asterisk-dir", "", "the Asterisk configuration directory to read (usually /etc/asterisk)")
	fs.StringVar(&o.out, "out", "astapi.ini", "the astapi.ini to write")
	fs.StringVar(&o.admin, "admin", "admin", "name of the admin user to create")
	fs.StringVar(&o.tenants, "tenants", "", "tenant discovery: "+strings.Join(discoverModes, " | ")+" (default: astapi's own choice)")
	fs.StringVar(&o.name, "name", "", "name of the tenant of a one-company PBX ([server] name; default: default)")
	fs.StringVar(&o.listen, "listen", defaultListen, "listen address written to [server]")
	fs.Var(&o.roots, "include-root", "another directory #include may read (repeatable; symlinks of the Asterisk directory are followed without it)")
	fs.BoolVar(&o.force, "force", false, "replace --out if it exists")
	fs.IntVar(&o.cost, "cost", bcrypt.DefaultCost, fmt.Sprintf("bcrypt cost of the admin password (%d..%d)", bcrypt.MinCost, bcrypt.MaxCost))
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 0 || o.dir == "" || o.out == "" {
		fmt.Fprintln(stderr, "usage: astapi init --asterisk-dir DIR [--out astapi.ini] [--admin NAME] [--tenants single|code|contexts] [--name NAME] [--force]")
		return 2
	}
	if err := o.check(); err != nil {
		fmt.Fprintf(stderr, "astapi: %v\n", err)
		return 2
	}
	if err := initConfig(o, stdout); err != nil {
		fmt.Fprintf(stderr, "astapi init: %v\n", err)
		return 1
	}
	if os.Geteuid() == 0 {
		fmt.Fprintf(stderr, "astapi init: %s belongs to root and only root may read it: chown it to the user astapi serve runs as\n", o.out)
	}
	return 0
}

func (o *initOptions) check() error {
	if o.tenants != "" && !slices.Contains(discoverModes, o.tenants) {
		return fmt.Errorf("--tenants %q: must be one of %s", o.tenants, strings.Join(discoverModes, ", "))
	}
	if !validUserName(o.admin) {
		return fmt.Errorf("--admin %q: use letters, digits and . _ @ - only (it is a Basic Auth user name and a section name)", o.admin)
	}
	if o.cost < bcrypt.MinCost || o.cost > bcrypt.MaxCost {
		return fmt.Errorf("--cost must be between %d and %d", bcrypt.MinCost, bcrypt.MaxCost)
	}
	if _, _, err := net.SplitHostPort(o.listen); err != nil {
		return fmt.Errorf("--listen %q: %v", o.listen, err)
	}
	return nil
}

func validUserName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("._@-", c)) {
			return false
		}
	}
	return true
}

// initConfig does the work of runInit once the flags are checked.
func initConfig(o initOptions, stdout io.Writer) error {
	if !o.force {
		if _, err := os.Lstat(o.out); err == nil {
			return fmt.Errorf("%s exists: not overwritten (--force replaces it)", o.out)
		}
	}
	if st, err := os.Stat(filepath.Dir(o.out)); err != nil {
		return fmt.Errorf("--out %s: %w", o.out, err)
	} else if !st.IsDir() {
		return fmt.Errorf("--out %s: %s is not a directory", o.out, filepath.Dir(o.out))
	}
	dir, err := filepath.Abs(o.dir)
	if err != nil {
		return err
	}
	if st, err := os.Stat(dir); err != nil {
		return fmt.Errorf("--asterisk-dir: %w (%s)", err, dirHint(err))
	} else if !st.IsDir() {
		return fmt.Errorf("--asterisk-dir %s: not a directory (give the directory that holds sip.conf, pjsip.conf, extensions.conf)", dir)
	}
	doc := iniDoc{out: o.out, dir: dir, listen: o.listen, discover: o.tenants, name: o.name, admin: o.admin}
	if doc.roots, err = includeRoots(dir, o.roots); err != nil {
		return err
	}
	found, sections, err := discover(doc, filepath.Dir(o.out))
	if err != nil {
		return err
	}
	if n := topLevelFiles(found); n == 0 {
		return errors.New(emptyDirHint(dir))
	}

	password := rand.Text() // 26 characters of base32: 130 random bits
	hash, err := bcrypt.GenerateFromPassword([]byte(password), o.cost)
	if err != nil {
		return err
	}
	doc.hash, doc.sections, doc.found = string(hash), sections, found
	text, err := renderINI(doc)
	if err == nil {
		err = writeVerified(o.out, []byte(text), o.force, found)
	}
	var notWritable *unwritableError
	if errors.As(err, &notWritable) && len(doc.sections) > 0 {
		// Discovery itself, at every load, gives these tenants.
		doc.sections, doc.unwritten = nil, notWritable.Error()
		if text, err = renderINI(doc); err == nil {
			err = writeVerified(o.out, []byte(text), o.force, found)
		}
	}
	if err != nil {
		return err
	}
	printInitSummary(stdout, o, found, password, len(doc.sections) > 0)
	if doc.unwritten != "" {
		fmt.Fprintf(stdout, "\nnote: the tenants are discovered at every load, not written as [tenant] sections: %s\n", doc.unwritten)
	}
	return nil
}

// discover loads d's directory in discovery mode from a throw-away
// astapi.ini in tmpDir (the directory of --out, which must be writable
// anyway: a container may have no other).
func discover(d iniDoc, tmpDir string) (*index.Snapshot, []index.TenantSection, error) {
	w := &iniWriter{}
	writeServer(w, d, true)
	if w.err != nil {
		return nil, nil, w.err
	}
	text := w.b.String()
	f, err := os.CreateTemp(tmpDir, ".astapi-init-*.ini")
	if err != nil {
		return nil, nil, err
	}
	defer os.Remove(f.Name())
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, nil, err
	}
	snap, sections, err := index.LoadTenantSections(f.Name())
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w\n%s", d.dir, err, loadHint(err))
	}
	return snap, sections, nil
}

// includeRoots are the include_roots of the written file: the given
// ones, and the directories outside dir that its *.conf symlinks lead to
// (FreePBX links sip.conf, extensions.conf… from its modules' etc
// directories, which the loader would otherwise refuse to read).
func includeRoots(dir string, given []string) ([]string, error) {
	var roots []string
	for _, r := range given {
		abs, err := filepath.Abs(r)
		if err != nil {
			return nil, err
		}
		if st, err := os.Stat(abs); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("--include-root %s: not a directory", r)
		}
		roots = append(roots, abs)
	}
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, err
	}
	links, _ := filepath.Glob(filepath.Join(dir, "*.conf"))
	for _, l := range links {
		if st, err := os.Lstat(l); err != nil || st.Mode()&fs.ModeSymlink == 0 {
			continue
		}
		real, err := filepath.EvalSymlinks(l)
		if err != nil {
			continue // dangling: Asterisk cannot read it either
		}
		if !parser.Within(realDir, real) {
			roots = append(roots, filepath.Dir(real))
		}
	}
	slices.Sort(roots)
	return slices.Compact(roots), nil
}

// writeVerified writes text to path atomically with mode 0600: a temp file
// in the same directory, loaded to check that it gives the tenants of
// want, then linked (no --force: never replaces a file that appeared
// meanwhile) or renamed into place.
func writeVerified(path string, text []byte, force bool, want *index.Snapshot) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(text); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	got, err := index.Load(tmp)
	if err != nil {
		return fmt.Errorf("the file written does not load (not installed): %w", err)
	}
	if err := sameTenants(want, got); err != nil {
		return &unwritableError{fmt.Errorf("as [tenant] sections they would differ: %w", err)}
	}
	if force {
		err = os.Rename(tmp, path)
	} else if err = os.Link(tmp, path); err == nil {
		os.Remove(tmp)
	} else if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists: not overwritten (--force replaces it)", path)
	} else if _, serr := os.Lstat(path); serr == nil {
		return fmt.Errorf("%s exists: not overwritten (--force replaces it)", path)
	} else {
		err = os.Rename(tmp, path) // no hard links on this file system
	}
	if err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil { // make the rename durable
		d.Sync()
		d.Close()
	}
	return nil
}

// unwritableError is why the discovered tenants cannot be written out as
// [tenant] sections.
type unwritableError struct{ err error }

func (e *unwritableError) Error() string { return e.err.Error() }
func (e *unwritableError) Unwrap() error { return e.err }

// sameTenants names the first way got's tenants differ from want's:
// identity, contexts, phones, trunks, call-flow edges and objects.
func sameTenants(want, got *index.Snapshot) error {
	if len(want.Tenants) != len(got.Tenants) {
		return fmt.Errorf("%d tenants instead of %d", len(got.Tenants), len(want.Tenants))
	}
	for i, w := range want.Tenants {
		g := got.Tenants[i]
		switch {
		case w.ID != g.ID || w.Key != g.Key || w.Name != g.Name || w.Code != g.Code:
			return fmt.Errorf("tenant %s (id %s) became %s (id %s)", w.Key, w.ID, g.Key, g.ID)
		case !slices.Equal(w.Contexts, g.Contexts):
			return fmt.Errorf("tenant %s: contexts %v instead of %v", w.Key, g.Contexts, w.Contexts)
		case !slices.Equal(extensionIDs(want, w.ID), extensionIDs(got, w.ID)):
			return fmt.Errorf("tenant %s: phones %v instead of %v", w.Key, extensionIDs(got, w.ID), extensionIDs(want, w.ID))
		case !slices.Equal(trunkNames(want, w.ID), trunkNames(got, w.ID)):
			return fmt.Errorf("tenant %s: trunks %v instead of %v", w.Key, trunkNames(got, w.ID), trunkNames(want, w.ID))
		case len(want.DestinationsByTenant(w.ID)) != len(got.DestinationsByTenant(w.ID)):
			return fmt.Errorf("tenant %s: %d call-flow destinations instead of %d", w.Key,
				len(got.DestinationsByTenant(w.ID)), len(want.DestinationsByTenant(w.ID)))
		case len(want.ObjectsByTenant(w.ID, "")) != len(got.ObjectsByTenant(w.ID, "")):
			return fmt.Errorf("tenant %s: %d call-flow objects instead of %d", w.Key,
				len(got.ObjectsByTenant(w.ID, "")), len(want.ObjectsByTenant(w.ID, "")))
		}
	}
	// Trunks discovery left under no tenant are not compared: declared
	// tenants leave them out, and the file names them (orphanComment).
	return nil
}

func extensionIDs(s *index.Snapshot, tenantID string) []string {
	var out []string
	for _, e := range s.ExtensionsByTenant(tenantID) {
		out = append(out, e.ID)
	}
	return out
}

func trunkNames(s *index.Snapshot, tenantID string) []string {
	var out []string
	for _, p := range s.TrunksByTenant(tenantID) {
		out = append(out, p.Name)
	}
	return out
}

// didCount counts a tenant's inbound routes: the distinct sources of its
// DID destinations.
func didCount(s *index.Snapshot, tenantID string) int {
	seen := map[string]bool{}
	for _, d := range s.DestinationsByTenant(tenantID) {
		if d.TypeSrc == flow.SrcDID {
			seen[d.Src] = true
		}
	}
	return len(seen)
}

// printInitSummary is the end of `astapi init`: what was found, the
// password (its only appearance), and the commands to try next.
func printInitSummary(w io.Writer, o initOptions, s *index.Snapshot, password string, declared bool) {
	fmt.Fprintf(w, "wrote %s (mode 0600) for %s\n\n", o.out, o.dir)
	var phones, trunks, dids int
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TENANT\tID\tPHONES\tTRUNKS\tDIDS")
	for _, t := range s.Tenants {
		p, tr, d := len(s.ExtensionsByTenant(t.ID)), len(s.TrunksByTenant(t.ID)), didCount(s, t.ID)
		phones, trunks, dids = phones+p, trunks+tr, dids+d
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\n", t.Name, t.ID, p, tr, d)
	}
	if len(s.Tenants) > 0 {
		tw.Flush()
		fmt.Fprintln(w)
	}
	if orphans := trunkNames(s, ""); len(orphans) > 0 {
		if declared {
			them := pluralWord(len(orphans), "it", "them")
			fmt.Fprintf(w, "note: %s %s %s to no tenant (astapi validate says why): add %s to a tenant's peers = in %s to list and audit %s\n",
				pluralWord(len(orphans), "trunk", "trunks"), strings.Join(orphans, ", "), pluralWord(len(orphans), "belongs", "belong"), them, o.out, them)
		} else {
			fmt.Fprintf(w, "note: %s under no tenant, listed for admins only: %s\n", plural(len(orphans), "trunk"), strings.Join(orphans, ", "))
		}
	}
	fmt.Fprintf(w, "found %s, %s, %s, %s, %s\n", plural(len(s.Tenants), "tenant"), plural(phones, "phone"),
		plural(trunks, "trunk"), plural(dids, "DID"), diagSummary(s))
	for _, h := range configHints(s) {
		fmt.Fprintf(w, "note: %s\n", h)
	}
	cfg := shellQuote(o.out)
	fmt.Fprintf(w, "\nadmin user %s, password (shown only now; astapi.ini keeps its bcrypt hash):\n  %s\n", o.admin, password)
	fmt.Fprintf(w, "\nnext:\n  astapi validate --config %s\n  astapi serve --config %s\n  curl -u %s:%s http://%s/user/login\n",
		cfg, cfg, o.admin, password, curlHost(o.listen))
}

// diagSummary is "N diagnostics (a errors, b warnings)".
func diagSummary(s *index.Snapshot) string {
	counts := map[string]int{}
	var order []string
	for _, d := range s.Diags {
		k := d.Severity.String()
		if counts[k] == 0 {
			order = append(order, k)
		}
		counts[k]++
	}
	slices.Sort(order)
	parts := make([]string, len(order))
	for i, k := range order {
		parts[i] = plural(counts[k], k)
		if k == "info" {
			parts[i] = fmt.Sprintf("%d info", counts[k])
		}
	}
	if len(parts) == 0 {
		return "0 diagnostics"
	}
	return fmt.Sprintf("%s (%s)", plural(len(s.Diags), "diagnostic"), strings.Join(parts, ", "))
}

// pluralWord is one or many.
func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// plural is "1 phone", "2 phones".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// curlHost is where a local curl reaches a server listening on addr.
func curlHost(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return host + ":" + port
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/+:@,=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
