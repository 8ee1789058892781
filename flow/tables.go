package flow

import (
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/astapi/astapi/internal/diff"
)

// tables are the look-ups of the tenants, phones and trunks of an Input
// (kept with them, for the next Build). Each of the three depends on its
// own list alone: a Build takes over the previous Build's for a list that
// is the same, and patches the phones' when its phones differ from the
// previous ones in a few places (a phone added to one tenant).
type tables struct {
	*tenantTables
	*phoneTables
	*trunkTables
}

type tenantTables struct {
	tenants   []Tenant
	owners    map[string][]int  // context -> indexes of the tenants owning it
	tenantKey map[string]string // tenant ID -> key
}

type trunkTables struct {
	trunkList    []Trunk
	trunks       map[string]*Trunk
	trunkTenants map[string]string // trunk name -> the tenant of the first trunk of that name with one
}

// phoneTables are read through phone, numbered and ofTenant: maps made
// over a whole list (the base), and what patches changed in them since
// (over).
type phoneTables struct {
	phoneList  []Phone
	basePhones map[string]*Phone   // "TECH/name" -> the last phone of that name
	baseNum    map[string][]*Phone // number -> its phones, in list order
	baseTenant map[string][]*Phone // tenant ID -> its numbered phones, in list order
	// dups: two phones have one "TECH/name" (which a patch does not
	// follow: the tables are made anew).
	dups bool
	// at is the phone at each place of phoneList as the maps hold it
	// (a patch keeps the pointers of the phones it did not change, and
	// readers tell phones apart by them); nil: &phoneList[i].
	at   []*Phone
	over *phoneOverlay // nil: not patched
}

// phoneOverlay is what patches changed in a phoneTables' base maps: an
// entry present here (even nil) is the answer.
type phoneOverlay struct {
	phones  map[string]*Phone
	numbers map[string][]*Phone
	tenants map[string][]*Phone
	patched int // phones added and removed since the base
}

// Bounds on patching the phones' tables, past which they are made anew:
// a patch scans every phone once for the numbers and tenants it touched,
// and the overlay is copied at each patch.
const (
	maxPatch     = 256  // phones added and removed by one patch
	maxPatchKeys = 16   // numbers, and tenants, touched by one patch
	maxPatched   = 4096 // phones added and removed since the base
)

// tableDelta says what changed from the previous Build's tables to
// these: sameAnswers and sameTenants compare only lookups that may have.
// The zero value says nothing is known.
type tableDelta struct {
	tenantsKept, trunksKept bool
	// phonesPatched: the phones' tables are the previous ones patched,
	// and only the phones of these names, numbers and tenants changed.
	phonesPatched bool
	phoneKeys     map[string]bool
	numbers       smallSet
	tenants       smallSet
}

// smallSet is a set of a few strings (up to maxPatchKeys): looked up in
// a loop over every phone, comparing beats hashing.
type smallSet []string

func (s smallSet) has(x string) bool { return slices.Contains(s, x) }

func (s *smallSet) add(x string) {
	if !s.has(x) {
		*s = append(*s, x)
	}
}

// serves reports whether t (nil: no) was made from tenants, phones and
// trunks equal to in's.
func (t *tables) serves(in Input) bool {
	return t != nil && t.tenantTables.serves(in.Tenants) && t.phoneTables.serves(in.Phones) && t.trunkTables.serves(in.Trunks)
}

func (t *tenantTables) serves(tenants []Tenant) bool {
	return slices.EqualFunc(t.tenants, tenants, func(a, b Tenant) bool {
		return a.ID == b.ID && a.Key == b.Key && slices.Equal(a.Contexts, b.Contexts)
	})
}

func (t *phoneTables) serves(phones []Phone) bool { return slices.Equal(t.phoneList, phones) }

func (t *trunkTables) serves(trunks []Trunk) bool { return slices.Equal(t.trunkList, trunks) }

// newTables makes the tables of in, taking over or patching prev's (nil:
// none) where it can, and says what changed from prev's; the biggest
// maps are filled in goroutines of wg (a hundred thousand phones fill
// maps for tens of milliseconds each).
func newTables(in Input, prev *tables, wg *sync.WaitGroup) (*tables, tableDelta) {
	t := &tables{}
	var d tableDelta
	if prev != nil && prev.tenantTables.serves(in.Tenants) {
		t.tenantTables, d.tenantsKept = prev.tenantTables, true
	} else {
		t.tenantTables = newTenantTables(in.Tenants, wg)
	}
	if prev != nil && prev.trunkTables.serves(in.Trunks) {
		t.trunkTables, d.trunksKept = prev.trunkTables, true
	} else {
		t.trunkTables = newTrunkTables(in.Trunks)
	}
	if prev != nil {
		t.phoneTables, d.phonesPatched = prev.phoneTables.patch(in.Phones, &d)
	}
	if !d.phonesPatched {
		t.phoneTables = newPhoneTables(in.Phones, wg)
	}
	return t, d
}

func newTenantTables(tenants []Tenant, wg *sync.WaitGroup) *tenantTables {
	t := &tenantTables{tenants: tenants, owners: make(map[string][]int, len(tenants)), tenantKey: make(map[string]string, len(tenants))}
	wg.Go(func() {
		for i, tn := range tenants {
			for _, c := range tn.Contexts {
				t.owners[c] = append(t.owners[c], i)
			}
			t.tenantKey[tn.ID] = tn.Key
		}
	})
	return t
}

