package index

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/astapi/astapi/parser"
)

// builder carries the state of one Load.
type builder struct {
	ini   *iniConfig
	dir   string
	diags parser.Diagnostics
	fatal parser.Diagnostics
	files map[string]bool // absolute paths read
	dirs  map[string]bool // directories to watch

	peers     *peerSet
	dp        *parser.Dialplan
	sipGen    *parser.Section
	dials     map[*Peer]*dialUse
	tenants   []*Tenant
	byKey     map[string]*Tenant
	owner     map[*Peer]*Tenant
	decls     []tenantDecl
	codes     map[string]int // lower-cased tenant code -> decl index
	peerGlobs *globSet       // tenants' peers globs, owner = decl index
	ctxGlobs  *globSet       // tenants' contexts globs, owner = decl index
	ctxOrder  map[string]int // context name -> dialplan order
	ctxSet    map[*Tenant]map[string]bool
}

// dialUse is how the dialplan dials a peer.
type dialUse struct {
	withNumber bool     // SIP/peer/123, SIP/123@peer, PJSIP/123@peer: a trunk
	alone      []string // "context\x00exten" of non-pattern extensions whose Dial rings only this peer
}

func (b *builder) load(iniPath string) (*Snapshot, error) {
	start := time.Now()
	cfg, err := loadINI(iniPath)
	if err != nil {
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
		if err == nil {
			err = errors.New("not a directory")
		}
		return nil, fmt.Errorf("index: asterisk_dir %s: %w", b.dir, err)
	}

	sip, err := b.parse("sip.conf")
	if err != nil {
		return nil, err
	}
	pjsip, err := b.parse("pjsip.conf")
	if err != nil {
		return nil, err
	}
	users, err := b.parse("users.conf")
	if err != nil {
		return nil, err
	}
	ext, err := b.parse("extensions.conf")
	if err != nil {
		return nil, err
	}
	if len(b.fatal) > 0 {
		b.fatal.Sort()
		return nil, &LoadError{Diags: b.fatal}
	}

	b.peers = newPeerSet()
	if users != nil {
		b.addUsersConf(b.peers, users)
	}
	if sip != nil {
		b.sipGen = sip.Section("general")
		b.addSIPConf(b.peers, sip)
	}
	if pjsip != nil {
		b.addPJSIP(b.peers, pjsip)
	}
	if ext != nil {
		b.dp = parser.BuildDialplan(ext)
		b.diags = append(b.diags, b.dp.Diags...)
	} else {
		b.dp = parser.BuildDialplan(&parser.Config{})
	}
	if users != nil {
		b.dp.AddUsers(users)
	}

	b.scanDials()
	b.markTrunks()
	b.ctxSet = map[*Tenant]map[string]bool{}
	b.assignTenants()
	b.tenantContexts()
	exts, trunks := b.extensions()
	dests := b.destinations()

	snap := &Snapshot{
		BuiltAt:      start,
		ConfigFile:   cfg.path,
		Server:       cfg.server,
		Tenants:      b.tenants,
		Users:        b.users(),
		Extensions:   exts,
		Trunks:       trunks,
		Destinations: dests,
		SIPGeneral:   b.sipGen,
		Dialplan:     b.dp,
	}
	for f := range b.files {
		snap.Files = append(snap.Files, f)
	}
	sort.Strings(snap.Files)
	for d := range b.dirs {
		snap.WatchDirs = append(snap.WatchDirs, d)
	}
	sort.Strings(snap.WatchDirs)
	snap.Fingerprint = fingerprint(snap.Files)
	b.diags.Sort()
	snap.Diags = b.diags
	snap.BuildDuration = time.Since(start)
	return NewSnapshot(snap), nil
}

