package api

import (
	"net/http"
	"strconv"

	"github.com/astapi/astapi/flow"
	"github.com/astapi/astapi/index"
)

// The rest of the original API's read side (SPEC §6.1): the same checks,
// cache and ETags as the seed's endpoints (serveEndpoint).

var (
	pDID  = paramSpec{"did_id", kindID}
	pHunt = paramSpec{"hunt_id", kindID}
)

// readEndpoints are appended to endpoints (handlers.go).
var readEndpoints = []*endpoint{
	{method: http.MethodPost, path: "/extension/usersecret", params: []paramSpec{pTenant, pExtension}, secrets: true, handle: extensionUserSecret},
	{method: http.MethodPost, path: "/extension/getCidNumber", params: []paramSpec{pExtension}, handle: extensionCIDNumber},
	{method: http.MethodPost, path: "/extension/getCidNumberList", params: []paramSpec{pTenant}, handle: extensionCIDNumberList},
	{method: http.MethodPost, path: "/extension/GetFMFCallerId", params: []paramSpec{pExtension}, handle: extensionFMFCallerID},
	{method: http.MethodPost, path: "/extension/GetFMFCallerIdList", params: []paramSpec{pTenant}, handle: extensionFMFCallerIDList},
	{method: http.MethodPost, path: "/did/bytenant", params: []paramSpec{pTenant}, handle: didByTenant},
	{method: http.MethodPost, path: "/did/byid", params: []paramSpec{pDID}, handle: didByID},
	{method: http.MethodPost, path: "/hunt/bytenant", params: []paramSpec{pTenant}, handle: huntByTenant},
	{method: http.MethodPost, path: "/hunt/byid", params: []paramSpec{pHunt}, handle: huntByID},
	{method: http.MethodPost, path: "/ivr/bytenant", params: []paramSpec{pTenant}, handle: ivrByTenant},
	{method: http.MethodPost, path: "/condition/bytenant", params: []paramSpec{pTenant}, handle: conditionByTenant},
	{method: http.MethodPost, path: "/voicemail/bytenant", params: []paramSpec{pTenant}, handle: voicemailByTenant},
	{method: http.MethodPost, path: "/custom/bytenant", params: []paramSpec{pTenant}, handle: customByTenant},
	{method: http.MethodPost, path: "/phone/bytenant", params: []paramSpec{pTenant}, handle: phoneByTenant},
}

// yesNo renders a flag as the original API does.
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// tenantList answers a list endpoint: the items of tenant tenantID (when
// u may see it), each rendered by conv, in the order items gives them.
func tenantList[T, O any](snap *index.Snapshot, u *index.User, tenantID string, items func(tenantID string) []T, conv func(T) O) (any, *apiError) {
	t, err := visibleTenant(snap, u, tenantID)
	if err != nil {
		return nil, err
	}
	xs := items(t.ID)
	out := make([]O, 0, len(xs))
	for _, x := range xs {
		out = append(out, conv(x))
	}
	return out, nil
}

// objectsOfType returns the lookup of a tenant's call-flow objects of
// type typ.
func objectsOfType(snap *index.Snapshot, typ string) func(string) []*flow.Object {
	return func(tenantID string) []*flow.Object { return snap.ObjectsByTenant(tenantID, typ) }
}

// ---- /extension/usersecret, getCidNumber(List), GetFMFCallerId(List)

// visibleExtension returns the extension with id when u may see it.
func visibleExtension(snap *index.Snapshot, u *index.User, id string) (*index.Extension, *apiError) {
	e := snap.ExtensionByID(id)
	if e == nil || !u.CanSeeTenant(e.TenantID) {
		return nil, notFound(u, "extension_id "+id)
	}
	return e, nil
}

// tenantExtension returns extension extID of tenant tenantID when u may
// see that tenant (/extension/user, /extension/usersecret).
func tenantExtension(snap *index.Snapshot, u *index.User, tenantID, extID string) (*index.Extension, *apiError) {
	t, err := visibleTenant(snap, u, tenantID)
	if err != nil {
		return nil, err
	}
	e := snap.ExtensionByID(extID)
	if e == nil || e.TenantID != t.ID {
		return nil, notFound(u, "extension_id "+extID+" of tenant_id "+t.ID)
	}
	return e, nil
}

// extensionUserSecret answers the secret of the extension's first peer
// that has one (md5: marked as /extension/user does), "" when none has.
func extensionUserSecret(snap *index.Snapshot, u *index.User, args []string) (any, *apiError) {
	e, err := tenantExtension(snap, u, args[0], args[1])
	if err != nil {
		return nil, err
	}
	for _, p := range e.Peers {
		if p.SecretKind != "" {
			return peerSecret(p), nil
		}
	}
	return "", nil
}

