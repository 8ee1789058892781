package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/astapi/astapi/flow"
	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/internal/demofixtures"
)

// TestDemoReadGolden records the answers of SPEC §6.1's endpoints on both
// demo PBXs (fixtures/ and fixtures/freepbx/), for every tenant,
// extension, DID and ring group, in one golden file per demo. The
// answers carrying a SIP secret are recorded with the secret's length
// only.
func TestDemoReadGolden(t *testing.T) {
	for _, demo := range []struct{ name, dir, admin, secrets string }{
		{"asterisk", "../fixtures", "admin", "auditor"},
		{"freepbx", "../fixtures/freepbx", "admin", "auditor"},
	} {
		t.Run(demo.name, func(t *testing.T) {
			ini := demofixtures.Copy(t, demo.dir)
			st := index.NewStore(func() (*index.Snapshot, error) { return index.Load(ini) })
			if res := st.Reload(); !res.Success {
				t.Fatal(res.Err)
			}
			snap := st.Current()
			s := New(st, Options{LoginFailureLimit: -1})
			admin := caller{"admin", demo.admin, demo.admin + "-demo"}
			withSecrets := caller{demo.secrets, demo.secrets, demo.secrets + "-demo"}
			var b strings.Builder
			record := func(c caller, r req) {
				w := do(s, r.build(c))
				body := w.Body.String()
				if r.path == "/extension/usersecret" && w.Code == http.StatusOK {
					var e envelope
					var sec string
					if json.Unmarshal([]byte(body), &e) == nil && json.Unmarshal(e.Data, &sec) == nil {
						body = fmt.Sprintf("(a secret of %d characters)", len(sec))
					}
				}
				fmt.Fprintf(&b, "%s %s %s as %s\nHTTP %d\n%s\n\n", r.method, r.path, paramsOf(r), c.name, w.Code, body)
			}
			for _, ten := range snap.Tenants {
				for _, p := range []string{"/did/bytenant", "/hunt/bytenant", "/ivr/bytenant", "/condition/bytenant",
					"/custom/bytenant", "/voicemail/bytenant", "/phone/bytenant", "/extension/getCidNumberList", "/extension/GetFMFCallerIdList"} {
					record(admin, form(p, "tenant_id", ten.ID))
				}
				for _, e := range snap.ExtensionsByTenant(ten.ID) {
					record(admin, form("/extension/getCidNumber", "extension_id", e.ID))
					record(admin, form("/extension/GetFMFCallerId", "extension_id", e.ID))
					record(withSecrets, form("/extension/usersecret", "tenant_id", ten.ID, "extension_id", e.ID))
				}
				for _, o := range snap.ObjectsByTenant(ten.ID, flow.TypeDID) {
					record(admin, form("/did/byid", "did_id", o.ID))
				}
				for _, o := range snap.ObjectsByTenant(ten.ID, flow.TypeHuntlist) {
					record(admin, form("/hunt/byid", "hunt_id", o.ID))
				}
			}
			record(admin, form("/extension/updatebyid", "extension_id", "1"))
			record(admin, form("/cdr/getCallHistory", "tenant_id", "1"))
			checkGolden(t, "demo_read_"+demo.name, b.String())
		})
	}
}
