package index

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/astapi/astapi/flow"
	"github.com/astapi/astapi/internal/safefile"
	"github.com/astapi/astapi/parser"
)

// builder carries the state of one Load.
type builder struct {
	prev      *Snapshot // the snapshot served, or nil (see LoadFrom)
	wholeFlow bool      // flow.Input.Whole (tests)
	ini       *iniConfig
	dir       string
	diags     parser.Diagnostics
	fatal     parser.Diagnostics
	files     map[string]bool // absolute paths read
	// digests of the Asterisk files read (parser.Config.Digests), by
	// their names in positions.
	digests map[string]string
	dirs    map[string]bool // directories to watch

	peers       *peerSet
	dp          *parser.Dialplan
	sipGen      *parser.Section
	dials       map[*Peer]*dialUse // dialIdx.uses
	dialIdx     *dialIndex
	scans       *contextScans // the dialplan's contexts, scanned
	tenants     []*Tenant
	byKey       map[string]*Tenant
	decls       []tenantDecl
	codes       map[string]int // lower-cased tenant code -> decl index
	peerGlobs   *globSet       // tenants' peers globs, owner = decl index
	ctxGlobs    *globSet       // tenants' contexts globs, owner = decl index
	ctxSet      map[*Tenant]map[string]bool
	discovery   string   // the discovery mode used, "" with declared tenants
	unowned     []*Peer  // discovered trunks listed under no tenant
	extKeys     []string // the extensions' natural keys (parsedFiles.extKeys)
	extFirst    []int32  // and their first peers (parsedFiles.extFirst)
	extIDsFirst bool     // parsedFiles.extIDsFirst

	// The tenant (or nil) and the trunk flag of each peer of peers.list,
	// kept beside it until settlePeers writes them into the peers.
	owner []*Tenant
	trunk []bool
	// peersShared: peers.list is the served snapshot's (peerSet.again),
	// whose peers may be read while this load runs: never written to.
	// ownersKept: they are, and each has the tenant it had; peersKept:
	// and the trunk flag it had (settlePeers). peersAgain: peers.list
	// was the served snapshot's, index for index (copies may replace
	// some since); else peers.was says which peers it shares.
	peersShared, ownersKept, peersKept, peersAgain bool
	reach                                          []tenantReach // what tenantContexts gave each tenant
	reachKept                                      bool          // and it is the last load's
	trunksKept                                     bool          // the peers are the last load's, with their trunk flags (markTrunks)
	delta                                          dialplanDelta // how the dialplan differs from the last load's
	nums                                           []string      // each peer's extension number ("" for none)
	setup                                          *tenantSetup  // what the tenant declarations made
	ownerAt                                        []int32       // each peer's tenant, as an index in tenants (-1: none)
	orphans                                        []int32       // the phones of no tenant (indexes in peers.list)
}

