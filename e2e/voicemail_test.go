package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// voicemail asks for tenant Acme's voicemail boxes; the state is the
// sorted "box@context=name" of each.
var voicemail = probe{
	method: http.MethodPost,
	path:   "/voicemail/bytenant",
	form:   url.Values{"tenant_id": {tenantID}},
	state: func(data json.RawMessage) (string, error) {
		var items []struct {
			Context  string `json:"context"`
			Mailbox  string `json:"mailbox"`
			FullName string `json:"fullname"`
		}
		if err := json.Unmarshal(data, &items); err != nil {
			return "", err
		}
		out := make([]string, len(items))
		for i, x := range items {
			out[i] = x.Mailbox + "@" + x.Context + "=" + x.FullName
		}
		slices.Sort(out)
		return strings.Join(out, ","), nil
	},
}

// voicemail.conf is read, watched and reloaded like the other files: it
// appears, changes (atomic save by an editor) and its #include brings a
// new file.
func init() {
	reloadCases = append(reloadCases, reloadCase{
		name:  "voicemail.conf appears, changes, includes",
		files: map[string]string{"asterisk/sip.conf": sipConf("", "a", 201)},
		steps: []step{{
			what:   "voicemail.conf created",
			change: func(e *env) { e.write("asterisk/voicemail.conf", "[general]\n[acme-vm]\n201 => 830571,Alice\n") },
			p:      voicemail,
			want:   "201@acme-vm=Alice",
		}, {
			what: "voicemail.conf saved atomically with an #include",
			change: func(e *env) {
				e.write("asterisk/vm.d/more.conf", "202 => 561942,Bob\n")
				e.writeAtomic("asterisk/voicemail.conf", "[general]\n[acme-vm]\n201 => 830571,Alice A.\n#include vm.d/more.conf\n")
			},
			p:    voicemail,
			want: "201@acme-vm=Alice A.,202@acme-vm=Bob",
		}, {
			what:   "the included file changes",
			change: func(e *env) { e.write("asterisk/vm.d/more.conf", "202 => 561942,Bob B.\n") },
			p:      voicemail,
			want:   "201@acme-vm=Alice A.,202@acme-vm=Bob B.",
		}},
	})
}
