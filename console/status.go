package console

import (
	"github.com/astapi/astapi/api"
	"github.com/astapi/astapi/index"
)

// statusView is the status page: the /status report as u may see it (an
// admin all of it; a tenant user the files and diagnostics of its own
// tenants and not why a reload failed, exactly as GET /status answers).
type statusView struct {
	Admin       bool
	Generation  uint64
	BuiltAt     string
	BuildMS     float64
	Last        any // the report's last reload, nil before the first
	Diagnostics any // the report's diagnostics
	Files       []string
}

func statusOf(r api.StatusReport, u *index.User) statusView {
	v := statusView{Admin: u.IsAdmin(), Generation: r.Generation, BuiltAt: r.BuiltAt,
		BuildMS: r.BuildDurationMS, Files: r.Files, Diagnostics: r.Diagnostics}
	if r.LastReload != nil {
		v.Last = r.LastReload
	}
	return v
}