func (b *builder) load(iniPath string) (*Snapshot, error) {
	start := time.Now()
	// The Asterisk files are read while astapi.ini is, from where a quick
	// look at its [server] section says they are; if astapi.ini says
	// otherwise, that work is dropped and they are read again.
	var job *parseJob
	if pre, ok := prescanServer(iniPath); ok {
		job = startParse(pre.dir, pre.roots, pre.limits, start, b.prev)
	}
	// What the last load kept for this one (nothing on a first load).
	var last parsedFiles
	if b.prev != nil && b.prev.parsed != nil {
		last = *b.prev.parsed
	}
	cfg, err := loadINIFrom(iniPath, last.ini)
	if err != nil {
		job.abandon()
		return nil, fmt.Errorf("index: %w", err)
	}
	b.ini = cfg
	b.dir = cfg.server.AsteriskDir
	b.files = map[string]bool{cfg.path: true}
	b.dirs = map[string]bool{filepath.Dir(cfg.path): true, b.dir: true}
	for _, w := range cfg.warns {
		b.warn(parser.Pos{File: filepath.Base(cfg.path)}, "%s", w)
	}
	if st, err := os.Stat(b.dir); err != nil || !st.IsDir() {
		job.abandon()
		if err == nil {
			err = errors.New("not a directory")
		}
		return nil, fmt.Errorf("index: %s: [server] asterisk_dir %s: %w", cfg.path, b.dir, err)
	}
	if job == nil || job.dir != b.dir || !slices.Equal(job.roots, cfg.server.IncludeRoots) || job.limits != cfg.server.Limits {
		job.abandon()
		job = startParse(b.dir, cfg.server.IncludeRoots, cfg.server.Limits, start, b.prev)
	}
	job.read.Wait()
	for i, name := range parseNames {
		if job.parsed[i].err != nil {
			job.abandon()
			return nil, job.parsed[i].err
		}
		if job.parsed[i].cfg != nil {
			b.record(name, job.parsed[i].cfg)
		}
	}
	sip, pjsip, users, ext := job.parsed[0].cfg, job.parsed[1].cfg, job.parsed[2].cfg, job.parsed[3].cfg
	vm, prov := job.parsed[4].cfg, job.parsed[5].cfg
	if len(b.fatal) > 0 {
		job.abandon()
		b.fatal.Sort()
		return nil, &LoadError{Diags: b.fatal.Cap(cfg.server.Limits.MaxDiagnosticsPerFile, cfg.server.Limits.MaxDiagnostics)}
	}
	if sip == nil {
		// Not an error (a PJSIP-only install has none), but a wrong
		// asterisk_dir looks just like this: say so rather than serve
		// no peers in silence.
		why, link := missingFile(b.dir, "sip.conf")
		if !link {
			why += " (expected only on a PJSIP-only install)"
		}
		b.warn(parser.Pos{File: "sip.conf"}, "%s: no chan_sip peers", why)
	}
	if pjsip == nil {
		// Absent is normal (chan_sip only); a dangling link is not.
		if why, link := missingFile(b.dir, "pjsip.conf"); link {
			b.warn(parser.Pos{File: "pjsip.conf"}, "%s: no PJSIP endpoints", why)
		}
	}
	if ext == nil {
		why, _ := missingFile(b.dir, "extensions.conf")
		b.warn(parser.Pos{File: "extensions.conf"}, "%s: no dialplan, so no call flow, DIDs, IVRs or ring groups", why)
	}

	files := make([]string, 0, len(b.files))
	for f := range b.files {
		files = append(files, f)
	}
	sort.Strings(files)

	if sip != nil {
		b.sipGen = sip.Section("general")
	}
	// The dialplan's contexts are scanned while the peers are resolved,
	// and their graph drawn while the Dial()s are looked up: neither reads
	// the other.
	var (
		ctxGraph             *contextGraph
		delta                dialplanDelta
		dpDiags              parser.Diagnostics
		scansDone, edgesDone sync.WaitGroup
	)
	scansDone.Add(1)
	edgesDone.Go(func() {
		job.built.Wait()
		b.dp = job.dp
		if ext != nil {
			dpDiags = b.dp.Diags
		}
		if users != nil && !job.dpKept {
			b.dp.AddUsers(users)
		}
		b.scans = scanContexts(b.dp, last.ctxScans)
		delta = deltaOf(last.dp, b.dp)
		scansDone.Done()
		ctxGraph = b.drawContexts(last.graph, delta)
	})
	if lp := last.peers; lp != nil && lp.from == [3]*parser.Config{sip, users, pjsip} {
		b.peers, b.peersShared, b.peersAgain = lp.again((*diagSink)(&b.diags)), true, true
	} else {
		var reuse *sipReuse
		if lp != nil {
			reuse = lp.reuse
		}
		b.peers = resolvePeers(sip, users, pjsip, reuse, (*diagSink)(&b.diags))
		if same := b.peers.sameAs(lp); same != nil {
			b.peers, b.peersShared, b.peersAgain = same, true, true
		}
	}
	scansDone.Wait()
	b.delta = delta
	b.dialIdx = b.indexDials(last.dials, last.ctxScans, delta)
	b.dials = b.dialIdx.uses
	edgesDone.Wait()
	b.diags = append(b.diags, dpDiags...)
	for _, notes := range []map[*parser.Context]parser.Diagnostics{ctxGraph.notes, b.dialIdx.notes} {
		for _, n := range notes {
			b.diags = append(b.diags, n...)
		}
	}
	edges := ctxGraph.edges
	b.markTrunks(edges, ctxGraph.kept, last.peers)
	b.ctxSet = map[*Tenant]map[string]bool{}
	b.assignTenants(&last)
	b.adoptTrunks(edges)
	b.settlePeers()
	b.tenantContexts(ctxGraph, &last)
	exts, trunks := b.extensions()
	// The call flow, the longest part, is read while the rest is derived:
	// nothing else reads it, and it writes nothing the rest reads.
	var (
		graph     *flow.Graph
		dests     []*Destination
		groups    *flowGroups
		flowDiags parser.Diagnostics
		flowDone  sync.WaitGroup
	)
	flowDone.Go(func() { graph, dests, groups, flowDiags = b.callFlow(exts, trunks) })
	boxes := b.mailboxes(vm, users)
	b.assignMailboxes(boxes, exts)
	phones := b.phones(users, prov, exts)
	apiUsers := b.users()
	// What does not wait for the call flow is done while it is read. It
	// reads exts, b.tenants and trunks: the snapshot sorts lists of its
	// own.
	snap := &Snapshot{
		BuiltAt:    start,
		ConfigFile: cfg.path,
		Server:     cfg.server,
		Tenants:    slices.Clone(b.tenants),
		Users:      apiUsers,
		Trunks:     slices.Clone(trunks),
		Mailboxes:  boxes,
		Phones:     phones,
		SIPGeneral: b.sipGen,
		Dialplan:   b.dp,
	}
	snap.Extensions, snap.extByTenant = b.extensionLists(exts)
	snap.indexLists()
	snap.parsed = &parsedFiles{dir: job.dir, roots: job.roots, limits: job.limits, cfg: [len(parseNames)]*parser.Config{
		sip, pjsip, users, ext, vm, prov}, dp: b.dp, ini: cfg, peers: b.peers, ctxScans: b.scans, graph: ctxGraph, dials: b.dialIdx, decls: b.decls, reach: b.reach,
		nums: b.nums, trunks: slices.Clone(trunks), unowned: b.unowned, setup: b.setup, ownerAt: b.ownerAt, orphans: b.orphans,
		exts: exts, extKeys: b.extKeys, extFirst: b.extFirst, extIDsFirst: b.extIDsFirst}
	snap.parsed.cfg[extIdx] = withoutLines(ext)
	snap.Files = files
	// The section owners are worked out when first asked for (Owners),
	// from what this load saw: the lists as built (the snapshot sorts its
	// own in place), extensions.conf's sections without their lines.
	ownersOf := &Snapshot{Tenants: slices.Clone(b.tenants), Extensions: exts, Trunks: slices.Clone(trunks)}
	extSections := snap.parsed.cfg[extIdx]
	snap.owners = &lazyOwners{build: func() map[string][]SectionOwner {
		return sectionOwners(ownersOf, sip, pjsip, users, extSections)
	}}
	for d := range b.dirs {
		snap.WatchDirs = append(snap.WatchDirs, d)
	}
	sort.Strings(snap.WatchDirs)
	snap.Fingerprint = b.fingerprint()
	flowDone.Wait()
	snap.Flow, snap.Destinations = graph, dests
	b.diags = append(b.diags, flowDiags...)
	b.diags.Sort()
	// The passes read shared lines more than once (indexDials and the
	// flows, every tenant walking a shared context, every source reaching
	// one Goto): each problem is reported once. Sorted, repeats are adjacent.
	snap.Diags = slices.Compact(b.diags).Cap(cfg.server.Limits.MaxDiagnosticsPerFile, cfg.server.Limits.MaxDiagnostics)
	snap.BuildDuration = time.Since(start)
	return newSnapshot(snap, indexed{exts: true, lists: true, groups: groups}), nil
}