// parse reads one top-level Asterisk file of asterisk_dir. A missing file
// is fine (nil, nil); one that exists but cannot be read fails the load.
func (b *builder) parse(name string) (*parser.Config, error) {
	path := filepath.Join(b.dir, name)
	roots := append([]string{b.dir}, b.ini.server.IncludeRoots...)
	cfg, err := parser.ParseFile(path, parser.Options{Root: b.dir, AllowedRoots: roots})
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("index: %w", err)
	}
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
	b.diags = append(b.diags, cfg.Diags...)
	b.fatal = append(b.fatal, cfg.ReadErrors...)
	if cfg.Invalid {
		b.warn(parser.Pos{File: name}, "Asterisk would reject %s as a whole (see the errors above); astapi serves what it could read", name)
	}
	return cfg, nil
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

func fingerprint(files []string) string {
	h := sha256.New()
	for _, f := range files {
		data, err := os.ReadFile(f)
		fmt.Fprintf(h, "%s\x00%d\x00", f, len(data))
		if err == nil {
			h.Write(data)
		}
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
				}
			}
		}
		out = append(out, &u)
	}
	return out
}

// scanDials records how every Dial() of the dialplan uses each peer.
func (b *builder) scanDials() {
	b.dials = map[*Peer]*dialUse{}
	use := func(p *Peer) *dialUse {
		if b.dials[p] == nil {
			b.dials[p] = &dialUse{}
		}
		return b.dials[p]
	}
	for _, c := range b.dp.Contexts {
		for _, e := range c.Extensions {
			for _, pr := range e.Priorities {
				if !strings.EqualFold(pr.App, "dial") {
					continue
				}
				targets := b.dialTargets(pr.Args, e, pr.Pos)
				for _, t := range targets {
					if t.peer == nil {
						continue
					}
					if t.number {
						use(t.peer).withNumber = true
					}
				}
				if len(targets) == 1 && targets[0].peer != nil && !targets[0].number && isNumber(e.Exten) {
					u := use(targets[0].peer)
					u.alone = append(u.alone, c.Name+"\x00"+e.Exten)
				}
			}
		}
	}
}

// dialTarget is one technology/resource of a Dial() argument.
type dialTarget struct {
	raw    string
	peer   *Peer // nil when not a known SIP/PJSIP peer
	number bool  // a number or URI is dialed through the peer
}

// dialTargets splits the first Dial() argument on '&' and finds the peers.
func (b *builder) dialTargets(args string, e *parser.Extension, pos parser.Pos) []dialTarget {
	first := parser.SplitArgs(args)[0]
	if strings.TrimSpace(first) == "${HINT}" && e != nil {
		first = e.Hint
	}
	first = b.dp.ExpandGlobals(first)
	var out []dialTarget
	for _, item := range strings.Split(first, "&") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		tech, rest, ok := strings.Cut(item, "/")
		t := dialTarget{raw: item}
		if !ok {
			out = append(out, t)
			continue
		}
		var name string
		switch strings.ToUpper(tech) {
		case "SIP", "PJSIP":
			if at := strings.IndexByte(rest, '@'); at >= 0 {
				name, t.number = rest[at+1:], true
			} else if sl := strings.IndexByte(rest, '/'); sl >= 0 {
				name, t.number = rest[:sl], true
			} else {
				name = rest
			}
		default:
			out = append(out, t)
			continue
		}
		if strings.Contains(name, "${") || name == "" {
			out = append(out, t)
			continue
		}
		t.peer = b.peers.get(name)
		if t.peer == nil {
			b.warn(pos, "Dial to %s/%s: no such peer in sip.conf, pjsip.conf or users.conf", tech, name)
		}
		out = append(out, t)
	}
	return out
}

// isNumber reports whether an extension is a plain dialable number.
func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] == '*' || s[i] == '#' || s[i] == '+') {
			return false
		}
	}
	return true
}

// markTrunks: a peer dialed with a number after it is a trunk, and so is a
// type=peer (or PJSIP endpoint) with a fixed host that no extension rings.
func (b *builder) markTrunks() {
	for _, p := range b.peers.list {
		u := b.dials[p]
		switch {
		case u != nil && u.withNumber:
			p.Trunk = true
		case (p.Type == "peer" || p.Tech == "PJSIP") && p.Host != "" && !strings.EqualFold(p.Host, "dynamic") && (u == nil || len(u.alone) == 0):
			p.Trunk = true
		}
	}
}