func newTrunkTables(trunks []Trunk) *trunkTables {
	t := &trunkTables{trunkList: trunks, trunks: make(map[string]*Trunk, len(trunks)), trunkTenants: map[string]string{}}
	for i := range trunks {
		tr := &trunks[i]
		t.trunks[deviceKey(tr.Tech, tr.Name)] = tr
		if _, ok := t.trunkTenants[tr.Name]; !ok && tr.TenantID != "" {
			t.trunkTenants[tr.Name] = tr.TenantID
		}
	}
	return t
}

func newPhoneTables(phones []Phone, wg *sync.WaitGroup) *phoneTables {
	t := &phoneTables{phoneList: phones, basePhones: make(map[string]*Phone, len(phones)),
		baseNum: make(map[string][]*Phone, len(phones)), baseTenant: map[string][]*Phone{}}
	wg.Go(func() {
		for i := range phones {
			ph := &phones[i]
			t.basePhones[phoneKey(ph)] = ph
		}
		t.dups = len(t.basePhones) < len(phones)
	})
	wg.Go(func() {
		for i := range phones {
			ph := &phones[i]
			if ph.Number != "" {
				t.baseNum[ph.Number] = append(t.baseNum[ph.Number], ph)
			}
			if IsNumber(ph.Number) {
				t.baseTenant[ph.TenantID] = append(t.baseTenant[ph.TenantID], ph)
			}
		}
	})
	return t
}

// deviceKey is the name a device is dialled by, "TECH/name": the key of
// the phones' and trunks' tables.
func deviceKey(tech, name string) string { return strings.ToUpper(tech) + "/" + name }

func phoneKey(ph *Phone) string { return deviceKey(ph.Tech, ph.Name) }

// phone is the phone dialled as key ("TECH/name"), or nil.
func (t *phoneTables) phone(key string) *Phone {
	if t.over != nil {
		if ph, ok := t.over.phones[key]; ok {
			return ph
		}
	}
	return t.basePhones[key]
}

// numbered are the phones of number num.
func (t *phoneTables) numbered(num string) []*Phone {
	if t.over != nil {
		if list, ok := t.over.numbers[num]; ok {
			return list
		}
	}
	return t.baseNum[num]
}

// ofTenant are the numbered phones of tenant id.
func (t *phoneTables) ofTenant(id string) []*Phone {
	if t.over != nil {
		if list, ok := t.over.tenants[id]; ok {
			return list
		}
	}
	return t.baseTenant[id]
}

// place is the phone at place i of phoneList, as the maps hold it.
func (t *phoneTables) place(i int) *Phone {
	if t.at != nil {
		return t.at[i]
	}
	return &t.phoneList[i]
}

// patch returns t's tables patched for phones, when they differ from
// t.phoneList in one run of places (phones added, removed or changed
// there) within the bounds above, and notes in d what changed; false when
// the tables must be made anew. The phones kept keep their pointers; the
// lists of the numbers and tenants touched are gathered again in order.
func (t *phoneTables) patch(phones []Phone, d *tableDelta) (*phoneTables, bool) {
	old := t.phoneList
	lo, hiOld, hiNew := diff.Run(old, phones)
	removed, added := old[lo:hiOld], slices.Clone(phones[lo:hiNew])
	n := len(removed) + len(added)
	if t.over != nil {
		n += t.over.patched
	}
	if t.dups || len(removed)+len(added) > maxPatch || n > maxPatched {
		return nil, false
	}
	over := t.over.clone()
	over.patched = n
	keys := make(map[string]bool, len(removed)+len(added))
	var numbers, tenants smallSet
	touch := func(ph *Phone) {
		if ph.Number != "" {
			numbers.add(ph.Number)
		}
		tenants.add(ph.TenantID)
	}
	for i := range removed {
		ph := &removed[i]
		k := phoneKey(ph)
		keys[k] = true
		over.phones[k] = nil
		touch(ph)
	}
	for i := range added {
		ph := &added[i]
		k := phoneKey(ph)
		// No dups: a phone of that name is one removed, if any.
		if over.phones[k] != nil || !keys[k] && t.phone(k) != nil {
			return nil, false
		}
		keys[k] = true
		over.phones[k] = ph
		touch(ph)
	}
	if len(numbers) > maxPatchKeys || len(tenants) > maxPatchKeys {
		return nil, false
	}
	at := make([]*Phone, len(phones))
	for i := range lo {
		at[i] = t.place(i)
	}
	for i := range added {
		at[lo+i] = &added[i]
	}
	for i := hiNew; i < len(phones); i++ {
		at[i] = t.place(i - hiNew + hiOld)
	}
	for _, num := range numbers {
		over.numbers[num] = nil
	}
	for _, id := range tenants {
		over.tenants[id] = nil
	}
	for _, ph := range at {
		if numbers.has(ph.Number) {
			over.numbers[ph.Number] = append(over.numbers[ph.Number], ph)
		}
		if tenants.has(ph.TenantID) && IsNumber(ph.Number) {
			over.tenants[ph.TenantID] = append(over.tenants[ph.TenantID], ph)
		}
	}
	d.phoneKeys, d.numbers, d.tenants = keys, numbers, tenants
	return &phoneTables{phoneList: phones, basePhones: t.basePhones, baseNum: t.baseNum, baseTenant: t.baseTenant,
		at: at, over: over}, true
}

// clone copies o (nil: an empty overlay) for a patch to change.
func (o *phoneOverlay) clone() *phoneOverlay {
	if o == nil {
		return &phoneOverlay{phones: map[string]*Phone{}, numbers: map[string][]*Phone{}, tenants: map[string][]*Phone{}}
	}
	return &phoneOverlay{phones: maps.Clone(o.phones), numbers: maps.Clone(o.numbers), tenants: maps.Clone(o.tenants), patched: o.patched}
}