func extensionCIDNumber(snap *index.Snapshot, u *index.User, args []string) (any, *apiError) {
	e, err := visibleExtension(snap, u, args[0])
	if err != nil {
		return nil, err
	}
	return e.CIDNum, nil
}

type cidNumItem struct {
	CIDNum string `json:"ex_cidnum"`
}

func extensionCIDNumberList(snap *index.Snapshot, u *index.User, args []string) (any, *apiError) {
	return tenantList(snap, u, args[0], snap.ExtensionsByTenant, func(e *index.Extension) cidNumItem {
		return cidNumItem{CIDNum: e.CIDNum}
	})
}

func extensionFMFCallerID(snap *index.Snapshot, u *index.User, args []string) (any, *apiError) {
	e, err := visibleExtension(snap, u, args[0])
	if err != nil {
		return nil, err
	}
	return snap.FMFCallerID(e), nil
}

type fmfItem struct {
	FMF string `json:"GetFMFCallerId"`
}

func extensionFMFCallerIDList(snap *index.Snapshot, u *index.User, args []string) (any, *apiError) {
	return tenantList(snap, u, args[0], snap.ExtensionsByTenant, func(e *index.Extension) fmfItem {
		return fmfItem{FMF: snap.FMFCallerID(e)}
	})
}

// ---- call-flow objects: /did, /hunt, /ivr, /condition, /custom

// visibleObject returns the object of type typ with id when u may see it;
// what names the parameter in a 404.
func visibleObject(snap *index.Snapshot, u *index.User, id, typ, what string) (*flow.Object, *apiError) {
	o := snap.ObjectByID(id)
	if o == nil || o.Type != typ || !u.CanSeeTenant(o.TenantID) {
		return nil, notFound(u, what+" "+id)
	}
	return o, nil
}

type didItem struct {
	ID      string `json:"di_id"`
	Country string `json:"di_country"`
	Area    string `json:"di_area"`
	Number  string `json:"di_number"`
	Comment string `json:"di_comment"`
}

func didByTenant(snap *index.Snapshot, u *index.User, args []string) (any, *apiError) {
	return tenantList(snap, u, args[0], objectsOfType(snap, flow.TypeDID), func(o *flow.Object) didItem {
		g := geocode(o.Number, snap.Server.Region)
		return didItem{ID: o.ID, Country: g.country, Area: g.area, Number: o.Number, Comment: o.Name}
	})
}

type didDetail struct {
	TenantID      string `json:"di_te_id"`
	Country       string `json:"di_country"`
	Area          string `json:"di_area"`
	Number        string `json:"di_number"`
	Comment       string `json:"di_comment"`
	Recording     string `json:"di_recording"`
	Fax           string `json:"di_fax"`
	DIDPrefix     string `json:"di_didprefix"`
	DIDNamePrefix string `json:"di_didnameprefix"`
}

func didByID(snap *index.Snapshot, u *index.User, args []string) (any, *apiError) {
	o, err := visibleObject(snap, u, args[0], flow.TypeDID, "did_id")
	if err != nil {
		return nil, err
	}
	g := geocode(o.Number, snap.Server.Region)
	d := didDetail{TenantID: o.TenantID, Country: g.country, Area: g.area, Number: o.Number, Comment: o.Name,
		Recording: yesNo(false), Fax: yesNo(false)}
	if o.DID != nil {
		d.Recording, d.Fax = yesNo(o.DID.Recording), yesNo(o.DID.Fax)
		d.DIDPrefix, d.DIDNamePrefix = o.DID.CIDNumPrefix, o.DID.CIDNamePrefix
	}
	return []didDetail{d}, nil
}

type huntItem struct {
	ID       string `json:"hu_id"`
	Number   string `json:"hu_number"`
	Name     string `json:"hu_name"`
	Type     string `json:"hu_type"`
	RingTime string `json:"hu_ringtime"`
}

type huntDetail struct {
	huntItem
	CheckInUse string `json:"hu_checkinuse"`
}

func huntOut(o *flow.Object) huntDetail {
	d := huntDetail{huntItem: huntItem{ID: o.ID, Number: o.Number, Name: o.Name}, CheckInUse: yesNo(false)}
	if h := o.Hunt; h != nil {
		d.Type, d.CheckInUse = h.Strategy, yesNo(h.CheckInUse)
		if h.RingTime > 0 {
			d.RingTime = strconv.Itoa(h.RingTime)
		}
	}
	return d
}

func huntByTenant(snap *index.Snapshot, u *index.User, args []string) (any, *apiError) {
	return tenantList(snap, u, args[0], objectsOfType(snap, flow.TypeHuntlist), func(o *flow.Object) huntItem {
		return huntOut(o).huntItem
	})
}

func huntByID(snap *index.Snapshot, u *index.User, args []string) (any, *apiError) {
	o, err := visibleObject(snap, u, args[0], flow.TypeHuntlist, "hunt_id")
	if err != nil {
		return nil, err
	}
	return []huntDetail{huntOut(o)}, nil
}

