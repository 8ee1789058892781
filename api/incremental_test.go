package api

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/astapi/astapi/audit"
	"github.com/astapi/astapi/flow"
	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/internal/demofixtures"
	"github.com/astapi/astapi/internal/pbxgen"
	"github.com/astapi/astapi/internal/testcorpus"
	"golang.org/x/crypto/bcrypt"
)

// everyAnswer is what snap serves: every read endpoint for every tenant,
// extension, DID and ring group, the call-flow graph of every tenant, and
// the audit, as admin (who may see secrets) asks; and the destinations
// by tenant the metrics read.
func everyAnswer(t *testing.T, s *Server, st *index.Store, admin caller, email string) string {
	t.Helper()
	snap := st.Current()
	var b strings.Builder
	record := func(r req) {
		w := do(s, r.build(admin))
		fmt.Fprintf(&b, "%s %s %s\nHTTP %d\n%s\n\n", r.method, r.path, paramsOf(r), w.Code, w.Body.String())
	}
	record(req{method: "GET", path: "/user/get"})
	record(form("/user/tenants", "user", email))
	record(req{method: "GET", path: "/audit/secrets"})
	for _, ten := range snap.Tenants {
		for _, p := range []string{"/destination/all", "/extension/bytenant", "/did/bytenant", "/hunt/bytenant", "/ivr/bytenant",
			"/condition/bytenant", "/custom/bytenant", "/voicemail/bytenant", "/phone/bytenant",
			"/extension/getCidNumberList", "/extension/GetFMFCallerIdList"} {
			record(form(p, "tenant_id", ten.ID))
		}
		record(req{method: "GET", path: pathGraph, enc: "query"}.with("tenant_id", ten.ID))
		// The metrics count the tenant's destinations from the snapshot.
		fmt.Fprintf(&b, "destinations of %s:", ten.ID)
		for _, d := range snap.DestinationsByTenant(ten.ID) {
			fmt.Fprintf(&b, " %s", d.ID)
		}
		b.WriteString("\n\n")
		exts := snap.ExtensionsByTenant(ten.ID)
		// The lists above hold every extension; one by one, the first 25.
		for _, e := range exts[:min(len(exts), 25)] {
			record(form("/extension/byid", "extension_id", e.ID))
			record(form("/extension/user", "tenant_id", ten.ID, "extension_id", e.ID))
			record(form("/extension/getCidNumber", "extension_id", e.ID))
			record(form("/extension/GetFMFCallerId", "extension_id", e.ID))
			record(form("/extension/usersecret", "tenant_id", ten.ID, "extension_id", e.ID))
		}
		for _, o := range snap.ObjectsByTenant(ten.ID, flow.TypeDID) {
			record(form("/did/byid", "did_id", o.ID))
		}
		for _, o := range snap.ObjectsByTenant(ten.ID, flow.TypeHuntlist) {
			record(form("/hunt/byid", "hunt_id", o.ID))
		}
	}
	fmt.Fprintf(&b, "audit: %+v\ndiagnostics: %v\n", audit.New().Run(snap), snap.Diags)
	return b.String()
}

// editor makes random edits to the Asterisk files of a directory: the
// kinds of change an administrator or a provisioning tool makes.
type editor struct {
	dir      string
	rng      *rand.Rand
	contexts []string // context names to aim new lines at
	peers    []string
	// only, when set, is the directory (under dir) whose files alone are
	// edited, by the edits that keep every context where it is (see
	// editOwn).
	only string
}

