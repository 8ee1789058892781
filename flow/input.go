package flow

import "github.com/astapi/astapi/parser"

// Input is what the reader needs from the rest of astapi: the dialplan
// and the facts package index derived from astapi.ini and the peers.
type Input struct {
	Dialplan *parser.Dialplan
	Tenants  []Tenant // in the order ties between tenants are broken
	Phones   []Phone
	Trunks   []Trunk
	// Line returns the text of a line of a configuration file (file as in
	// parser.Pos), or "" when it cannot; names come from its comments.
	// Nil: objects are named "context,exten".
	Line func(file string, line int) string
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
