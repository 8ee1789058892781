package index

import (
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/astapi/astapi/flow"
	"github.com/astapi/astapi/internal/ids"
	"github.com/astapi/astapi/parser"
)

// Role is an API user's role.
type Role string

// The roles astapi.ini may give a user.
const (
	RoleAdmin  Role = "admin"
	RoleTenant Role = "tenant"
)

// Server is the [server] section of astapi.ini.
type Server struct {
	Listen      string // default 127.0.0.1:8080
	AsteriskDir string // absolute
	// IncludeRoots are extra directories #include may read from (astapi.ini
	// include_roots); by default only AsteriskDir.
	IncludeRoots []string
	// Region is the ISO 3166 region of numbers written without a country
	// code (astapi.ini region, e.g. CA); "" when unset.
	Region string
	// Name names the tenant discovered when astapi.ini declares none
	// (default "default"); Discover forces how tenants are discovered:
	// DiscoverSingle, DiscoverCode, DiscoverContexts, or "" to choose.
	Name     string
	Discover string
	// Limits bound a build (see Limits).
	Limits Limits
}

// The discovery modes of [server] discover (SPEC §3).
const (
	DiscoverSingle   = "single"   // one tenant holding everything
	DiscoverCode     = "code"     // one tenant per -<code> of the phones' names
	DiscoverContexts = "contexts" // one tenant per phone context=
)

// Tenant is a customer of the PBX: declared in astapi.ini or discovered
// (SPEC §3).
type Tenant struct {
	ID       string
	Key      string // [tenant KEY] section name; discovered: [server] name, the -<code>, or the context
	Name     string
	Code     string   // peers named <number>-<code> belong here
	Contexts []string // dialplan contexts that belong to the tenant, sorted
	Declared bool
	Pos      parser.Pos
	at       int // its index in the load's list as made (assignTenants)
}

// User is an API user from astapi.ini.
type User struct {
	ID           string
	Name         string // [user NAME]: the Basic Auth user name
	Email        string
	PasswordHash []byte `json:"-"` // bcrypt
	Role         Role
	Tenants      []string // tenant IDs the user may see (all for admins)
	Secrets      bool     // may read SIP secrets (/extension/user)
	Pos          parser.Pos
}

// IsAdmin reports whether the user sees every tenant.
func (u *User) IsAdmin() bool { return u.Role == RoleAdmin }

// CanSeeTenant reports whether the user may read the tenant's data.
func (u *User) CanSeeTenant(tenantID string) bool {
	if u.IsAdmin() {
		return true
	}
	for _, t := range u.Tenants {
		if t == tenantID {
			return true
		}
	}
	return false
}

// Secret kinds of a Peer.
const (
	SecretPlain    = "secret"    // sip.conf/users.conf secret=
	SecretMD5      = "md5secret" // sip.conf md5secret= (an MD5 digest, not the password)
	SecretPassword = "password"  // pjsip auth password=
	SecretMD5Cred  = "md5_cred"  // pjsip auth md5_cred=
)

// Peer is a SIP device or trunk: a sip.conf peer/friend, a pjsip.conf
// endpoint, or a users.conf user with hassip.
type Peer struct {
	Name       string
	Tech       string // "SIP" or "PJSIP"
	Source     string // "sip.conf", "pjsip.conf" or "users.conf"
	Host       string // "dynamic", a host, or "" when unset
	Secret     string `json:"-"`
	SecretKind string // one of the Secret* constants, "" when there is none
	SecretPos  parser.Pos
	Context    string
	TenantID   string
	Trunk      bool
	Type       string // sip.conf type (friend, peer), "endpoint" for PJSIP
	Pos        parser.Pos
	// Info is what Asterisk shows of the peer (the peer dump's fields).
	Info PeerInfo
	// System says why the peer is a system endpoint (PJSIP anonymous,
	// FreePBX's dpma_endpoint…): not a phone, never listed. "" otherwise.
	System string
	// Vars is the resolved variable list the peer was built from (users.conf
	// [general] defaults, templates, then its own lines; for PJSIP the
	// endpoint's, then its auth's and aor's). The secret audit reads it.
	Vars []parser.Var `json:"-"`
}

