package index

import "github.com/astapi/astapi/parser"

// Redacted replaces a secret in dumps made without --secrets.
const Redacted = "<redacted>"

// IndexDump is the stable JSON shape of `astapi dump index`.
type IndexDump struct {
	Generation   uint64             `json:"generation"`
	Tenants      []TenantDump       `json:"tenants"`
	Users        []UserDump         `json:"users"`
	Extensions   []ExtensionDump    `json:"extensions"`
	Trunks       []PeerDump         `json:"trunks"`
	Destinations []DestinationDump  `json:"destinations"`
	Diagnostics  parser.Diagnostics `json:"diagnostics"`
}

// TenantDump is a Tenant in dumps.
type TenantDump struct {
	ID       string   `json:"id"`
	Key      string   `json:"key"`
	Name     string   `json:"name"`
	Code     string   `json:"code"`
	Declared bool     `json:"declared"`
	Contexts []string `json:"contexts"`
}

// UserDump is a User in dumps, without the password hash.
type UserDump struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Email   string   `json:"email"`
	Role    Role     `json:"role"`
	Tenants []string `json:"tenants"`
	Secrets bool     `json:"secrets"`
}

// ExtensionDump is an Extension in dumps.
type ExtensionDump struct {
	ID          string     `json:"id"`
	TenantID    string     `json:"tenant_id"`
	Number      string     `json:"number"`
	Name        string     `json:"name"`
	CIDNum      string     `json:"cidnum"`
	CIDName     string     `json:"cidname"`
	CallWaiting string     `json:"callwaiting"`
	Peers       []PeerDump `json:"peers"`
}

// PeerDump is a Peer in dumps.
type PeerDump struct {
	Name       string `json:"name"`
	Tech       string `json:"tech"`
	Source     string `json:"source"`
	TenantID   string `json:"tenant_id"`
	Host       string `json:"host"`
	Context    string `json:"context"`
	Secret     string `json:"secret"`
	SecretKind string `json:"secret_kind"`
	SecretFrom string `json:"secret_from"`
	File       string `json:"file"`
	Line       int    `json:"line"`
}

// DestinationDump is a Destination in dumps.
type DestinationDump struct {
	ID       string `json:"id"`
	TenantID string `json:"tenant_id"`
	TypeSrc  string `json:"type_src"`
	TypeDst  string `json:"type_dst"`
	Ord      int    `json:"ord"`
	Src      string `json:"src"`
	Dst      string `json:"dst"`
	File     string `json:"file"`
	Line     int    `json:"line"`
}

// Dump returns the whole model; secrets are replaced by Redacted unless
// withSecrets is set.
func (s *Snapshot) Dump(withSecrets bool) IndexDump {
	out := IndexDump{Generation: s.Generation, Tenants: []TenantDump{}, Users: []UserDump{}, Extensions: []ExtensionDump{},
		Trunks: []PeerDump{}, Destinations: []DestinationDump{}, Diagnostics: s.Diags}
	if out.Diagnostics == nil {
		out.Diagnostics = parser.Diagnostics{}
	}
	for _, t := range s.Tenants {
		out.Tenants = append(out.Tenants, TenantDump{t.ID, t.Key, t.Name, t.Code, t.Declared, orEmpty(t.Contexts)})
	}
	for _, u := range s.Users {
		out.Users = append(out.Users, UserDump{u.ID, u.Name, u.Email, u.Role, orEmpty(u.Tenants), u.Secrets})
	}
	peer := func(p *Peer) PeerDump {
		secret := p.Secret
		if !withSecrets && secret != "" {
			secret = Redacted
		}
		return PeerDump{p.Name, p.Tech, p.Source, p.TenantID, p.Host, p.Context, secret, p.SecretKind, p.SecretPos.String(), p.Pos.File, p.Pos.Line}
	}
	for _, e := range s.Extensions {
		ed := ExtensionDump{e.ID, e.TenantID, e.Number, e.Name, e.CIDNum, e.CIDName, e.CallWaiting, []PeerDump{}}
		for _, p := range e.Peers {
			ed.Peers = append(ed.Peers, peer(p))
		}
		out.Extensions = append(out.Extensions, ed)
	}
	for _, p := range s.Trunks {
		out.Trunks = append(out.Trunks, peer(p))
	}
	for _, d := range s.Destinations {
		out.Destinations = append(out.Destinations, DestinationDump{d.ID, d.TenantID, d.TypeSrc, d.TypeDst, d.Ord, d.Src, d.Dst, d.File, d.Line})
	}
	return out
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
