package index

import (
	"strings"

	"github.com/astapi/astapi/parser"
)

// FMFCallerID is the caller-ID number extension e shows when its calls
// are forwarded out (find-me/follow-me, SPEC §6.1): the last
// Set(CALLERID(num)=…) (or CALLERID(all)) on the extension's own dialplan
// extension, in the tenant's contexts, before a Dial() to an outside
// number or a FollowMe(); else e.CIDNum. A value that still holds a
// variable once the globals are put in is not a number: it is skipped.
func (s *Snapshot) FMFCallerID(e *Extension) string {
	t := s.TenantByID(e.TenantID)
	if t == nil || s.Dialplan == nil {
		return e.CIDNum
	}
	for _, name := range t.Contexts {
		c := s.Dialplan.Context(name)
		if c == nil {
			continue
		}
		if x := c.Extension(e.Number, ""); x != nil {
			if num, ok := fmfOnPath(s.Dialplan, x); ok {
				return num
			}
		}
	}
	return e.CIDNum
}

func fmfOnPath(dp *parser.Dialplan, x *parser.Extension) (string, bool) {
	cid := ""
	for i := range x.Priorities {
		pr := &x.Priorities[i]
		switch strings.ToLower(pr.App) {
		case "set":
			if v, ok := callerIDNumSet(pr.Args); ok {
				cid = ""
				if v = dp.ExpandGlobals(v); !strings.Contains(v, "${") && !strings.Contains(v, "$[") {
					cid = v
				}
			}
		case "dial":
			if cid != "" && DialsOut(dp.ExpandGlobals(parser.FirstArg(pr.Args))) {
				return cid, true
			}
		case "followme":
			if cid != "" {
				return cid, true
			}
		}
	}
	return "", false
}

// callerIDNumSet returns the number a Set() gives CALLERID(num) (or
// CALLERID(number), or the <number> of CALLERID(all)).
func callerIDNumSet(args string) (string, bool) {
	name, val, ok := strings.Cut(args, "=")
	if !ok {
		return "", false
	}
	name = strings.ToLower(strings.TrimSpace(name))
	switch name {
	case "callerid(num)", "callerid(number)":
		return strings.Trim(strings.TrimSpace(val), `"`), true
	case "callerid(all)":
		if _, num := parseCallerID(val); num != "" {
			return num, true
		}
	}
	return "", false
}

// DialsOut reports whether a Dial() target list sends a number through a
// channel to the outside (SIP/trunk/123, SIP/123@trunk, PJSIP/123@trunk,
// DAHDI/g1/123, IAX2/peer/123); Local/ channels stay inside the PBX.
func DialsOut(targets string) bool {
	for t := range strings.SplitSeq(targets, "&") {
		tech, rest, ok := strings.Cut(strings.TrimSpace(t), "/")
		if ok && !strings.EqualFold(tech, "local") && strings.ContainsAny(rest, "/@") {
			return true
		}
	}
	return false
}
