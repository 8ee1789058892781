package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/astapi/astapi/flow"
	"github.com/astapi/astapi/index"
)

// TestDemoCallFlowGolden: /destination/all and /destination/graph of
// every tenant of both demo PBXs (the multi-tenant one of `make run` and
// the FreePBX-style one), through the real router, against golden files:
// between them the demos hold every object type and every source kind.
func TestDemoCallFlowGolden(t *testing.T) {
	types, kinds := map[string]bool{}, map[string]bool{}
	for _, demo := range []struct{ name, ini string }{
		{"demo", "../fixtures/astapi.ini"},
		{"freepbx", "../fixtures/freepbx/astapi.ini"},
	} {
		st := index.NewStore(func() (*index.Snapshot, error) { return index.Load(demo.ini) })
		if res := st.Reload(); !res.Success {
			t.Fatalf("%s: %v", demo.ini, res.Err)
		}
		s := New(st, Options{})
		admin := caller{"admin", "admin", "admin-demo"}
		snap := st.Current()
		for _, o := range snap.Flow.Objects {
			types[o.Type] = true
		}
		for _, e := range snap.Flow.Edges {
			kinds[e.TypeSrc] = true
		}
		for _, te := range snap.Tenants {
			slug := demo.name + "_" + strings.ToLower(te.Key)
			w := do(s, form("/destination/all", "tenant_id", te.ID).build(admin))
			if w.Code != http.StatusOK {
				t.Fatalf("%s /destination/all: %d %s", slug, w.Code, w.Body)
			}
			e := decode(t, w)
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, e.Data, "", "  "); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "callflow_"+slug+"_destination_all", pretty.String()+"\n")
			g := do(s, req{method: "GET", path: "/destination/graph", enc: "query"}.with("tenant_id", te.ID).build(admin))
			if g.Code != http.StatusOK || g.Header().Get("Content-Type") != contentDOT {
				t.Fatalf("%s /destination/graph: %d %s %s", slug, g.Code, g.Header().Get("Content-Type"), g.Body)
			}
			checkGolden(t, "callflow_"+slug+"_graph", g.Body.String())
		}
	}
	for _, typ := range []string{flow.TypeExt, flow.TypeHuntlist, flow.TypeQueue, flow.TypeVoicemail, flow.TypeIVR,
		flow.TypeCondition, flow.TypeDISA, flow.TypeMeetme, flow.TypePlayback, flow.TypeSpecial, flow.TypeCustom, flow.TypeDID} {
		if !types[typ] {
			t.Errorf("no %s object in the demos", typ)
		}
	}
	want := []string{flow.SrcDID, flow.SrcCondition, flow.SrcNotCondition, flow.SrcExtNoAnswer, flow.SrcExtBusy,
		flow.SrcHuntlistTimeout, flow.SrcQueueTimeout, flow.SrcIVRStar, flow.SrcIVRSharp, flow.SrcIVRTimeout, flow.SrcIVRWrong}
	for k := '0'; k <= '9'; k++ {
		want = append(want, "IVR_"+string(k))
	}
	for _, k := range want {
		if !kinds[k] {
			t.Errorf("no %s destination in the demos", k)
		}
	}
}
