package console

import (
	"cmp"
	"html/template"
	"slices"
	"strconv"
	"strings"

	"github.com/astapi/astapi/audit"
	"github.com/astapi/astapi/flow"
	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/parser"
)

// The views hold only what a page shows. They are built from fields that
// cannot hold a secret (index.Peer.Secret and Vars are never read), so no
// page can show one.

type tenantsView struct {
	Tenants                      []tenantRow
	GlobalErrors, GlobalWarnings int
}

type tenantRow struct {
	ID, Name             string
	Phones, Trunks, DIDs int
	Errors, Warnings     int
}

// tenantsOf lists the tenants u may see with their counts; findings are
// the audit findings u may see.
func tenantsOf(snap *index.Snapshot, u *index.User, findings []audit.Finding) tenantsView {
	var v tenantsView
	rows := map[string]*tenantRow{}
	for _, t := range snap.TenantsOf(u) {
		v.Tenants = append(v.Tenants, tenantRow{
			ID:     t.ID,
			Name:   t.Name,
			Phones: len(snap.ExtensionsByTenant(t.ID)),
			Trunks: len(snap.TrunksByTenant(t.ID)),
			DIDs:   len(snap.ObjectsByTenant(t.ID, flow.TypeDID)),
		})
	}
	for i := range v.Tenants {
		rows[v.Tenants[i].ID] = &v.Tenants[i]
	}
	for _, f := range findings {
		errs, warns := &v.GlobalErrors, &v.GlobalWarnings
		if f.TenantID != "" {
			r := rows[f.TenantID]
			if r == nil {
				continue
			}
			errs, warns = &r.Errors, &r.Warnings
		}
		if f.Severity == audit.Error {
			*errs++
		} else {
			*warns++
		}
	}
	return v
}

type tenantView struct {
	Tenant     *index.Tenant
	Phones     []phoneRow
	Trunks     []trunkRow
	DIDs       objectTable
	RingGroups objectTable
	IVRs       objectTable
	Conditions objectTable
	Voicemail  []mailboxRow
	Others     objectTable
	// Diagram is Graphviz's SVG of the call flow (see diagramHTML), or
	// empty with DiagramNote saying why.
	Diagram     template.HTML
	DiagramNote string
	Findings    []findingRow
}

type phoneRow struct {
	Number, Name, CallerID string
	Devices                []deviceRow
}

type deviceRow struct{ Tech, Name, Host string }

type trunkRow struct{ Name, Tech, Source, Host, Context, Pos string }

type objectTable struct {
	ShowType bool
	Rows     []objectRow
}

type objectRow struct {
	Type, Number, Name string
	Details            []string
	Targets            []targetRow
	Pos                string
}

type targetRow struct{ Kind, ToType, ToName string }

// mailboxRow is a voicemail box (voicemail.conf or users.conf) with the
// call-flow objects that leave a message in it. Its PIN is never read.
type mailboxRow struct {
	Box, Name, Email, Pos string
	ReachedBy             []string // "entry (kind)" of each VOICEMAIL object
}

type findingRow struct {
	Severity, Rule, Peer, Reason, Detail, Pos string
}