// Extension is a phone line of a tenant: the peers that share one number.
type Extension struct {
	ID          string
	TenantID    string
	Number      string
	Name        string
	CIDNum      string
	CIDName     string
	CallWaiting string // "yes", "no" or ""
	Peers       []*Peer
}

// Destination is one edge of a tenant's call flow.
type Destination struct {
	ID       string
	TenantID string
	TypeSrc  string // DID, CONDITION, NOTCONDITION, IVR_0…, EXT-NOANSWER, …
	TypeDst  string // EXT, HUNTLIST, QUEUE, VOICEMAIL, IVR, CONDITION, DISA, MEETME, PLAYBACK, SPECIAL, CUSTOM
	Ord      int
	Src      string // context,exten,priority
	Dst      string // context,exten,priority (or the raw target when unresolved)
	File     string
	Line     int
}

// Snapshot is one complete, immutable build of the configuration.
type Snapshot struct {
	Generation    uint64 // set by the Store when it publishes the snapshot
	BuiltAt       time.Time
	BuildDuration time.Duration
	// Fingerprint is a hash of every file read (names and contents): equal
	// on every replica that reads the same files.
	Fingerprint string
	ConfigFile  string   // astapi.ini, absolute
	Files       []string // every file read, absolute, sorted
	WatchDirs   []string // directories whose changes may change the snapshot
	Server      Server
	parsed      *parsedFiles // for the next load (LoadFrom)

	Tenants      []*Tenant      // by numeric ID
	Users        []*User        // by numeric ID
	Extensions   []*Extension   // by numeric ID
	Trunks       []*Peer        // by name
	Destinations []*Destination // by numeric ID
	Mailboxes    []*Mailbox     // by numeric ID (voicemail.go)
	Phones       []*Phone       // by numeric ID (phones.go)
	// Flow is the call-flow graph (objects and the edges between them);
	// nil until the call-flow reader fills it.
	Flow *flow.Graph
	// SIPGeneral is sip.conf's [general] section (nil when absent); the
	// audit reads allowguest and alwaysauthreject from it.
	SIPGeneral *parser.Section
	Dialplan   *parser.Dialplan
	Diags      parser.Diagnostics
	// SectionOwners maps a file (as named in Diags) to its sections, in
	// line order, with their tenants: what a tenant user may see of the
	// diagnostics (see DiagTenants). Read it through Owners: a load
	// leaves it nil and works it out at the first call.
	SectionOwners map[string][]SectionOwner
	owners        *lazyOwners

	usersByName    map[string]*User
	usersByEmail   map[string]*User
	tenantsByID    map[string]*Tenant
	tenantsByKey   map[string]*Tenant
	extByTenant    map[string][]*Extension
	destByTenant   map[string][]*Destination
	trunksByTenant map[string][]*Peer
	objByTenant    map[string][]*flow.Object
	edgesByTenant  map[string][]*flow.Edge
	readAPI        readAPIIndex
}

// UserByName returns the API user called name, or nil.
func (s *Snapshot) UserByName(name string) *User { return s.usersByName[name] }

// UserByEmail returns the API user with that e-mail (case-insensitive), or nil.
func (s *Snapshot) UserByEmail(email string) *User { return s.usersByEmail[lower(email)] }

// TenantByID returns the tenant with that ID, or nil.
func (s *Snapshot) TenantByID(id string) *Tenant { return s.tenantsByID[id] }

// TenantByKey returns the tenant with that section name, or nil.
func (s *Snapshot) TenantByKey(key string) *Tenant { return s.tenantsByKey[key] }

// ExtensionByID returns the extension with that ID, or nil.
func (s *Snapshot) ExtensionByID(id string) *Extension {
	e, _ := ids.FindByID(s.Extensions, func(e *Extension) string { return e.ID }, id)
	return e
}

// ExtensionsByTenant returns the tenant's extensions sorted by numeric ID.
func (s *Snapshot) ExtensionsByTenant(tenantID string) []*Extension { return s.extByTenant[tenantID] }

// DestinationsByTenant returns the tenant's destinations sorted by numeric ID.
func (s *Snapshot) DestinationsByTenant(tenantID string) []*Destination {
	return s.destByTenant[tenantID]
}

