package index

// readAPIIndex holds the lookups of the read endpoints beyond the seed's
// (voicemail boxes, provisioned phones), built by NewSnapshot.
type readAPIIndex struct {
	boxesByTenant  map[string][]*Mailbox
	phonesByTenant map[string][]*Phone
}

func (x *readAPIIndex) build(s *Snapshot) {
	sortByID(s.Mailboxes, func(m *Mailbox) string { return m.ID })
	sortByID(s.Phones, func(p *Phone) string { return p.ID })
	x.boxesByTenant = groupBy(s.Mailboxes, func(m *Mailbox) string { return m.TenantID })
	x.phonesByTenant = groupBy(s.Phones, func(p *Phone) string { return p.TenantID })
}

// MailboxesByTenant returns the tenant's voicemail boxes sorted by numeric ID.
func (s *Snapshot) MailboxesByTenant(tenantID string) []*Mailbox {
	return s.readAPI.boxesByTenant[tenantID]
}

// PhonesByTenant returns the tenant's provisioned phones sorted by numeric ID.
func (s *Snapshot) PhonesByTenant(tenantID string) []*Phone {
	return s.readAPI.phonesByTenant[tenantID]
}
