package flow

import (
	"crypto/sha256"
	"strings"

	"github.com/astapi/astapi/parser"
)

// Object types: what an object is when an edge leads to it (de_type_dst).
// DID is the type of an inbound route; it is only ever a source.
const (
	TypeExt       = "EXT"
	TypeHuntlist  = "HUNTLIST"
	TypeQueue     = "QUEUE"
	TypeVoicemail = "VOICEMAIL"
	TypeIVR       = "IVR"
	TypeCondition = "CONDITION"
	TypeDISA      = "DISA"
	TypeMeetme    = "MEETME"
	TypePlayback  = "PLAYBACK"
	TypeSpecial   = "SPECIAL"
	TypeCustom    = "CUSTOM"
	TypeDID       = "DID"
)

// Source kinds: which outcome of an object an edge leaves by (de_type_src).
// IVR keys are "IVR_0"…"IVR_9", IVR_STAR, IVR_SHARP, IVR_TIMEOUT, IVR_WRONG.
const (
	SrcDID             = "DID"
	SrcCondition       = "CONDITION"
	SrcNotCondition    = "NOTCONDITION"
	SrcExtNoAnswer     = "EXT-NOANSWER"
	SrcExtBusy         = "EXT-BUSY"
	SrcHuntlistTimeout = "HUNTLIST-TIMEOUT"
	SrcQueueTimeout    = "QUEUE-TIMEOUT"
	SrcIVRStar         = "IVR_STAR"
	SrcIVRSharp        = "IVR_SHARP"
	SrcIVRTimeout      = "IVR_TIMEOUT"
	SrcIVRWrong        = "IVR_WRONG"
)

// NormalizeType maps the alias "NOT CONDITION" to "NOTCONDITION" and
// upper-cases any other type name.
func NormalizeType(t string) string {
	t = strings.TrimSpace(t)
	if strings.EqualFold(t, "NOT CONDITION") {
		return SrcNotCondition
	}
	return strings.ToUpper(t)
}

// Hunt ring-group strategies (hu_type).
const (
	HuntRingAll         = "RINGALL"
	HuntHunt            = "HUNT"
	HuntMemoryHunt      = "MEMORYHUNT"
	HuntFirstAvailable  = "FIRSTAVAILABLE"
	HuntFirstNotOnPhone = "FIRSTNOTONPHONE"
	HuntRandom          = "RANDOM"
)

// Condition kinds (co_type).
const (
	CondTime       = "TIME"
	CondCallerID   = "CALLERID"
	CondDayNight   = "DAYNIGHT"
	CondExpression = "EXPRESSION"
)

// Custom destination kinds (ct_name), in cu_ct_id order 1–4.
const (
	CustomForward     = "FORWARD"
	CustomAGI         = "AGI"
	CustomApplication = "APPLICATION"
	CustomUnknown     = "UNKNOWN"
)

// Object is one call-flow object of a tenant.
type Object struct {
	// ID is deterministic (SPEC §5): a function of the object's kind and
	// natural key (tenant key, type, Entry; and the call site for what a
	// macro reaches for each of its callers), stable when unrelated lines
	// change.
	ID       string
	TenantID string
	Type     string // one of the Type* constants
	// Entry is where a Goto or Dial lands on the object: "context,exten,
	// priority" (an edge's de_dst). For a CUSTOM object that cannot be
	// resolved it is the raw target as written.
	Entry   string
	Context string // "" for an unresolved target
	Exten   string
	// Name is the comment on the object's context header or first line
	// (FreePBX writes `[ivr-1] ; Main Menu`), else "context,exten".
	Name string
	Pos  parser.Pos // the entry's line
	// Number is the dialable number of the object where it has one: the
	// phone's extension (EXT), the extension that reaches a ring group or
	// queue, the voicemail box, the route's extension as written (DID).
	Number string

	// Exactly one of these is set, for the types that have details.
	Hunt      *Hunt      // HUNTLIST
	Condition *Condition // CONDITION
	Custom    *Custom    // CUSTOM
	DID       *DID       // DID
	Voicemail *Voicemail // VOICEMAIL
}

