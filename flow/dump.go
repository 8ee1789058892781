package flow

// GraphDump is a tenant's call flow as `astapi dump flow` prints it.
type GraphDump struct {
	Objects      []ObjectDump `json:"objects"`
	Destinations []EdgeDump   `json:"destinations"`
}

// ObjectDump is an Object in dumps.
type ObjectDump struct {
	ID        string     `json:"id"`
	TenantID  string     `json:"tenant_id"`
	Type      string     `json:"type"`
	Name      string     `json:"name"`
	Entry     string     `json:"entry"`
	Number    string     `json:"number,omitempty"`
	File      string     `json:"file,omitempty"`
	Line      int        `json:"line,omitempty"`
	Hunt      *Hunt      `json:"hunt,omitempty"`
	Condition *Condition `json:"condition,omitempty"`
	Custom    *Custom    `json:"custom,omitempty"`
	DID       *DID       `json:"did,omitempty"`
	Voicemail *Voicemail `json:"voicemail,omitempty"`
}

// EdgeDump is an Edge in dumps: the fields of /destination/all and the
// IDs of the two objects.
type EdgeDump struct {
	ID       string `json:"id"`
	TenantID string `json:"tenant_id"`
	TypeSrc  string `json:"type_src"`
	From     string `json:"from"`
	TypeDst  string `json:"type_dst"`
	To       string `json:"to"`
	Ord      int    `json:"ord"`
	Src      string `json:"src"`
	Dst      string `json:"dst"`
	File     string `json:"file"`
	Line     int    `json:"line"`
}

// Dump returns objects and edges as dumps print them.
func Dump(objects []*Object, edges []*Edge) GraphDump {
	out := GraphDump{Objects: []ObjectDump{}, Destinations: []EdgeDump{}}
	for _, o := range objects {
		out.Objects = append(out.Objects, ObjectDump{ID: o.ID, TenantID: o.TenantID, Type: o.Type, Name: o.Name,
			Entry: o.Entry, Number: o.Number, File: o.Pos.File, Line: o.Pos.Line, Hunt: o.Hunt,
			Condition: o.Condition, Custom: o.Custom, DID: o.DID, Voicemail: o.Voicemail})
	}
	for _, e := range edges {
		out.Destinations = append(out.Destinations, EdgeDump{ID: e.ID, TenantID: e.TenantID, TypeSrc: e.TypeSrc,
			From: e.From.ID, TypeDst: e.TypeDst(), To: e.To.ID, Ord: e.Ord, Src: e.Src, Dst: e.Dst(),
			File: e.Pos.File, Line: e.Pos.Line})
	}
	return out
}
