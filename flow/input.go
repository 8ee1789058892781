package flow

import "github.com/astapi/astapi/parser"

// Input is what the reader needs from the rest of astapi: the dialplan
// and the facts package index derived from astapi.ini and the peers.
// The Graph keeps its Input's Tenants, Phones and Trunks (the next Build
// compares its own with them): they must not be modified after Build.
type Input struct {
	Dialplan *parser.Dialplan
	Tenants  []Tenant // in the order ties between tenants are broken
	Phones   []Phone
	Trunks   []Trunk
	// Line returns the text of a line of a configuration file (file as in
	// parser.Pos), or "" when it cannot; names come from its comments.
	// Nil: objects are named "context,exten".
	// Safe for concurrent use: the parts of a dialplan are read in
	// parallel.
	Line func(file string, line int) string
	// Digests are the files' digests (parser.Config.Digests), by the
	// names of parser.Pos. Nil: nothing is reused.
	Digests map[string]string
	// Previous is the Graph of the last Build, or nil: what this Build
	// would read again the same way is taken from it (see parts.go).
	Previous *Graph
	// Whole reads the dialplan as one part, reusing nothing: the same
	// Graph, slower (tests compare the two).
	Whole bool
}

// Tenant is a tenant and the dialplan contexts it owns.
type Tenant struct {
	ID, Key  string
	Contexts []string
}

// Phone is a SIP/PJSIP peer that is a phone line: Dial(Tech/Name) rings
// extension Number of tenant TenantID.
type Phone struct {
	Tech     string // "SIP", "PJSIP", "IAX2"…
	Name     string
	Number   string
	TenantID string
	Context  string // its context=: calls it places start there
}

// Trunk is a peer that carries outside calls; calls it brings in start in
// Context.
type Trunk struct {
	Tech, Name string
	Context    string
	TenantID   string // "" when it belongs to no tenant
}