// Hunt is what a ring group does.
type Hunt struct {
	Strategy   string   `json:"strategy"`     // one of the Hunt* constants
	RingTime   int      `json:"ring_time"`    // seconds; 0 when not set
	CheckInUse bool     `json:"check_in_use"` // busy members are skipped
	Members    []string `json:"members"`      // phone numbers (or outside numbers) in ring order
}

// Condition is what a condition tests.
type Condition struct {
	Kind     string   `json:"kind"`     // one of the Cond* constants
	Timezone string   `json:"timezone"` // TIME: the timezone field, "" when unset
	Params   []string `json:"params"`   // TIME: one "times,weekdays,mdays,months" per range; CALLERID: one number each; EXPRESSION: the expression
}

// Custom is what a CUSTOM target does.
type Custom struct {
	Kind        string `json:"kind"`        // one of the Custom* constants
	Description string `json:"description"` // plain text: "Forward call to 5145550000", "Run AGI script.agi"
}

// DID is an inbound route.
type DID struct {
	Trunks         []string `json:"trunks"`           // names of the trunks whose context reaches it, sorted
	Recording      bool     `json:"recording"`        // records before its first object
	Fax            bool     `json:"fax"`              // detects or receives fax
	CIDNumPrefix   string   `json:"cid_num_prefix"`   // text put before the caller's number
	CIDNamePrefix  string   `json:"cid_name_prefix"`  // text put before the caller's name
	CIDNameComment string   `json:"cid_name_comment"` // reserved: the route's description when the files carry one
}

// Voicemail is the box a VOICEMAIL target leaves a message in.
type Voicemail struct {
	Box     string `json:"box"`     // box number
	Context string `json:"context"` // voicemail.conf context, "default" when unqualified
	Kind    string `json:"kind"`    // "", "busy", "unavail", "main" (VoiceMailMain) …
}

// Edge is one destination: from an outcome of one object to another
// object (one per source object, source kind and target object).
type Edge struct {
	ID       string
	TenantID string // the tenant that owns the target object
	TypeSrc  string // one of the Src* kinds, or an IVR key kind
	From     *Object
	To       *Object
	Ord      int        // 1-based order of To among From's targets of this kind
	Src      string     // "context,exten,priority" of the priority that sends the call
	Pos      parser.Pos // that priority's line (de_file, de_line)
}

// Dst is the edge's de_dst: the target object's entry.
func (e *Edge) Dst() string { return e.To.Entry }

// TypeDst is the edge's de_type_dst: the target object's type.
func (e *Edge) TypeDst() string { return e.To.Type }

// Graph is the call flow of every tenant, built once per snapshot and
// never modified afterwards.
type Graph struct {
	Objects []*Object // sorted by numeric ID
	Edges   []*Edge   // sorted by numeric ID
	Reuse   Reuse     // how the Build went

	parts    map[[sha256.Size]byte]*part  // by key: what the next Build may reuse
	links    *splitLinks                  // what split found, for the next Build's
	tables   *tables                      // the Input's look-ups, for the next Build's
	internal *phoneContexts               // the phones' contexts, for the next Build's
	keys     map[*parser.Context]*partKey // by the first of their parts' contexts, for the next Build's keys
	// partsWhole: parts holds every part, and the lists hold their items
	// and no other (see mergeFirstChoice); objNums and edgeNums are the
	// lists' IDs as numbers (nil when IDs clashed).
	partsWhole        bool
	objNums, edgeNums []uint64
	changes           *Changes // see Changes
}

// Changes is how a Build changed the lists of the Graph it was given as
// Input.Previous, when it made them from those (most parts reused):
// the objects and edges of the parts read again, sorted by ID, and the
// items of the previous lists left out. Every other item is in both
// lists, in the same order.
type Changes struct {
	AddedObjects   []*Object
	DroppedObjects map[*Object]bool
	AddedEdges     []*Edge
	DroppedEdges   map[*Edge]bool
}

// Changes is nil when the Build made its lists afresh. The items left
// out stay referenced until g is replaced: a reload's worth.
func (g *Graph) Changes() *Changes {
	if g == nil {
		return nil
	}
	return g.changes
}

// EdgeNums are the Edges' IDs as numbers, in their order; nil when g (or
// its Build, when IDs clashed) has none.
func (g *Graph) EdgeNums() []uint64 {
	if g == nil || len(g.edgeNums) != len(g.Edges) {
		return nil
	}
	return g.edgeNums
}
