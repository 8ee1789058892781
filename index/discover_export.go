package index

import "slices"

// TenantSection is a tenant as a [tenant KEY] section of astapi.ini
// declares it (astapi init writes these).
type TenantSection struct {
	Key  string // the section name
	ID   string
	Name string
	Code string
	// Contexts and Peers are globs; a name holding glob characters is
	// quoted so that it matches only itself.
	Contexts, Peers []string
	// Adopted are the entries of Peers that the ownership rules alone
	// would not give this tenant (discovery gave it the trunk through its
	// inbound routes): named, they keep it.
	Adopted []string
}

// LoadTenantSections loads astapi.ini like Load and also returns its
// tenants as [tenant] sections that, declared in an astapi.ini with the
// same [server], give every peer the tenant this load gave it: the rules
// the load used (discovered or declared), in their order, plus the exact
// name of every peer it gave a tenant by other means.
func LoadTenantSections(iniPath string) (*Snapshot, []TenantSection, error) {
	b := &builder{}
	snap, err := b.load(iniPath)
	if err != nil {
		return nil, nil, err
	}
	out := make([]TenantSection, len(b.decls))
	at := make(map[*Tenant]int, len(b.decls))
	for i, d := range b.decls {
		t := b.byKey[d.key]
		out[i] = TenantSection{Key: d.key, ID: t.ID, Name: d.name, Code: d.code,
			Contexts: slices.Clone(d.contexts), Peers: slices.Clone(d.peers)}
		at[t] = i
	}
	named := map[string]bool{}
	for i, p := range b.peers.list {
		t := b.owner[i]
		if t == nil || b.tenantOf(p) == t || named[p.Name] {
			continue
		}
		named[p.Name] = true
		s := &out[at[t]]
		s.Peers = append(s.Peers, globQuote(p.Name))
		s.Adopted = append(s.Adopted, p.Name)
	}
	return snap, out, nil
}