// ObjectByID returns the call-flow object with that ID, or nil.
func (s *Snapshot) ObjectByID(id string) *flow.Object {
	if s.Flow == nil {
		return nil
	}
	o, _ := ids.FindByID(s.Flow.Objects, func(o *flow.Object) string { return o.ID }, id)
	return o
}

// ObjectsByTenant returns the tenant's call-flow objects of type typ (every
// type when typ is ""), sorted by numeric ID.
func (s *Snapshot) ObjectsByTenant(tenantID, typ string) []*flow.Object {
	all := s.objByTenant[tenantID]
	if typ == "" {
		return all
	}
	var out []*flow.Object
	for _, o := range all {
		if o.Type == typ {
			out = append(out, o)
		}
	}
	return out
}

// EdgesByTenant returns the tenant's call-flow edges sorted by numeric ID.
func (s *Snapshot) EdgesByTenant(tenantID string) []*flow.Edge { return s.edgesByTenant[tenantID] }

// TrunksByTenant returns the tenant's trunks sorted by name.
func (s *Snapshot) TrunksByTenant(tenantID string) []*Peer { return s.trunksByTenant[tenantID] }

// TenantsOf returns the tenants a user may see, sorted by numeric ID.
func (s *Snapshot) TenantsOf(u *User) []*Tenant {
	if u.IsAdmin() {
		return s.Tenants
	}
	var out []*Tenant
	for _, t := range s.Tenants {
		if u.CanSeeTenant(t.ID) {
			out = append(out, t)
		}
	}
	return out
}

// NewSnapshot sorts s's lists by numeric ID and builds its lookup tables.
// Load uses it; tests may use it to build a Snapshot by hand.
func NewSnapshot(s *Snapshot) *Snapshot { return newSnapshot(s, indexed{}) }

// indexed says what of newSnapshot's work a load did already: exts
// (indexExtensions), lists (indexLists), and groups (nil: none), the call
// flow's lists by tenant (regroupFlow).
type indexed struct {
	exts, lists bool
	groups      *flowGroups
}

// newSnapshot is NewSnapshot, but for what done says is done.
func newSnapshot(s *Snapshot, done indexed) *Snapshot {
	// The long lists (extensions, destinations, the call flow) are done
	// concurrently.
	var wg sync.WaitGroup
	if !done.exts {
		wg.Go(s.indexExtensions)
	}
	groups := done.groups
	destTenant := func(d *Destination) string { return d.TenantID }
	if s.Flow == nil {
		wg.Go(func() {
			sortByID(s.Destinations, func(d *Destination) string { return d.ID })
			s.destByTenant = groupBy(s.Destinations, destTenant)
		})
	} else if groups != nil {
		s.objByTenant, s.edgesByTenant, s.destByTenant = groups.objects, groups.edges, groups.dests
	} else {
		// The call flow's lists come sorted (flow.Graph): checking it would
		// touch every item. Destinations are made from the edges, one each
		// in their order (Load's): then grouped alike. Each group has an
		// array of its own: a reload that takes over some (regroupFlow)
		// keeps only theirs.
		wg.Go(func() {
			s.objByTenant = groupIntoEach(groupingOf(s.Flow.Objects, func(o *flow.Object) string { return o.TenantID }), s.Flow.Objects)
		})
		wg.Go(func() {
			g := groupingOf(s.Flow.Edges, func(e *flow.Edge) string { return e.TenantID })
			s.edgesByTenant = groupIntoEach(g, s.Flow.Edges)
			if fits(g, s.Destinations, destTenant) {
				s.destByTenant = groupIntoEach(g, s.Destinations)
			} else {
				s.destByTenant = groupIntoEach(groupingOf(s.Destinations, destTenant), s.Destinations)
			}
		})
	}
	defer wg.Wait()
	if !done.lists {
		s.indexLists()
	}
	return s
}