// parseNames are the top-level Asterisk files, in the order they are
// recorded.
var parseNames = [...]string{"sip.conf", "pjsip.conf", "users.conf", "extensions.conf", "voicemail.conf", "phoneprov.conf"}

const (
	sipIdx   = 0 // sip.conf
	usersIdx = 2 // users.conf
	extIdx   = 3 // extensions.conf
)

// parsedFiles is what a load parsed, kept in its snapshot for the next
// load (LoadFrom): the top-level files' parses, extensions.conf's without
// its lines (the dialplan built from it is kept instead), and the
// settings they were read with.
type parsedFiles struct {
	dir    string
	roots  []string
	limits Limits
	cfg    [len(parseNames)]*parser.Config
	dp     *parser.Dialplan // users.conf's extensions added
	ini    *iniConfig       // astapi.ini as read
	// peers are the peers resolved, for the next load to share or copy
	// (see peerSet.again, sipReuse); ctxScans the dialplan's contexts
	// scanned.
	peers    *peerSet
	ctxScans *contextScans
	// graph and dials are what drawContexts and indexDials derived from
	// the dialplan, for the next load to patch (see dialplanDelta).
	graph *contextGraph
	dials *dialIndex
	// decls are the tenant declarations the tenants were made from, reach
	// what tenantContexts gave each (in the tenants' order as made).
	decls []tenantDecl
	reach []tenantReach
	// nums are each peer's extension number, trunks the trunks as
	// extensions made them (unowned those of no tenant): see numbersKept.
	nums    []string
	trunks  []*Peer
	unowned []*Peer
	// setup is what the tenant declarations made, ownerAt each peer's
	// tenant (an index in the tenants as made, -1: none), orphans the
	// phones of no tenant: see assignTenants.
	setup   *tenantSetup
	ownerAt []int32
	orphans []int32
	// exts are the extensions in the order built, extKeys their natural
	// keys (tenant key, NUL, number), extFirst the index of their first
	// peer in peers.list, extIDsFirst whether every ID is its key's first
	// choice: the next load takes over the IDs of the keys it has in the
	// same places (extensionIDs), and an extension whole when nothing it
	// is made from changed (sameExtension).
	exts        []*Extension
	extKeys     []string
	extFirst    []int32
	extIDsFirst bool
}

