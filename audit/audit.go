package audit

import (
	"bufio"
	"cmp"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	_ "embed"
	"math"
	"slices"
	"strings"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/parser"
)

//go:embed common-passwords.txt
var commonPasswordsText string

// Finding is one rule violated by one peer (or by sip.conf [general]). It
// never holds a secret, not even part of one.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Reason   string   `json:"reason"`
	TenantID string   `json:"tenant_id"` // "" for global settings
	Tenant   string   `json:"tenant"`
	Peer     string   `json:"peer"` // "" for global settings
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Detail   string   `json:"detail,omitempty"`
	// Shared names, for S7, the other peers that use the same secret; the
	// Detail names them too. ForViewer rebuilds the Detail for a reader who
	// may not see every tenant.
	Shared []PeerRef `json:"-"`
}

// PeerRef names a peer and its tenant ("" when it belongs to none).
type PeerRef struct {
	Name     string
	TenantID string
}

// ForViewer returns the finding as a reader who may see only the tenants
// for which canSee is true should see it, and false when that reader must
// not see it at all. A nil canSee sees everything (an admin). Findings
// about sip.conf [general] concern every tenant and are always kept; a
// finding about a peer of no tenant, or of a tenant the reader cannot see,
// is dropped. An S7 finding names only the sharing peers the reader may
// see, and is dropped when none is left: telling a tenant that its secret
// also opens some other tenant's peer would hand it that peer's password.
func (f Finding) ForViewer(canSee func(tenantID string) bool) (Finding, bool) {
	if canSee == nil || f.TenantID == "" && f.Peer == "" {
		return f, true
	}
	if f.TenantID == "" || !canSee(f.TenantID) {
		return f, false
	}
	if len(f.Shared) == 0 {
		return f, true
	}
	var visible []PeerRef
	for _, q := range f.Shared {
		if q.TenantID != "" && canSee(q.TenantID) {
			visible = append(visible, q)
		}
	}
	if len(visible) == 0 {
		return f, false
	}
	if len(visible) < len(f.Shared) {
		f.Shared = visible
		f.Detail = sharedDetail(f.TenantID, visible)
	}
	return f, true
}

// sharedDetail is the Detail of an S7 finding of a peer of tenant whose
// secret the others also use.
func sharedDetail(tenant string, others []PeerRef) string {
	names := make([]string, len(others))
	cross := false
	for i, q := range others {
		names[i] = q.Name
		cross = cross || q.TenantID != tenant
	}
	detail := "also used by " + strings.Join(names, ", ")
	if cross {
		detail += " (across tenants)"
	}
	return detail
}

// Auditor runs the rules. Its zero value is not usable; use New.
type Auditor struct {
	common map[string]bool
}

// New returns an Auditor with the bundled list of common passwords.
func New() *Auditor {
	a := &Auditor{common: map[string]bool{}}
	sc := bufio.NewScanner(strings.NewReader(commonPasswordsText))
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" && !strings.HasPrefix(w, "#") {
			a.common[w] = true
		}
	}
	return a
}

// Run audits every peer (extensions and trunks) of the snapshot and its
// sip.conf [general] section. Findings are sorted by tenant, peer, rule.
func (a *Auditor) Run(s *index.Snapshot) []Finding {
	r := &run{a: a, s: s, tenants: map[string]*index.Tenant{}, salt: make([]byte, 32), seen: map[string][]*index.Peer{}}
	_, _ = rand.Read(r.salt)
	for _, t := range s.Tenants {
		r.tenants[t.ID] = t
	}
	var peers []*index.Peer
	numbers := map[*index.Peer]string{}
	for _, e := range s.Extensions {
		for _, p := range e.Peers {
			peers = append(peers, p)
			numbers[p] = e.Number
		}
	}
	peers = append(peers, s.Trunks...)
	for _, p := range peers {
		r.peer(p, numbers[p])
	}
	r.duplicates()
	r.general()
	r.mailboxes()
	r.passcodes()
	slices.SortStableFunc(r.out, func(x, y Finding) int {
		return cmp.Or(
			strings.Compare(x.Tenant, y.Tenant),
			strings.Compare(x.Peer, y.Peer),
			cmp.Compare(ruleOrder(x.Rule), ruleOrder(y.Rule)),
		)
	})
	return r.out
}

func ruleOrder(id string) int {
	for i, r := range Rules {
		if r.ID == id {
			return i
		}
	}
	return len(Rules)
}

