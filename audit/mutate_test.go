package audit

import (
	"testing"

	"github.com/astapi/astapi/index"
)

// Tests written against mutants that survived `make mutate` (see
// scripts/mutate.sh): each pins one behaviour a plausible one-line bug
// would change without any other test noticing.

// S2 is "shorter than 12 characters": 11 fires, 12 does not, and
// characters are counted, not bytes.
func TestS2Boundary(t *testing.T) {
	cases := []struct {
		secret string
		short  bool
	}{
		{"Vq7#pLm2-Xz", true},   // 11
		{"Vq7#pLm2-Xz9", false}, // 12
		{"Vq7#pLm2-Xé", true},   // 11 characters, 12 bytes
	}
	for _, c := range cases {
		p := peer("201-Acme", c.secret)
		if got := rulesOf(New().Run(snapshot(nil, p)), p.Name)["S2"]; got != c.short {
			t.Errorf("secret %q (%d characters): S2 = %v, want %v", c.secret, len([]rune(c.secret)), got, c.short)
		}
	}
}

// S7 needs two peers sharing a secret, and two are enough: each names the
// other.
func TestS7ExactlyTwoPeers(t *testing.T) {
	a, b := peer("201-Acme", strong), peer("202-Acme", strong)
	fs := New().Run(snapshot(nil, a, b))
	for _, pair := range [][2]*index.Peer{{a, b}, {b, a}} {
		var f *Finding
		for i := range fs {
			if fs[i].Peer == pair[0].Name && fs[i].Rule == "S7" {
				f = &fs[i]
			}
		}
		if f == nil {
			t.Fatalf("no S7 for %s sharing its secret with %s", pair[0].Name, pair[1].Name)
		}
		if len(f.Shared) != 1 || f.Shared[0].Name != pair[1].Name {
			t.Errorf("S7 of %s: shared %+v, want only %s", pair[0].Name, f.Shared, pair[1].Name)
		}
	}
	if rulesOf(New().Run(snapshot(nil, peer("203-Acme", strong))), "203-Acme")["S7"] {
		t.Error("S7 on a peer alone with its secret")
	}
}