// withoutLines is cfg without its sections' lines: what a load needs of
// a parse it keeps but does not read again. Sections already without
// (kept from an earlier load) are shared.
func withoutLines(cfg *parser.Config) *parser.Config {
	if cfg == nil || !slices.ContainsFunc(cfg.Sections, func(s *parser.Section) bool { return s.Vars != nil }) {
		return cfg
	}
	out := *cfg
	out.Sections = make([]*parser.Section, len(cfg.Sections))
	for i, s := range cfg.Sections {
		if s.Vars != nil {
			c := *s
			c.Vars = nil
			s = &c
		}
		out.Sections[i] = s
	}
	return &out
}

// parseJob reads the four files of an asterisk_dir concurrently, and
// builds the dialplan as soon as extensions.conf is read (while the
// builder reads the peers: they do not depend on each other, and the
// diagnostics are sorted at the end, so the order they are found in does
// not matter).
type parseJob struct {
	dir    string
	roots  []string // include_roots
	limits Limits
	budget *parser.Budget // shared by the four files
	parsed [len(parseNames)]struct {
		cfg *parser.Config
		err error
	}
	read      sync.WaitGroup // parsed is set
	usersDone chan struct{}  // parsed[usersIdx] is set
	dp        *parser.Dialplan
	built     sync.WaitGroup // dp is set (nil when extensions.conf failed)
	prev      *parsedFiles   // the last load's, when read with the same settings
	dpKept    bool           // dp is prev's (users.conf's extensions in it)
}

func startParse(dir string, roots []string, limits Limits, start time.Time, prev *Snapshot) *parseJob {
	j := &parseJob{dir: dir, roots: roots, limits: limits, budget: limits.budget(start), usersDone: make(chan struct{})}
	if prev != nil && prev.parsed != nil && prev.parsed.dir == dir && slices.Equal(prev.parsed.roots, roots) && prev.parsed.limits == limits {
		j.prev = prev.parsed
	}
	j.read.Add(len(parseNames))
	for i := range parseNames {
		if i == extIdx {
			continue
		}
		go func() {
			defer j.read.Done()
			if i == usersIdx {
				defer close(j.usersDone)
			}
			j.parsed[i].cfg, j.parsed[i].err = j.parseOrKeep(i)
		}()
	}
	j.built.Go(func() {
		if j.keepDialplan() {
			j.read.Done()
			return
		}
		ext, err := j.parseFile(parseNames[extIdx])
		j.parsed[extIdx].cfg, j.parsed[extIdx].err = ext, err
		j.read.Done()
		switch {
		case err != nil || (ext != nil && len(ext.ReadErrors) > 0):
			// the load fails
		case ext != nil:
			j.dp = parser.BuildDialplan(ext)
		default:
			j.dp = parser.BuildDialplan(&parser.Config{})
		}
	})
	return j
}