func (ed *editor) files(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(filepath.Join(ed.dir, ed.only), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".conf") {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func (ed *editor) pick(list []string) string {
	if len(list) == 0 {
		return "nowhere"
	}
	return list[ed.rng.IntN(len(list))]
}

// edit changes one file and says how.
func (ed *editor) edit(t *testing.T) string {
	t.Helper()
	files := ed.files(t)
	f := ed.pick(files)
	data, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	rel, _ := filepath.Rel(ed.dir, f)
	var what string
	if ed.only != "" {
		own := ed.editOwn
		if filepath.Base(ed.only) == "sip.d" {
			own = ed.editPeers
		}
		lines, what = own(lines)
		if err := os.WriteFile(f, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		return rel + ": " + what
	}
	switch k := ed.rng.IntN(10); k {
	case 0: // a line removed
		i := ed.rng.IntN(len(lines))
		what = fmt.Sprintf("%s: line %d removed", rel, i+1)
		lines = slices.Delete(lines, i, i+1)
	case 1: // a line repeated
		i := ed.rng.IntN(len(lines))
		what = fmt.Sprintf("%s: line %d repeated", rel, i+1)
		lines = slices.Insert(lines, i, lines[i])
	case 2: // a digit changed
		i := ed.rng.IntN(len(lines))
		if j := strings.IndexAny(lines[i], "0123456789"); j >= 0 {
			lines[i] = lines[i][:j] + string(rune('0'+ed.rng.IntN(10))) + lines[i][j+1:]
		}
		what = fmt.Sprintf("%s: a digit of line %d changed", rel, i+1)
	case 3: // a context that reaches another
		c := ed.pick(ed.contexts)
		lines = append(lines, fmt.Sprintf("[edit-%d]", ed.rng.IntN(1000)), fmt.Sprintf("exten => s,1,Goto(%s,s,1)", c))
		what = fmt.Sprintf("%s: a context going to %s", rel, c)
	case 4: // an extension added to a context
		c := ed.pick(ed.contexts)
		lines = append(lines, "["+c+"](+)", fmt.Sprintf("exten => %d,1,Dial(SIP/%s,20)", 700+ed.rng.IntN(50), ed.pick(ed.peers)),
			" same => n,VoiceMail(100@default,u)")
		what = fmt.Sprintf("%s: an extension of %s", rel, c)
	case 5: // a phone added
		n := 900 + ed.rng.IntN(50)
		lines = append(lines, fmt.Sprintf("[%d-new]", n), "type=friend", "host=dynamic", "secret=Sh0rt", "context="+ed.pick(ed.contexts))
		what = fmt.Sprintf("%s: phone %d-new added", rel, n)
	case 6: // an IVR key to a target nobody defines
		c := ed.pick(ed.contexts)
		lines = append(lines, "["+c+"](+)", "exten => 8,1,Goto(missing-ctx,s,1)")
		what = fmt.Sprintf("%s: a dead key in %s", rel, c)
	case 8: // two lines swapped: two #include lines when there are
		// (the order files are read in matters), else any two
		var incs []int
		for i, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), "#include") {
				incs = append(incs, i)
			}
		}
		if len(incs) < 2 {
			incs = []int{ed.rng.IntN(len(lines)), ed.rng.IntN(len(lines))}
		}
		i, j := incs[ed.rng.IntN(len(incs))], incs[ed.rng.IntN(len(incs))]
		lines[i], lines[j] = lines[j], lines[i]
		what = fmt.Sprintf("%s: lines %d and %d swapped", rel, i+1, j+1)
	case 7: // the target of the dead keys defined
		lines = append(lines, "[missing-ctx]", "exten => s,1,Playback(closed)", " same => n,Hangup()")
		what = rel + ": missing-ctx defined"
	default: // written again, unchanged
		what = rel + ": rewritten unchanged"
	}
	if err := os.WriteFile(f, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	return what
}

// editOwn edits a dialplan file within its own contexts (a reload then
// patches what it derived from the last one, see index/delta.go): lines
// changed, and extensions added to its contexts that dial a phone alone
// or with a number (a trunk), jump to any context, or to one nobody
// defines.
func (ed *editor) editOwn(lines []string) ([]string, string) {
	var own []string
	for _, l := range lines {
		if name, ok := strings.CutPrefix(strings.TrimSpace(l), "["); ok {
			if name, _, ok = strings.Cut(name, "]"); ok {
				own = append(own, name)
			}
		}
	}
	c := ed.pick(own)
	ext := 700 + ed.rng.IntN(50)
	switch k := ed.rng.IntN(7); k {
	case 0:
		i := ed.rng.IntN(len(lines))
		if j := strings.IndexAny(lines[i], "0123456789"); j >= 0 {
			lines[i] = lines[i][:j] + string(rune('0'+ed.rng.IntN(10))) + lines[i][j+1:]
		}
		return lines, fmt.Sprintf("a digit of line %d changed", i+1)
	case 1:
		i := ed.rng.IntN(len(lines))
		if strings.HasPrefix(strings.TrimSpace(lines[i]), "[") {
			return lines, "unchanged" // a context removed would move the others
		}
		return slices.Delete(lines, i, i+1), fmt.Sprintf("line %d removed", i+1)
	case 2:
		p := ed.pick(ed.peers)
		return append(lines, "["+c+"](+)", fmt.Sprintf("exten => %d,1,Dial(SIP/%s,20)", ext, p)), fmt.Sprintf("%s dialled alone from %s", p, c)
	case 3:
		p := ed.pick(ed.peers)
		return append(lines, "["+c+"](+)", fmt.Sprintf("exten => %d,1,Dial(SIP/%s/5551234)", ext, p)), fmt.Sprintf("%s dialled with a number from %s", p, c)
	case 4:
		to := ed.pick(ed.contexts)
		return append(lines, "["+c+"](+)", fmt.Sprintf("exten => %d,1,Goto(%s,s,1)", ext, to)), fmt.Sprintf("%s jumps to %s", c, to)
	case 5:
		return append(lines, "["+c+"](+)", "include => missing-ctx"), c + " includes a context nobody defines"
	}
	return lines, "rewritten unchanged"
}

// editPeers edits a tenant's sip.conf file as an administrator does
// (pbxgen's: a template inheriting sip.conf's [phone], its phones, a
// trunk): phones added on the file's template or on sip.conf's, a
// secret or a number changed, a line removed, a phone moved to another
// tenant's context, a second section of another file's phone (chan_sip
// builds on the first), a phone made a trunk by a fixed host.
func (ed *editor) editPeers(lines []string) ([]string, string) {
	tpl := "phone"
	for _, l := range lines {
		if name, ok := strings.CutPrefix(l, "["); ok && strings.HasSuffix(l, "](!,phone)") {
			tpl = strings.TrimSuffix(name, "](!,phone)")
		}
	}
	n := 900 + ed.rng.IntN(90)
	switch k := ed.rng.IntN(8); k {
	case 0:
		return append(lines, fmt.Sprintf("[%d-new](%s)", n, tpl), fmt.Sprintf("secret=Added%dSecret", n)), fmt.Sprintf("phone %d-new added on %s", n, tpl)
	case 1:
		ctx := ed.pick(ed.contexts)
		return append(lines, fmt.Sprintf("[%d-own](phone)", n), "secret=Own9Secret1", "context="+ctx), fmt.Sprintf("phone %d-own of %s added on sip.conf's template", n, ctx)
	case 2, 3:
		i := ed.rng.IntN(len(lines))
		if j := strings.IndexAny(lines[i], "0123456789"); j >= 0 && !strings.HasPrefix(lines[i], "[") {
			lines[i] = lines[i][:j] + string(rune('0'+ed.rng.IntN(10))) + lines[i][j+1:]
		}
		return lines, fmt.Sprintf("a digit of line %d changed", i+1)
	case 4:
		i := ed.rng.IntN(len(lines))
		if strings.HasPrefix(lines[i], "[") {
			return lines, "unchanged"
		}
		return slices.Delete(lines, i, i+1), fmt.Sprintf("line %d removed", i+1)
	case 5:
		p := ed.pick(ed.peers)
		return append(lines, "["+p+"]", "type=friend", fmt.Sprintf("callerid=\"Desk %d\" <%d>", n, n)), "a second section of " + p
	case 6:
		ctx := ed.pick(ed.contexts)
		return append(lines, fmt.Sprintf("[%d-moved](%s)", n, tpl), "context="+ctx), fmt.Sprintf("phone %d-moved to %s", n, ctx)
	}
	return append(lines, fmt.Sprintf("[%d-fixed](%s)", n, tpl), "host=10.0.0.9"), fmt.Sprintf("phone %d-fixed at a fixed address", n)
}

// TestIncrementalEqualsFull is the test that lets reloads reuse parts of
// the previous snapshot: over random edit sequences, on a generated
// multi-tenant PBX with a file per tenant, on both demos and on every
// corpus directory, a reload from the previous snapshot (index.LoadFrom)
// answers every endpoint, byte for byte, and finds the same audit, as a
// load from nothing (index.Load) of the same files.
func TestIncrementalEqualsFull(t *testing.T) {
	type scenario struct{ name, ini string }
	var scenarios []scenario
	gen := t.TempDir()
	ini, err := pbxgen.Write(gen, pbxgen.Spec{Tenants: 8, PeersPerTenant: 5, DialplanPerPeer: 4,
		PasswordHash: cheapHash(t), AdminUser: "admin", FilePerTenant: true})
	if err != nil {
		t.Fatal(err)
	}
	scenarios = append(scenarios, scenario{"generated", ini})
	for _, dir := range []string{"../fixtures", "../fixtures/freepbx"} {
		scenarios = append(scenarios, scenario{"demo-" + filepath.Base(dir), demofixtures.Copy(t, dir)})
	}
	for si, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) { editAndCompare(t, sc.ini, uint64(si), 12, "") })
	}
	// Twenty tenants, edits within a tenant's dialplan file: its five
	// contexts are few of all, so every reload patches.
	ini, err = pbxgen.Write(t.TempDir(), pbxgen.Spec{Tenants: 20, PeersPerTenant: 4, DialplanPerPeer: 3,
		PasswordHash: cheapHash(t), AdminUser: "admin", FilePerTenant: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("generated-dialplan-files", func(t *testing.T) { editAndCompare(t, ini, 50, 12, filepath.Join("asterisk", "extensions.d")) })
	// The same, edits within a tenant's sip.conf file: spliced in, its
	// template inheriting sip.conf's, the other files' peers shared.
	t.Run("generated-peer-files", func(t *testing.T) { editAndCompare(t, ini, 60, 12, filepath.Join("asterisk", "sip.d")) })
	t.Run("corpus", func(t *testing.T) {
		root := filepath.Join(testcorpus.Dir(t), "real-world")
		entries, _ := os.ReadDir(root)
		for i, e := range entries {
			if !e.IsDir() {
				continue
			}
			t.Run(e.Name(), func(t *testing.T) {
				dir := t.TempDir()
				if err := os.CopyFS(dir, os.DirFS(filepath.Join(root, e.Name()))); err != nil {
					t.Fatal(err)
				}
				ini := filepath.Join(dir, "astapi.ini")
				body := fmt.Sprintf("[server]\nasterisk_dir = .\n\n[user admin]\nemail = admin@example.com\npassword = %s\nrole = admin\nsecrets = yes\n", cheapHash(t))
				if err := os.WriteFile(ini, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
				editAndCompare(t, ini, uint64(100+i), 4, "")
			})
		}
	})
}

// editSteps makes TestIncrementalEqualsFull longer (and its seeds other):
// go test ./api -run IncrementalEqualsFull -edit-steps 60.
var editSteps = flag.Int("edit-steps", 0, "random edits per scenario in TestIncrementalEqualsFull (0: 12 on generated and demo PBXs, 4 on corpus directories)")

// editAndCompare makes steps random edits to the Asterisk files beside
// ini (only those under only, when set: see editor.only), and after each
// compares a reload from the previous snapshot with a load from nothing.
func editAndCompare(t *testing.T, ini string, seed uint64, steps int, only string) {
	if *editSteps > 0 {
		steps, seed = *editSteps, seed+uint64(*editSteps)<<32
	}
	if testing.Short() {
		steps = min(steps, 2)
	}
	admin := caller{"admin", "admin", "admin-demo"}
	prev, err := index.Load(ini)
	if err != nil {
		t.Skipf("does not load: %v", err)
	}
	// One server, as in production: its caches live across reloads.
	var serve *index.Snapshot
	st := index.NewStore(func() (*index.Snapshot, error) { return serve, nil })
	s := New(st, Options{LoginFailureLimit: -1})
	answers := func(snap *index.Snapshot) string {
		serve = snap
		if res := st.Reload(); !res.Success {
			t.Fatal(res.Err)
		}
		return everyAnswer(t, s, st, admin, "admin@example.com")
	}
	ed := &editor{dir: filepath.Dir(ini), rng: rand.New(rand.NewPCG(seed, 17)), only: only}
	for _, c := range prev.Dialplan.Contexts {
		ed.contexts = append(ed.contexts, c.Name)
	}
	for _, e := range prev.Extensions {
		for _, p := range e.Peers {
			ed.peers = append(ed.peers, p.Name)
		}
	}
	var done []string
	for range steps {
		done = append(done, ed.edit(t))
		inc, incErr := index.LoadFrom(ini, prev)
		full, fullErr := index.Load(ini)
		if (incErr == nil) != (fullErr == nil) || incErr != nil && incErr.Error() != fullErr.Error() {
			t.Fatalf("after %q: reload %v, load %v", done, incErr, fullErr)
		}
		if incErr != nil {
			continue // both refuse the files; the next edit may mend them
		}
		got, want := answers(inc), answers(full)
		if got != want {
			t.Fatalf("after %q (%d of %d parts reused): the reload answers differently from a load:\n%s",
				done, inc.Flow.Reuse.Reused, inc.Flow.Reuse.Parts, firstLineDiff(got, want))
		}
		prev = inc
	}
}

// cheapHash is the bcrypt hash of "admin-demo" at the lowest cost: the
// tests log in once per snapshot.
func cheapHash(t *testing.T) string {
	h, err := bcrypt.GenerateFromPassword([]byte("admin-demo"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

// firstLineDiff shows the first line where got and want differ.
func firstLineDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d\n got: %.400s\nwant: %.400s", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(g), len(w))
}
