package api

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/astapi/astapi/audit"
	"github.com/astapi/astapi/index"
)

// derived is what the server computes once per snapshot: the secret audit
// findings and the snapshot's metrics.
type derived struct {
	snap     *index.Snapshot
	once     sync.Once
	findings []audit.Finding
	metrics  []prometheus.Metric
}

// derivedCache keeps the derived data of the two newest snapshots asked
// for: around a reload, requests still answering from the previous
// snapshot share one computation instead of running the audit each.
type derivedCache struct {
	mu     sync.Mutex
	recent [2]*derived // newest first
}

// derived returns snap's derived data, computing it on first use (one
// computation however many requests ask at once).
func (s *Server) derived(snap *index.Snapshot) *derived {
	c := &s.derivedCache
	c.mu.Lock()
	var d *derived
	for _, x := range c.recent {
		if x != nil && x.snap == snap {
			d = x
		}
	}
	if d == nil {
		d = &derived{snap: snap}
		switch {
		case newerThan(snap, c.recent[0]):
			c.recent[0], c.recent[1] = d, c.recent[0]
		case newerThan(snap, c.recent[1]):
			c.recent[1] = d
		} // older than both: computed for this request alone
	}
	c.mu.Unlock()
	d.once.Do(func() {
		d.findings = s.auditor().Run(snap)
		d.metrics = s.metrics.snapshotMetrics(snap, d)
	})
	return d
}

// newerThan reports whether snap is at least as new as x's snapshot (or x
// is an empty slot).
func newerThan(snap *index.Snapshot, x *derived) bool {
	return x == nil || snap.Generation >= x.snap.Generation
}

// findingItem is one secret audit finding as /audit/secrets returns it.
// It never holds a secret, nor part of one.
type findingItem struct {
	TenantID string `json:"tenant_id"` // "" for sip.conf [general]
	Tenant   string `json:"tenant"`
	Peer     string `json:"peer"`
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Reason   string `json:"reason"`
	Detail   string `json:"detail"`
	File     string `json:"file"`
	Line     int    `json:"line"`
}

// auditSecrets answers /audit/secrets: the findings of the tenants the
// caller may see (all for admins) plus those about sip.conf [general], or
// with tenant_id those of that tenant (plus the [general] ones).
func (s *Server) auditSecrets(snap *index.Snapshot, u *index.User, args []string) (any, *apiError) {
	var only *index.Tenant
	if args[0] != "" {
		t, err := visibleTenant(snap, u, args[0])
		if err != nil {
			return nil, err
		}
		only = t
	}
	out := []findingItem{}
	for _, f := range s.visibleFindings(snap, u, only) {
		out = append(out, findingItem{
			TenantID: f.TenantID,
			Tenant:   f.Tenant,
			Peer:     f.Peer,
			Rule:     f.Rule,
			Severity: string(f.Severity),
			Reason:   f.Reason,
			Detail:   f.Detail,
			File:     f.File,
			Line:     f.Line,
		})
	}
	return out, nil
}

// visibleFindings returns snap's findings as u may see them (see
// audit.Finding.ForViewer); with only set, those of that tenant and the
// ones about sip.conf [general].
func (s *Server) visibleFindings(snap *index.Snapshot, u *index.User, only *index.Tenant) []audit.Finding {
	var canSee func(string) bool
	if !u.IsAdmin() {
		canSee = u.CanSeeTenant
	}
	var out []audit.Finding
	for _, f := range s.derived(snap).findings {
		global := f.TenantID == "" && f.Peer == ""
		if only != nil && !global && f.TenantID != only.ID {
			continue
		}
		f, ok := f.ForViewer(canSee)
		if !ok {
			continue
		}
		out = append(out, f)
	}
	return out
}