// parseOrKeep is the parse of top-level file i: the previous load's
// when nothing it read has changed, that parse with the changed files'
// sections parsed again when they are files of their own (a tenant's
// include file edited: parser.Refresh), else a new parse.
func (j *parseJob) parseOrKeep(i int) (*parser.Config, error) {
	if j.prev != nil && j.prev.cfg[i] != nil {
		if cfg, _, ok := parser.Refresh(j.prev.cfg[i], j.options()); ok && cfg.Charge(j.budget) {
			return cfg, nil
		}
	}
	cfg, err := j.parseFile(parseNames[i])
	if i == sipIdx && err == nil && j.prev != nil {
		// The peers are taken over by section (sipReuse): those of the
		// sections a whole parse gives again unchanged are shared.
		parser.Adopt(cfg, j.prev.cfg[i])
	}
	return cfg, err
}

// keepDialplan takes over the previous load's dialplan when users.conf
// (which adds to it) is unchanged and extensions.conf's files are too, or
// only the tenant files whose contexts are their own changed: then only
// those contexts are loaded again (parser.Dialplan.Splice). users.conf
// is looked at first, and a budget is charged only for what is taken.
func (j *parseJob) keepDialplan() bool {
	if j.prev == nil || j.prev.dp == nil || j.prev.cfg[extIdx] == nil {
		return false
	}
	<-j.usersDone
	if u := j.parsed[usersIdx]; u.err != nil || u.cfg != j.prev.cfg[usersIdx] {
		return false // users.conf changed (or appeared, or went)
	}
	ext, reps, ok := parser.Refresh(j.prev.cfg[extIdx], j.options())
	if !ok {
		return false
	}
	dp := j.prev.dp
	if len(reps) > 0 {
		if dp = dp.Splice(ext, reps); dp == nil {
			return false
		}
	}
	if !ext.Charge(j.budget) {
		return false
	}
	j.parsed[extIdx].cfg, j.dp, j.dpKept = ext, dp, true
	return true
}

// abandon waits for a job whose results are not used (nil: none), so that
// no work of a Load outlives it.
func (j *parseJob) abandon() {
	if j != nil {
		j.read.Wait()
		j.built.Wait()
	}
}

// prescan is what prescanServer found.
type prescan struct {
	dir    string
	roots  []string
	limits Limits
}

// prescanServer reads asterisk_dir, include_roots and the limits of
// astapi.ini's [server] section as loadINI will resolve them,
// approximately (what it gets wrong only costs work, see load): ok is
// false when it finds no asterisk_dir.
func prescanServer(iniPath string) (pre prescan, ok bool) {
	data, err := safefile.ReadFile(iniPath, maxINIBytes)
	if err != nil {
		return pre, false
	}
	abs, err := filepath.Abs(iniPath)
	if err != nil {
		return pre, false
	}
	limitVals := map[string]string{}
	defer func() { pre.limits, _ = parseLimits(func(k string) string { return limitVals[k] }) }()
	resolve := func(p string) string {
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(abs), p)
		}
		return filepath.Clean(p)
	}
	inServer := false
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			name, _, _ := strings.Cut(line[1:], "]")
			inServer = strings.TrimSpace(name) == "server"
			continue
		}
		if !inServer {
			continue
		}
		key, val, found := strings.Cut(line, "=")
		if !found {
			continue
		}
		for _, c := range []string{" ;", "\t;", " #", "\t#"} {
			if i := strings.Index(val, c); i >= 0 {
				val = val[:i]
			}
		}
		val = strings.Trim(strings.TrimSpace(val), `"'`)
		switch key = strings.TrimSpace(key); key {
		case "asterisk_dir":
			if val != "" {
				pre.dir, ok = resolve(val), true
			}
		case "include_roots":
			pre.roots = pre.roots[:0]
			for _, r := range splitList(val) {
				pre.roots = append(pre.roots, resolve(r))
			}
		default:
			if slices.Contains(limitKeys, key) {
				limitVals[key] = val
			}
		}
	}
	return pre, ok
}

