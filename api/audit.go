package api

import (
	"sync"
	"sync/atomic"

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

// derivedCache keeps the derived data of the newest snapshot asked for.
type derivedCache struct {
	cur atomic.Pointer[derived]
}

// derived returns snap's derived data, computing it on first use (one
// computation however many requests ask at once).
func (s *Server) derived(snap *index.Snapshot) *derived {
	d := s.derivedCache.cur.Load()
	if d == nil || d.snap != snap {
		nd := &derived{snap: snap}
		// Keep the newest: a request still answering from an older
		// snapshot computes its own copy without evicting the newer one.
		if d == nil || snap.Generation >= d.snap.Generation {
			if s.derivedCache.cur.CompareAndSwap(d, nd) {
				d = nd
			} else if cur := s.derivedCache.cur.Load(); cur.snap == snap {
				d = cur
			} else {
				d = nd
			}
		} else {
			d = nd
		}
	}
	d.once.Do(func() {
		d.findings = s.auditor().Run(snap)
		d.metrics = s.metrics.snapshotMetrics(snap, d)
	})
	return d
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
	var canSee func(string) bool
	if !u.IsAdmin() {
		canSee = u.CanSeeTenant
	}
	out := []findingItem{}
	for _, f := range s.derived(snap).findings {
		global := f.TenantID == "" && f.Peer == ""
		if only != nil && !global && f.TenantID != only.ID {
			continue
		}
		f, ok := f.ForViewer(canSee)
		if !ok {
			continue
		}
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
