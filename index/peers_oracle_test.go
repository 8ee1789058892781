package index_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/internal/testcorpus"
)

// oraclePeers is one file of corpus/oracle-peers: what chan_sip built
// from a corpus directory (AMI SIPpeers + SIPshowpeer of every peer).
type oraclePeers struct {
	Loaded bool             `json:"chan_sip_loaded"`
	Peers  []map[string]any `json:"peers"`
}

// TestPeersAgainstChanSIP compares `astapi dump peers` with what chan_sip
// itself built from every corpus directory: the same SIP peer names where
// chan_sip loaded (none where it did not), and every field the oracle
// reports equal. No difference is tolerated. Where astapi differs on
// purpose, the corpus has no case: chan_sip deletes a peer whose host=
// does not resolve (astapi does no DNS and keeps it); PJSIP endpoints are
// not compared (the oracle is chan_sip's, see the README for how their
// fields are mapped).
func TestPeersAgainstChanSIP(t *testing.T) {
	corpus := testcorpus.Dir(t)
	files, _ := filepath.Glob(filepath.Join(corpus, "oracle-peers", "*.json"))
	if len(files) == 0 {
		t.Skip("no oracle-peers in the corpus")
	}
	var dirs, peers, fields, agree int
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		dir := filepath.Join(corpus, "real-world", name)
		if name == "asterisk-samples" {
			dir = filepath.Join(corpus, name)
		}
		var want oraclePeers
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		t.Run(name, func(t *testing.T) {
			dump, _, err := index.LoadPeers(dir)
			if err != nil {
				t.Fatalf("LoadPeers: %v", err)
			}
			got := map[string]map[string]any{}
			for _, p := range dump.Peers {
				if p.Channel != "SIP" {
					continue
				}
				var m map[string]any
				b, _ := json.Marshal(p)
				_ = json.Unmarshal(b, &m)
				got[p.Name] = m
			}
			if !want.Loaded {
				if len(got) > 0 {
					t.Errorf("chan_sip did not load, but %d SIP peers resolved: %v", len(got), keys(got))
				}
				return
			}
			dirs++
			wantNames := map[string]bool{}
			for _, w := range want.Peers {
				n := fmt.Sprint(w["name"])
				wantNames[n] = true
				g := got[n]
				if g == nil {
					t.Errorf("peer %s: chan_sip built it, astapi did not", n)
					continue
				}
				peers++
				for k, wv := range w {
					fields++
					if fmt.Sprint(g[k]) == fmt.Sprint(wv) {
						agree++
						continue
					}
					t.Errorf("peer %s: %s = %q, chan_sip shows %q", n, k, fmt.Sprint(g[k]), fmt.Sprint(wv))
				}
			}
			for n := range got {
				if !wantNames[n] {
					t.Errorf("peer %s: astapi resolved it, chan_sip did not build it", n)
				}
			}
		})
	}
	t.Logf("chan_sip loaded in %d directories: %d peers, %d of %d fields agree", dirs, peers, agree, fields)
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