type run struct {
	a       *Auditor
	s       *index.Snapshot
	tenants map[string]*index.Tenant
	salt    []byte
	seen    map[string][]*index.Peer // salted secret hash -> peers
	out     []Finding
	// dialsOut memoises dialsOutUnauthenticated per context: thousands of
	// peers usually share a handful of contexts (walking it once per peer
	// took two minutes for one tenant of 10k phones).
	dialsOut map[string]string
}

// add adds a finding about peer p (nil: about no peer, as addAt with "").
func (r *run) add(id string, p *index.Peer, pos parser.Pos, detail string) {
	if p == nil {
		r.addAt(id, "", "", pos, detail)
		return
	}
	r.addAt(id, p.TenantID, p.Name, pos, detail)
}

func lastVar(vars []parser.Var, names ...string) *parser.Var {
	for i := len(vars) - 1; i >= 0; i-- {
		for _, n := range names {
			if strings.EqualFold(vars[i].Name, n) {
				return &vars[i]
			}
		}
	}
	return nil
}

func (r *run) peer(p *index.Peer, number string) {
	dynamic := strings.EqualFold(p.Host, "dynamic")
	if p.SecretKind == "" {
		if dynamic {
			r.add("S1", p, p.Pos, "")
		}
	} else if p.SecretKind != index.SecretMD5 && p.SecretKind != index.SecretMD5Cred {
		r.secret(p, number)
	}
	if p.SecretKind != "" {
		key := r.hashKey(p.Secret)
		r.seen[key] = append(r.seen[key], p)
	}
	if v := lastVar(p.Vars, "insecure"); v != nil && dynamic && strings.Contains(strings.ToLower(v.Value), "invite") {
		r.add("S8", p, v.Pos, "insecure="+v.Value)
	}
	if lastVar(p.Vars, "permit", "deny", "acl", "contact_permit", "contact_deny", "contact_acl") == nil {
		r.add("S9", p, p.Pos, "")
	}
	if p.Type == "friend" && !p.Trunk {
		if where := r.dialsOutUnauthenticated(p.Context); where != "" {
			r.add("G3", p, p.Pos, "context "+p.Context+" dials out at "+where)
		}
	}
}

// secret applies the rules that need the plain secret: S2–S6.
func (r *run) secret(p *index.Peer, number string) {
	sec := p.Secret
	pos := p.SecretPos
	if len([]rune(sec)) < 12 {
		r.add("S2", p, pos, "")
	}
	if isDigits(sec) {
		r.add("S3", p, pos, "")
	}
	low := strings.ToLower(sec)
	t := r.tenants[p.TenantID]
	candidates := []struct{ what, value string }{{"peer name", p.Name}, {"extension number", number}}
	if v := lastVar(p.Vars, "defaultuser", "username"); v != nil {
		candidates = append(candidates, struct{ what, value string }{"user name", v.Value})
	}
	if t != nil {
		candidates = append(candidates, struct{ what, value string }{"tenant code", t.Code})
	}
	for _, c := range candidates {
		v := strings.ToLower(strings.TrimSpace(c.value))
		if len(v) >= 3 && strings.Contains(low, v) {
			r.add("S4", p, pos, "contains the "+c.what)
			break
		}
	}
	if r.a.isCommon(low) {
		r.add("S5", p, pos, "")
	}
	if classes(sec) <= 1 || entropyBits(sec) < 40 {
		r.add("S6", p, pos, "")
	}
}

// hashKey is the keyed hash (HMAC-SHA256, salted per run) under which
// equal secrets meet without being kept.
func (r *run) hashKey(secret string) string {
	mac := hmac.New(sha256.New, r.salt)
	mac.Write([]byte(secret))
	return string(mac.Sum(nil))
}

// addShared adds rule id once per holder refs[i] (at pos[i]) of a secret
// the others also hold, naming them in Detail and Shared.
func (r *run) addShared(id string, refs []PeerRef, pos []parser.Pos) {
	for i, ref := range refs {
		others := allBut(refs, i)
		r.addAt(id, ref.TenantID, ref.Name, pos[i], sharedDetail(ref.TenantID, others))
		r.out[len(r.out)-1].Shared = others
	}
}

// allBut returns refs without its i-th element (a new slice).
func allBut(refs []PeerRef, i int) []PeerRef {
	out := make([]PeerRef, 0, len(refs)-1)
	out = append(out, refs[:i]...)
	return append(out, refs[i+1:]...)
}

