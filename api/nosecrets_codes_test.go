package api

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/parser"
)

// fixtureCodes are the short secrets of the fixtures that fixtureSecrets
// leaves out (shorter than minLeakLen): voicemail PINs and the literal
// passcodes of DISA() and Authenticate(). A PIN equal to its box number
// is the box number (audit rule V1), public anyway.
func fixtureCodes(t *testing.T, snap *index.Snapshot) []string {
	t.Helper()
	set := map[string]bool{}
	for _, m := range snap.Mailboxes {
		if pin := strings.TrimPrefix(m.PIN, "-"); pin != "" && pin != m.Box {
			set[pin] = true
		}
	}
	for _, c := range snap.Dialplan.Contexts {
		for _, e := range c.Extensions {
			for _, pr := range e.Priorities {
				switch strings.ToLower(pr.App) {
				case "disa", "authenticate":
					if code := strings.TrimSpace(parser.FirstArg(pr.Args)); code != "" && !strings.EqualFold(code, "no-password") && !strings.HasPrefix(code, "/") {
						set[code] = true
					}
				}
			}
		}
	}
	// A users.conf box without vmsecret takes the SIP secret as its PIN:
	// that one is a SIP secret, which /extension/user gives permitted users.
	for _, p := range append(peersOf(snap), snap.Trunks...) {
		delete(set, p.Secret)
	}
	if len(set) < 5 {
		t.Fatalf("only %d PINs and passcodes found in the fixtures: the search is broken", len(set))
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// codeFinders match a short code as a token of its own: not inside a
// longer number, word or decimal (IDs, hex ETags and durations hold four
// digits by chance).
func codeFinders(codes []string) []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(codes))
	for i, c := range codes {
		out[i] = regexp.MustCompile(`(^|[^0-9A-Za-z.])` + regexp.QuoteMeta(c) + `($|[^0-9A-Za-z.])`)
	}
	return out
}

// holdsCode reports whether text holds one of the codes as a token.
func holdsCode(finders []*regexp.Regexp, text string) bool {
	for _, f := range finders {
		if f.MatchString(text) {
			return true
		}
	}
	return false
}

// TestCodeFinders: the token rule finds a PIN where a leak would put it
// and not inside IDs, hex or decimals.
func TestCodeFinders(t *testing.T) {
	f := codeFinders([]string{"8264"})
	for _, s := range []string{`"pin":"8264"`, `DISA(8264,ctx)`, "8264", `x 8264\n`} {
		if !holdsCode(f, s) {
			t.Errorf("%q: not found", s)
		}
	}
	for _, s := range []string{`"uniqueid":"4182645"`, `ETag: "ab8264cd"`, `0.08264`, `v8264`} {
		if holdsCode(f, s) {
			t.Errorf("%q: found", s)
		}
	}
}

// readAPIRequests are the requests of SPEC §6.1's endpoints over every
// tenant, extension and object of snap, and the refused write endpoints.
func readAPIRequests(snap *index.Snapshot, tenantIDs []string) []req {
	var out []req
	for _, id := range tenantIDs {
		for _, p := range []string{"/extension/getCidNumberList", "/extension/GetFMFCallerIdList", "/did/bytenant", "/hunt/bytenant",
			"/ivr/bytenant", "/condition/bytenant", "/voicemail/bytenant", "/custom/bytenant", "/phone/bytenant"} {
			out = append(out, form(p, "tenant_id", id))
		}
	}
	for _, e := range snap.Extensions {
		out = append(out, form("/extension/getCidNumber", "extension_id", e.ID), form("/extension/GetFMFCallerId", "extension_id", e.ID))
		for _, id := range tenantIDs {
			out = append(out, form("/extension/usersecret", "tenant_id", id, "extension_id", e.ID))
		}
	}
	if snap.Flow != nil {
		for _, o := range snap.Flow.Objects {
			out = append(out, form("/did/byid", "did_id", o.ID), form("/hunt/byid", "hunt_id", o.ID))
		}
	}
	for _, p := range append(writePaths(), notServedPaths...) {
		out = append(out, form(p, "extension_id", "1"))
	}
	return out
}
