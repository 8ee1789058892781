package flow

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
)

// TestPatchTables: over random edits of a phone list, the tables taken
// over or patched from the last answer what tables made anew answer; the
// maps hold one pointer per phone, the one of its place; and what the
// delta says did not change answers as before.
func TestPatchTables(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	names := 0
	phone := func() Phone {
		names++
		n := names
		if rng.IntN(40) == 0 {
			n = rng.IntN(names) // two phones of one name
		}
		num := strconv.Itoa(100 + rng.IntN(12))
		if rng.IntN(8) == 0 {
			num = "" // not numbered
		} else if rng.IntN(8) == 0 {
			num = "s" + num // not a number
		}
		return Phone{Tech: []string{"SIP", "PJSIP"}[rng.IntN(2)], Name: "p" + strconv.Itoa(n),
			Number: num, TenantID: "T" + strconv.Itoa(rng.IntN(4)), Context: "c" + strconv.Itoa(rng.IntN(3))}
	}
	edit := func(list []Phone) []Phone {
		list = slices.Clone(list)
		for range 1 + rng.IntN(2) { // mostly one spot, sometimes two
			at := rng.IntN(len(list) + 1)
			switch op := rng.IntN(12); {
			case op == 0 && at < len(list):
				list = slices.Delete(list, at, at+1)
			case op == 1 && at < len(list):
				list[at].Number = strconv.Itoa(100 + rng.IntN(12))
			case op == 3 && len(list) > 0 && rng.IntN(3) == 0: // a second phone of a name
				ph, of := phone(), list[rng.IntN(len(list))]
				ph.Tech, ph.Name = of.Tech, of.Name
				list = slices.Insert(list, at, ph)
			case op == 2:
				block := make([]Phone, rng.IntN(maxPatch+20))
				for i := range block {
					block[i] = phone()
				}
				list = slices.Insert(list, at, block...)
			default:
				list = slices.Insert(list, at, phone())
			}
		}
		return list
	}
	var (
		wg            sync.WaitGroup
		prev          *tables
		list          []Phone
		patched, made int
	)
	for step := range 400 {
		if step%40 == 0 || len(list) > 600 {
			list = nil
			for range rng.IntN(60) {
				list = append(list, phone())
			}
		} else {
			list = edit(list)
		}
		in := Input{Phones: list}
		got, d := newTables(in, prev, &wg)
		want, _ := newTables(in, nil, &wg)
		wg.Wait()
		if d.phonesPatched {
			patched++
		} else {
			made++
		}
		place := map[*Phone]int{}
		for i := range list {
			ph := got.place(i)
			if *ph != list[i] {
				t.Fatalf("step %d: place %d holds %+v, want %+v", step, i, *ph, list[i])
			}
			place[ph] = i
		}
		held := func(what string, ph *Phone) {
			if _, ok := place[ph]; ph != nil && !ok {
				t.Fatalf("step %d: %s holds a pointer that is no place's", step, what)
			}
		}
		for i := range list {
			k, num, id := phoneKey(&list[i]), list[i].Number, list[i].TenantID
			a, b := got.phone(k), want.phone(k)
			if (a == nil) != (b == nil) || a != nil && *a != *b {
				t.Fatalf("step %d: phone(%q) = %v, want %v", step, k, a, b)
			}
			held("phone "+k, a)
			if !samePhones(got.numbered(num), want.numbered(num)) || !samePhones(got.ofTenant(id), want.ofTenant(id)) {
				t.Fatalf("step %d: the lists of %q or %q differ", step, num, id)
			}
			for _, ph := range append(got.numbered(num), got.ofTenant(id)...) {
				held("a list", ph)
			}
		}
		if d.phonesPatched && want.dups {
			t.Fatalf("step %d: patched, but two phones have one name", step)
		}
		if got.dups != want.dups && !d.phonesPatched {
			t.Fatalf("step %d: dups %v, want %v", step, got.dups, want.dups)
		}
		if prev != nil && d.phonesPatched {
			both := slices.Concat(prev.phoneList, list)
			for i := range both {
				k, num, id := phoneKey(&both[i]), both[i].Number, both[i].TenantID
				if a, b := got.phone(k), want.phone(k); (a == nil) != (b == nil) || a != nil && *a != *b {
					t.Fatalf("step %d: phone(%q) = %v, want %v", step, k, a, b)
				}
				if a, b := prev.phone(k), got.phone(k); !d.phoneKeys[k] && ((a == nil) != (b == nil) || a != nil && *a != *b) {
					t.Fatalf("step %d: phone %q changed but is not in the delta", step, k)
				}
				if !d.numbers.has(num) && !samePhones(prev.numbered(num), got.numbered(num)) {
					t.Fatalf("step %d: number %q changed but is not in the delta", step, num)
				}
				if !d.tenants.has(id) && !samePhones(prev.ofTenant(id), got.ofTenant(id)) {
					t.Fatalf("step %d: tenant %q changed but is not in the delta", step, id)
				}
			}
		}
		prev = got
	}
	t.Logf("patched %d, made anew %d", patched, made)
	if patched < 100 || made < 20 {
		t.Errorf("patched %d times, made anew %d: the edits do not cover both", patched, made)
	}
}