// indexLists sorts the tenants, users and trunks, and makes their
// look-ups and those of the read endpoints.
func (s *Snapshot) indexLists() {
	sortByID(s.Tenants, func(t *Tenant) string { return t.ID })
	sortByID(s.Users, func(u *User) string { return u.ID })
	sort.Slice(s.Trunks, func(i, j int) bool { return s.Trunks[i].Name < s.Trunks[j].Name })

	s.usersByName = make(map[string]*User, len(s.Users))
	s.usersByEmail = make(map[string]*User, len(s.Users))
	for _, u := range s.Users {
		s.usersByName[u.Name] = u
		if u.Email != "" {
			s.usersByEmail[lower(u.Email)] = u
		}
	}
	s.tenantsByID = make(map[string]*Tenant, len(s.Tenants))
	s.tenantsByKey = make(map[string]*Tenant, len(s.Tenants))
	for _, t := range s.Tenants {
		s.tenantsByID[t.ID] = t
		s.tenantsByKey[t.Key] = t
	}
	s.readAPI.build(s)
	s.trunksByTenant = map[string][]*Peer{}
	for _, p := range s.Trunks {
		s.trunksByTenant[p.TenantID] = append(s.trunksByTenant[p.TenantID], p)
	}
}

// indexExtensions sorts s.Extensions by ID (ExtensionByID searches
// them) and groups them by tenant. Load has it done while the call flow is read.
func (s *Snapshot) indexExtensions() {
	sortByID(s.Extensions, func(e *Extension) string { return e.ID })
	s.extByTenant = groupBy(s.Extensions, func(e *Extension) string { return e.TenantID })
}

func lower(s string) string { return strings.ToLower(s) }

// groupBy splits list by key, keeping the order, into slices of one
// shared array (each with no spare capacity).
func groupBy[T any](list []T, key func(T) string) map[string][]T {
	return groupInto(groupingOf(list, key), list)
}

// grouping is how groupBy splits a list: the keys in the order they come,
// the group of each item, the size of each group.
type grouping struct {
	keys    []string
	groupOf []int32
	counts  []int
}

func groupingOf[T any](list []T, key func(T) string) grouping {
	idx := map[string]int32{}
	g := grouping{groupOf: make([]int32, len(list))}
	lastKey, last := "", int32(-1)
	for i, v := range list {
		k := key(v)
		n := last
		// Lists sorted by ID hold their tenants' items in runs: a run
		// needs one map lookup.
		if n < 0 || k != lastKey {
			var ok bool
			if n, ok = idx[k]; !ok {
				n = int32(len(g.keys))
				idx[k] = n
				g.keys = append(g.keys, k)
				g.counts = append(g.counts, 0)
			}
			lastKey, last = k, n
		}
		g.counts[n]++
		g.groupOf[i] = n
	}
	return g
}

// fits reports whether list, item for item, has the keys of the list g
// was made from.
func fits[T any](g grouping, list []T, key func(T) string) bool {
	if len(list) != len(g.groupOf) {
		return false
	}
	for i, v := range list {
		if key(v) != g.keys[g.groupOf[i]] {
			return false
		}
	}
	return true
}

// groupInto splits list (of g's length) as g says.
func groupInto[T any](g grouping, list []T) map[string][]T {
	starts := make([]int, len(g.keys))
	next := 0
	for n, c := range g.counts {
		starts[n] = next
		next += c
	}
	all := make([]T, len(list))
	fill := append([]int(nil), starts...)
	for i, v := range list {
		n := g.groupOf[i]
		all[fill[n]] = v
		fill[n]++
	}
	out := make(map[string][]T, len(g.keys))
	for n, k := range g.keys {
		out[k] = all[starts[n]:fill[n]:fill[n]]
	}
	return out
}

// groupIntoEach is groupInto with each group in an array of its own.
func groupIntoEach[T any](g grouping, list []T) map[string][]T {
	groups := make([][]T, len(g.keys))
	for n, c := range g.counts {
		groups[n] = make([]T, 0, c)
	}
	for i, v := range list {
		n := g.groupOf[i]
		groups[n] = append(groups[n], v)
	}
	out := make(map[string][]T, len(g.keys))
	for n, k := range g.keys {
		out[k] = groups[n]
	}
	return out
}

// sortByID sorts list by numeric ID (see ids.SortByID).
func sortByID[T any](list []T, id func(T) string) { ids.SortByID(list, id) }