type ivrItem struct {
	ID   string `json:"iv_id"`
	Name string `json:"iv_name"`
}

func ivrByTenant(snap *index.Snapshot, u *index.User, args []string) (any, *apiError) {
	return tenantList(snap, u, args[0], objectsOfType(snap, flow.TypeIVR), func(o *flow.Object) ivrItem {
		return ivrItem{ID: o.ID, Name: o.Name}
	})
}

// conditionItem has the original API's twelve co_paramN, unused ones "".
type conditionItem struct {
	ID       string `json:"co_id"`
	Name     string `json:"co_name"`
	Type     string `json:"co_type"`
	Timezone string `json:"co_timezone"`
	Param1   string `json:"co_param1"`
	Param2   string `json:"co_param2"`
	Param3   string `json:"co_param3"`
	Param4   string `json:"co_param4"`
	Param5   string `json:"co_param5"`
	Param6   string `json:"co_param6"`
	Param7   string `json:"co_param7"`
	Param8   string `json:"co_param8"`
	Param9   string `json:"co_param9"`
	Param10  string `json:"co_param10"`
	Param11  string `json:"co_param11"`
	Param12  string `json:"co_param12"`
}

// setParams fills co_param1… from ps; beyond twelve tests the original
// API has no room: the first twelve are kept.
func (c *conditionItem) setParams(ps []string) {
	dst := []*string{&c.Param1, &c.Param2, &c.Param3, &c.Param4, &c.Param5, &c.Param6,
		&c.Param7, &c.Param8, &c.Param9, &c.Param10, &c.Param11, &c.Param12}
	for i := 0; i < len(ps) && i < len(dst); i++ {
		*dst[i] = ps[i]
	}
}

func conditionByTenant(snap *index.Snapshot, u *index.User, args []string) (any, *apiError) {
	return tenantList(snap, u, args[0], objectsOfType(snap, flow.TypeCondition), func(o *flow.Object) conditionItem {
		c := conditionItem{ID: o.ID, Name: o.Name}
		if cd := o.Condition; cd != nil {
			c.Type, c.Timezone = cd.Kind, cd.Timezone
			c.setParams(cd.Params)
		}
		return c
	})
}

type customItem struct {
	ID          string `json:"cu_id"`
	Name        string `json:"cu_name"`
	TypeID      string `json:"cu_ct_id"`
	TypeName    string `json:"ct_name"`
	Description string `json:"ct_description"`
}

// customTypeIDs numbers the custom kinds as the original API's
// custom-type table does (cu_ct_id 1–4).
var customTypeIDs = map[string]string{
	flow.CustomForward:     "1",
	flow.CustomAGI:         "2",
	flow.CustomApplication: "3",
	flow.CustomUnknown:     "4",
}

func customByTenant(snap *index.Snapshot, u *index.User, args []string) (any, *apiError) {
	return tenantList(snap, u, args[0], objectsOfType(snap, flow.TypeCustom), func(o *flow.Object) customItem {
		c := customItem{ID: o.ID, Name: o.Name, TypeName: flow.CustomUnknown}
		if o.Custom != nil {
			c.TypeName, c.Description = o.Custom.Kind, o.Custom.Description
		}
		if c.TypeID = customTypeIDs[c.TypeName]; c.TypeID == "" {
			c.TypeName, c.TypeID = flow.CustomUnknown, customTypeIDs[flow.CustomUnknown]
		}
		return c
	})
}

// ---- /voicemail/bytenant, /phone/bytenant

// voicemailItem never carries the PIN.
type voicemailItem struct {
	ID       string `json:"uniqueid"`
	Context  string `json:"context"`
	Mailbox  string `json:"mailbox"`
	FullName string `json:"fullname"`
	Email    string `json:"email"`
}

func voicemailByTenant(snap *index.Snapshot, u *index.User, args []string) (any, *apiError) {
	return tenantList(snap, u, args[0], snap.MailboxesByTenant, func(m *index.Mailbox) voicemailItem {
		return voicemailItem{ID: m.ID, Context: m.Context, Mailbox: m.Box, FullName: m.FullName, Email: m.Email}
	})
}

type phoneItem struct {
	ID       string `json:"ph_id"`
	Name     string `json:"ph_name"`
	TenantID string `json:"ph_te_id"`
	Profile  string `json:"ph_pm_id"`
	MAC      string `json:"ph_mac"`
	Filename string `json:"ph_filename"`
}

func phoneByTenant(snap *index.Snapshot, u *index.User, args []string) (any, *apiError) {
	return tenantList(snap, u, args[0], snap.PhonesByTenant, func(p *index.Phone) phoneItem {
		return phoneItem{ID: p.ID, Name: p.Name, TenantID: p.TenantID, Profile: p.Profile, MAC: p.MAC, Filename: p.Filename}
	})
}