// duplicates reports S7 once per peer sharing its secret with another.
func (r *run) duplicates() {
	for _, peers := range r.seen {
		if len(peers) < 2 {
			continue
		}
		refs := make([]PeerRef, len(peers))
		pos := make([]parser.Pos, len(peers))
		for i, p := range peers {
			refs[i], pos[i] = PeerRef{Name: p.Name, TenantID: p.TenantID}, p.SecretPos
		}
		r.addShared("S7", refs, pos)
	}
}

// general checks sip.conf [general]: chan_sip defaults allowguest to yes
// and alwaysauthreject to yes.
func (r *run) general() {
	g := r.s.SIPGeneral
	if g == nil {
		return
	}
	if v := g.Lookup("allowguest"); v == nil || !parser.IsFalse(v.Value) {
		pos := g.Pos
		detail := "allowguest is unset (default yes)"
		if v != nil {
			pos, detail = v.Pos, "allowguest="+v.Value
		}
		r.add("G1", nil, pos, detail)
	}
	if v := g.Lookup("alwaysauthreject"); v != nil && !parser.IsTrue(v.Value) {
		r.add("G2", nil, v.Pos, "alwaysauthreject="+v.Value)
	}
}

// dialsOutUnauthenticated returns where (file:line) a context, or one it
// includes, runs a Dial() through a trunk or channel with a number after
// it, in an extension with no Authenticate/VMAuthenticate/DISA before it.
func (r *run) dialsOutUnauthenticated(ctx string) string {
	if where, ok := r.dialsOut[ctx]; ok {
		return where
	}
	where := r.walkDialsOut(ctx)
	if r.dialsOut == nil {
		r.dialsOut = map[string]string{}
	}
	r.dialsOut[ctx] = where
	return where
}

func (r *run) walkDialsOut(ctx string) string {
	dp := r.s.Dialplan
	if dp == nil || ctx == "" {
		return ""
	}
	seen := map[string]bool{}
	queue := []string{ctx}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if seen[name] {
			continue
		}
		seen[name] = true
		c := dp.Context(name)
		if c == nil {
			continue
		}
		for _, inc := range c.Includes {
			queue = append(queue, inc.Context)
		}
		for _, e := range c.Extensions {
			for _, p := range e.Priorities {
				app := strings.ToLower(p.App)
				if app == "authenticate" || app == "vmauthenticate" || app == "disa" {
					break
				}
				if app == "dial" && index.DialsOut(dp.ExpandGlobals(parser.SplitArgs(p.Args)[0])) {
					return p.Pos.String()
				}
			}
		}
	}
	return ""
}

func (a *Auditor) isCommon(low string) bool {
	if a.common[low] {
		return true
	}
	base := low
	for i := 0; i < 4 && len(base) > 0; i++ {
		c := base[len(base)-1]
		if (c >= 'a' && c <= 'z') || c >= 0x80 {
			break
		}
		base = base[:len(base)-1]
		if len(base) >= 4 && a.common[base] {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// classes counts the character classes used: lower, upper, digit, other.
func classes(s string) int {
	var seen [4]bool
	for _, c := range s {
		seen[class(c)] = true
	}
	n := 0
	for _, b := range seen {
		if b {
			n++
		}
	}
	return n
}

// class is 0 for a lower-case ASCII letter, 1 upper-case, 2 a digit, 3
// anything else. (Ifs rather than a switch: `make mutate` can only see
// a condition that is inside a statement.)
func class(c rune) int {
	if c >= 'a' && c <= 'z' {
		return 0
	}
	if c >= 'A' && c <= 'Z' {
		return 1
	}
	if c >= '0' && c <= '9' {
		return 2
	}
	return 3
}

// entropyBits is the Shannon entropy of the secret's own characters times
// its length: a rough measure that flags repeats like "aaaaaaaaaaaa1".
func entropyBits(s string) float64 {
	counts := map[rune]int{}
	n := 0
	for _, c := range s {
		counts[c]++
		n++
	}
	var h float64
	for _, k := range counts {
		p := float64(k) / float64(n)
		h -= p * math.Log2(p)
	}
	return h * float64(n)
}

// Filter keeps the findings of the given tenants (all when tenantIDs is
// nil; the sip.conf [general] ones always) at or above min severity. A
// finding about a peer of no tenant is kept only when tenantIDs is nil.
func Filter(fs []Finding, tenantIDs map[string]bool, min Severity) []Finding {
	out := []Finding{}
	for _, f := range fs {
		if f.Severity.Rank() < min.Rank() {
			continue
		}
		global := f.TenantID == "" && f.Peer == ""
		if !global && tenantIDs != nil && !tenantIDs[f.TenantID] {
			continue
		}
		out = append(out, f)
	}
	return out
}
