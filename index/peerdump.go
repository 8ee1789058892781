package index

import (
	"path/filepath"
	"time"

	"github.com/astapi/astapi/parser"
)

// PeersDump is the JSON of `astapi dump peers DIR` (SPEC §4): every peer
// Asterisk builds from the directory, secrets only as booleans.
type PeersDump struct {
	Peers []PeerJSON `json:"peers"`
}

// PeerJSON is one peer of PeersDump. The fields after nat are further
// values SIPshowpeer reports, kept because they are as cheap to get right.
type PeerJSON struct {
	Name             string `json:"name"`
	Channel          string `json:"channel"` // SIP or PJSIP
	Type             string `json:"type"`
	Context          string `json:"context"`
	CallerID         string `json:"callerid"`
	Host             string `json:"host"`
	Dynamic          bool   `json:"dynamic"`
	SecretSet        bool   `json:"secret_set"`
	MD5SecretSet     bool   `json:"md5secret_set"`
	ACL              bool   `json:"acl"`
	From             string `json:"from"`
	Insecure         string `json:"insecure"`
	Mailbox          string `json:"mailbox"`
	Username         string `json:"username"`
	FromUser         string `json:"fromuser"`
	FromDomain       string `json:"fromdomain"`
	AccountCode      string `json:"accountcode"`
	Language         string `json:"language"`
	NAT              string `json:"nat"`
	DTMFMode         string `json:"dtmfmode"`
	Description      string `json:"description"`
	SubscribeContext string `json:"subscribecontext"`
	CallGroup        string `json:"callgroup"`
	PickupGroup      string `json:"pickupgroup"`
	CallLimit        string `json:"call_limit"`
}

// LoadPeers reads sip.conf, users.conf and pjsip.conf of dir (each may be
// missing) and resolves their peers, with what the files and the
// resolution report. An error means a file could not be read.
func LoadPeers(dir string) (PeersDump, parser.Diagnostics, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return PeersDump{}, nil, err
	}
	var cfgs [3]*parser.Config
	var diags parser.Diagnostics
	// The same bounds as a reload: a hostile directory cannot wedge a dump.
	limits := DefaultLimits()
	job := &parseJob{dir: dir, limits: limits, budget: limits.budget(time.Now())}
	for i, name := range [...]string{"sip.conf", "users.conf", "pjsip.conf"} {
		cfg, err := job.parseFile(name)
		if err != nil {
			return PeersDump{}, nil, err
		}
		if cfg != nil {
			if len(cfg.ReadErrors) > 0 {
				return PeersDump{}, nil, &LoadError{Diags: cfg.ReadErrors}
			}
			diags = append(diags, cfg.Diags...)
		}
		cfgs[i] = cfg
	}
	ps := resolvePeers(cfgs[0], cfgs[1], cfgs[2], nil, (*diagSink)(&diags))
	diags.Sort()
	out := PeersDump{Peers: make([]PeerJSON, 0, len(ps.list))}
	for _, p := range ps.list {
		out.Peers = append(out.Peers, p.JSON())
	}
	return out, diags, nil
}

// JSON is the peer as the peer dump shows it.
func (p *Peer) JSON() PeerJSON {
	i := &p.Info
	host := p.Host
	if i.Dynamic {
		host = "dynamic"
	}
	return PeerJSON{
		Name: p.Name, Channel: p.Tech, Type: p.Type, Context: p.Context, CallerID: i.CallerID,
		Host: host, Dynamic: i.Dynamic, SecretSet: i.SecretSet, MD5SecretSet: i.MD5SecretSet,
		ACL: i.ACL, From: p.Source, Insecure: i.Insecure, Mailbox: i.Mailbox, Username: i.Username,
		FromUser: i.FromUser, FromDomain: i.FromDomain, AccountCode: i.AccountCode, Language: i.Language,
		NAT: i.NAT, DTMFMode: i.DTMFMode, Description: i.Description, SubscribeContext: i.SubscribeContext,
		CallGroup: i.CallGroup, PickupGroup: i.PickupGroup, CallLimit: i.CallLimit,
	}
}