// TestPatchBounds: a patch is taken within the bounds on the phones it
// adds and removes, the numbers and tenants it touches and the phones
// patched since the tables were made whole, and not past them; a phone
// changed in place is patched.
func TestPatchBounds(t *testing.T) {
	var wg sync.WaitGroup
	base := []Phone{{Tech: "SIP", Name: "a", Number: "100", TenantID: "T"}}
	prev, _ := newTables(Input{Phones: base}, nil, &wg)
	wg.Wait()
	// adding n phones over these many numbers and tenants
	adding := func(n, numbers, tenants int) []Phone {
		list := slices.Clone(base)
		for i := range n {
			list = append(list, Phone{Tech: "SIP", Name: "n" + strconv.Itoa(i),
				Number: strconv.Itoa(200 + i%numbers), TenantID: "T" + strconv.Itoa(i%tenants)})
		}
		return list
	}
	for _, c := range []struct {
		name   string
		phones []Phone
		want   bool
	}{
		{"numbers at the bound", adding(maxPatchKeys, maxPatchKeys, 1), true},
		{"numbers past it", adding(maxPatchKeys+1, maxPatchKeys+1, 1), false},
		{"tenants at the bound", adding(maxPatchKeys, 1, maxPatchKeys), true},
		{"tenants past it", adding(maxPatchKeys+1, 1, maxPatchKeys+1), false},
		{"phones at the bound", adding(maxPatch, 2, 2), true},
		{"phones past it", adding(maxPatch+1, 2, 2), false},
		{"a phone renumbered", []Phone{{Tech: "SIP", Name: "a", Number: "101", TenantID: "T"}}, true},
		{"a second phone of its name", append(slices.Clone(base), Phone{Tech: "SIP", Name: "a", Number: "102", TenantID: "T"}), false},
		{"two new phones of one name", append(slices.Clone(base), Phone{Tech: "SIP", Name: "z", Number: "102", TenantID: "T"},
			Phone{Tech: "SIP", Name: "z", Number: "103", TenantID: "T"}), false},
	} {
		if _, d := newTables(Input{Phones: c.phones}, prev, &wg); d.phonesPatched != c.want {
			t.Errorf("%s: patched %v, want %v", c.name, d.phonesPatched, c.want)
		}
		wg.Wait()
	}
	// Patches of maxPatch phones each, one after the other: taken until
	// maxPatched phones were patched since the base.
	tb, list := prev, base
	for i := 1; i <= maxPatched/maxPatch+1; i++ {
		for j := range maxPatch {
			list = append(list, Phone{Tech: "SIP", Name: "m" + strconv.Itoa(i*maxPatch+j), Number: "300", TenantID: "T"})
		}
		next, d := newTables(Input{Phones: list}, tb, &wg)
		wg.Wait()
		if want := i*maxPatch <= maxPatched; d.phonesPatched != want {
			t.Fatalf("patch %d (%d phones patched since the base): patched %v, want %v", i, i*maxPatch, d.phonesPatched, want)
		}
		tb = next
	}
}