// tenantOf builds tenant t's page but for the diagram.
func tenantOf(snap *index.Snapshot, t *index.Tenant, findings []audit.Finding) *tenantView {
	v := &tenantView{Tenant: t, Others: objectTable{ShowType: true}}
	for _, e := range snap.ExtensionsByTenant(t.ID) {
		p := phoneRow{Number: e.Number, Name: e.Name, CallerID: callerID(e.CIDName, e.CIDNum)}
		for _, d := range e.Peers {
			p.Devices = append(p.Devices, deviceRow{Tech: d.Tech, Name: d.Name, Host: orDash(d.Host)})
		}
		v.Phones = append(v.Phones, p)
	}
	// By number, as a person looks them up (the API lists them by ID).
	slices.SortStableFunc(v.Phones, func(a, b phoneRow) int { return byNumber(a.Number, b.Number) })
	for _, p := range snap.TrunksByTenant(t.ID) {
		v.Trunks = append(v.Trunks, trunkRow{Name: p.Name, Tech: p.Tech, Source: p.Source,
			Host: orDash(p.Host), Context: p.Context, Pos: pos(p.Pos)})
	}
	boxes := map[string]*mailboxRow{} // by lower-case box@context, as app_voicemail compares
	for _, m := range snap.MailboxesByTenant(t.ID) {
		v.Voicemail = append(v.Voicemail, mailboxRow{Box: m.Key(), Name: m.FullName, Email: m.Email, Pos: pos(m.Pos)})
	}
	slices.SortStableFunc(v.Voicemail, func(a, b mailboxRow) int { return byNumber(a.Box, b.Box) })
	for i := range v.Voicemail {
		boxes[strings.ToLower(v.Voicemail[i].Box)] = &v.Voicemail[i]
	}
	out := map[*flow.Object][]*flow.Edge{}
	for _, e := range snap.EdgesByTenant(t.ID) {
		out[e.From] = append(out[e.From], e)
	}
	for _, o := range snap.ObjectsByTenant(t.ID, "") {
		r := objectRow{Type: o.Type, Number: o.Number, Name: o.Name, Details: details(o), Pos: pos(o.Pos)}
		for _, e := range out[o] {
			kind := e.TypeSrc
			if e.Ord > 1 {
				kind += " #" + strconv.Itoa(e.Ord)
			}
			r.Targets = append(r.Targets, targetRow{Kind: kind, ToType: e.To.Type, ToName: objectName(e.To)})
		}
		// By outcome (IVR_0, IVR_1, …, IVR_TIMEOUT), as an administrator
		// reads a menu.
		slices.SortStableFunc(r.Targets, func(a, b targetRow) int { return cmp.Compare(a.Kind, b.Kind) })
		switch o.Type {
		case flow.TypeDID:
			v.DIDs.Rows = append(v.DIDs.Rows, r)
		case flow.TypeHuntlist:
			v.RingGroups.Rows = append(v.RingGroups.Rows, r)
		case flow.TypeIVR:
			v.IVRs.Rows = append(v.IVRs.Rows, r)
		case flow.TypeCondition:
			v.Conditions.Rows = append(v.Conditions.Rows, r)
		case flow.TypeVoicemail:
			// With its box; a box no file defines is shown with the
			// other objects (Asterisk would fail to leave the message).
			if o.Voicemail != nil {
				if b := boxes[strings.ToLower(o.Voicemail.Box+"@"+o.Voicemail.Context)]; b != nil {
					by := o.Entry
					if o.Voicemail.Kind != "" {
						by += " (" + o.Voicemail.Kind + ")"
					}
					b.ReachedBy = append(b.ReachedBy, by)
					continue
				}
				r.Details = append(r.Details, "no voicemail box "+o.Voicemail.Box+"@"+o.Voicemail.Context+" is defined")
			}
			v.Others.Rows = append(v.Others.Rows, r)
		case flow.TypeExt:
			// A phone: its own table above; its no-answer and busy targets
			// are in the diagram.
		default:
			v.Others.Rows = append(v.Others.Rows, r)
		}
	}
	for _, f := range findings {
		v.Findings = append(v.Findings, findingRow{
			Severity: string(f.Severity), Rule: f.Rule, Peer: f.Peer, Reason: f.Reason, Detail: f.Detail,
			Pos: pos(parser.Pos{File: f.File, Line: f.Line}),
		})
	}
	return v
}

// details describes what an object does, from its type's details.
func details(o *flow.Object) []string {
	var d []string
	if o.Entry != "" {
		d = append(d, "entry "+o.Entry)
	}
	switch {
	case o.DID != nil:
		if len(o.DID.Trunks) > 0 {
			d = append(d, "from trunks "+strings.Join(o.DID.Trunks, ", "))
		}
		if o.DID.Recording {
			d = append(d, "records the call")
		}
		if o.DID.Fax {
			d = append(d, "detects fax")
		}
		if o.DID.CIDNamePrefix != "" {
			d = append(d, "caller name prefix "+strconv.Quote(o.DID.CIDNamePrefix))
		}
		if o.DID.CIDNumPrefix != "" {
			d = append(d, "caller number prefix "+strconv.Quote(o.DID.CIDNumPrefix))
		}
	case o.Hunt != nil:
		s := strings.ToLower(o.Hunt.Strategy)
		if o.Hunt.RingTime > 0 {
			s += ", rings " + strconv.Itoa(o.Hunt.RingTime) + " s"
		}
		if o.Hunt.CheckInUse {
			s += ", skips busy members"
		}
		d = append(d, s)
		if len(o.Hunt.Members) > 0 {
			d = append(d, "members "+strings.Join(o.Hunt.Members, ", "))
		}
	case o.Condition != nil:
		s := strings.ToLower(o.Condition.Kind)
		if o.Condition.Timezone != "" {
			s += " (" + o.Condition.Timezone + ")"
		}
		d = append(d, s)
		d = append(d, o.Condition.Params...)
	case o.Voicemail != nil:
		s := "box " + o.Voicemail.Box + "@" + o.Voicemail.Context
		if o.Voicemail.Kind != "" {
			s += ", " + o.Voicemail.Kind
		}
		d = append(d, s)
	case o.Custom != nil:
		d = append(d, o.Custom.Description)
	}
	return d
}

// byNumber orders numbers as a person does: shorter first, then by digit.
func byNumber(a, b string) int {
	return cmp.Or(cmp.Compare(len(a), len(b)), cmp.Compare(a, b))
}

func objectName(o *flow.Object) string {
	if o.Name != "" {
		return o.Name
	}
	if o.Number != "" {
		return o.Number
	}
	return o.Entry
}

func callerID(name, num string) string {
	switch {
	case name != "" && num != "":
		return name + " <" + num + ">"
	case num != "":
		return "<" + num + ">"
	}
	return name
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func pos(p parser.Pos) string {
	if p.File == "" {
		return ""
	}
	return p.String()
}