// parseFile reads one top-level Asterisk file of the job's dir. A
// missing file is fine (nil, nil); one that exists but cannot be read
// fails the load.
func (j *parseJob) parseFile(name string) (*parser.Config, error) {
	path := filepath.Join(j.dir, name)
	cfg, err := parser.ParseFile(path, j.options())
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("index: %w", err)
	}
	return cfg, nil
}

// options are the parser's options for the job's files.
func (j *parseJob) options() parser.Options {
	return parser.Options{Root: j.dir, AllowedRoots: append([]string{j.dir}, j.roots...),
		Budget: j.budget, MaxDiagnosticsPerFile: j.limits.MaxDiagnosticsPerFile}
}

// record notes the files, directories and diagnostics of a parsed file.
func (b *builder) record(name string, cfg *parser.Config) {
	for _, f := range cfg.Files {
		abs := f
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(b.dir, f)
		}
		b.files[abs] = true
		b.dirs[filepath.Dir(abs)] = true
	}
	for _, inc := range cfg.Includes {
		b.dirs[staticDir(inc.Pattern)] = true
	}
	if b.digests == nil {
		b.digests = map[string]string{}
	}
	for f, d := range cfg.Digests {
		if old, ok := b.digests[f]; ok && old != d {
			d = "" // read twice, changed in between
		}
		b.digests[f] = d
	}
	b.diags = append(b.diags, cfg.Diags...)
	b.fatal = append(b.fatal, cfg.ReadErrors...)
	if cfg.Invalid {
		b.warn(parser.Pos{File: name}, "Asterisk would reject %s as a whole (see the errors above); astapi serves what it could read", name)
	}
}

// staticDir is the deepest directory of a glob pattern without glob
// characters: where a file that the pattern will match can appear.
func staticDir(pattern string) string {
	dir := filepath.Dir(pattern)
	for strings.ContainsAny(dir, "*?[{") {
		dir = filepath.Dir(dir)
	}
	return dir
}

// fingerprint hashes what was read: astapi.ini's content, and the name
// (as in positions) and digest of every Asterisk file as the parser read
// it. Names are relative: replicas that keep the same files in different
// places agree.
func (b *builder) fingerprint() string {
	h := sha256.New()
	h.Write(b.ini.digest[:])
	for _, f := range slices.Sorted(maps.Keys(b.digests)) {
		h.Write([]byte(f))
		h.Write([]byte{0})
		h.Write([]byte(b.digests[f]))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// users gives the API users their IDs and tenant IDs.
func (b *builder) users() []*User {
	alloc := newIDAllocator("user")
	for _, p := range b.ini.userPin {
		if p != "" {
			alloc.pin(p)
		}
	}
	var keys []string
	for i, u := range b.ini.users {
		if b.ini.userPin[i] == "" {
			keys = append(keys, u.Name)
		}
	}
	ids := alloc.assign(keys)
	out := make([]*User, 0, len(b.ini.users))
	for i, u0 := range b.ini.users {
		u := *u0
		u.ID = b.ini.userPin[i]
		if u.ID == "" {
			u.ID = ids[u.Name]
		}
		u.Tenants = nil
		if u.IsAdmin() {
			for _, t := range b.tenants {
				u.Tenants = append(u.Tenants, t.ID)
			}
		} else {
			for _, key := range u0.Tenants {
				if t := b.byKey[key]; t != nil {
					u.Tenants = append(u.Tenants, t.ID)
				} else if b.discovery != "" {
					b.warn(parser.Pos{File: filepath.Base(b.ini.path)}, "[user %s]: tenants names %q, but no tenant of that name was discovered (discover = %s)", u.Name, key, b.discovery)
				}
			}
		}
		out = append(out, &u)
	}
	return out
}

// missingFile says why a top file of dir was not read. FreePBX and Issabel
// install sip.conf and extensions.conf as symlinks into the GUI's module
// directory, which a copied configuration lacks: name the link's target
// rather than call the file absent.
func missingFile(dir, name string) (why string, danglingLink bool) {
	p := filepath.Join(dir, name)
	if target, err := os.Readlink(p); err == nil {
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			return fmt.Sprintf("%s is a symlink to %s, which does not exist", name, target), true
		}
	}
	return name + " not found in asterisk_dir", false
}
