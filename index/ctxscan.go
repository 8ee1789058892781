package index

import (
	"slices"
	"strings"

	"github.com/astapi/astapi/flow"
	"github.com/astapi/astapi/internal/parallel"
	"github.com/astapi/astapi/parser"
)

// contextScan is what indexDials, drawContexts and tenantsReached read of
// one context that depends on nothing but the context and the globals:
// its Dial()s with their devices parsed, and the contexts its Goto-like
// applications name. Finding them reads every priority of the dialplan;
// a reload that keeps the dialplan (parser.Dialplan.Splice shares the
// contexts of the files that did not change, and their globals) takes
// them over for the contexts it shares with the last load.
type contextScan struct {
	dials []dialScan
	jumps []string // literal context names, in priority order; existence not checked
	// inbound: the context is named like one where calls from providers
	// arrive (inboundName), worked out once per context read.
	inbound bool
}

// dialScan is one Dial() priority.
type dialScan struct {
	e       *parser.Extension
	pos     parser.Pos
	devices []dialDevice
}

// dialDevice is one technology/resource of a Dial(), before its peer is
// looked up.
type dialDevice struct {
	raw        string
	tech, name string // SIP or PJSIP and the peer's name; "" when it names no peer
	number     bool   // a number or URI is dialed through the peer
}

// contextScans are a load's scans by context.
type contextScans struct {
	globals []parser.Global // the dialplan's, which the devices were expanded with
	of      map[*parser.Context]*contextScan
}

// scanContexts scans every context of dp, taking over prev's scan of a
// context prev scanned with the same globals.
func scanContexts(dp *parser.Dialplan, prev *contextScans) *contextScans {
	out := &contextScans{globals: dp.Globals, of: make(map[*parser.Context]*contextScan, len(dp.Contexts))}
	if prev != nil && !slices.Equal(prev.globals, dp.Globals) {
		prev = nil
	}
	scans := make([]*contextScan, len(dp.Contexts))
	parallel.Runs(len(scans), tenantRuns(len(scans)), func(_, lo, hi int) {
		lc := newLowerCache()
		for i := lo; i < hi; i++ {
			c := dp.Contexts[i]
			if prev != nil {
				if s := prev.of[c]; s != nil {
					scans[i] = s
					continue
				}
			}
			scans[i] = scanContext(dp, c, lc)
		}
	})
	for i, c := range dp.Contexts {
		out.of[c] = scans[i]
	}
	return out
}

func scanContext(dp *parser.Dialplan, c *parser.Context, lc *lowerCache) *contextScan {
	s := &contextScan{inbound: inboundName(c.Name)}
	for _, e := range c.Extensions {
		for i := range e.Priorities {
			p := &e.Priorities[i]
			if strings.EqualFold(p.App, "dial") {
				s.dials = append(s.dials, dialScan{e: e, pos: p.Pos, devices: dialDevices(dp, p.Args, e)})
				continue
			}
			app := lc.lower(p.App)
			if !gotoLike[app] {
				continue
			}
			specs, n := jumpSpecs(app, p.Args)
			for _, spec := range specs[:n] {
				var parts [3]string
				if parser.SplitArgsInto(parts[:], spec) == 3 && !strings.Contains(parts[0], "${") {
					s.jumps = append(s.jumps, strings.TrimSpace(parts[0]))
				}
			}
		}
	}
	return s
}

// dialDevices splits the first argument of a Dial() (args) on '&'.
func dialDevices(dp *parser.Dialplan, args string, e *parser.Extension) []dialDevice {
	first := parser.FirstArg(args)
	if strings.TrimSpace(first) == "${HINT}" && e != nil {
		first = e.Hint
	}
	first = dp.ExpandGlobals(first)
	var out []dialDevice
	for item := range strings.SplitSeq(first, "&") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		d := dialDevice{raw: item}
		tech, rest, ok := strings.Cut(item, "/")
		if tech = strings.ToUpper(tech); ok && (tech == "SIP" || tech == "PJSIP") {
			// What follows the first '/' is a number or URI (which may hold
			// an '@' of its own): only the part before it names the peer,
			// as number@peer or peer.
			name, _, number := flow.DialDevice(rest)
			if name != "" && !strings.Contains(name, "${") {
				d.tech, d.name = tech, name
			}
			d.number = number
		}
		out = append(out, d)
	}
	return out
}

// dialTargets looks up the peers of a scanned Dial()'s devices in ps,
// appending them to out. Unknown peers are reported to w (nil: not
// reported).
func (ps *peerSet) dialTargets(out []dialTarget, d *dialScan, w *diagSink) []dialTarget {
	for _, dev := range d.devices {
		t := dialTarget{raw: dev.raw, number: dev.number}
		if dev.tech != "" {
			t.peer = ps.get(dev.tech, dev.name)
			if t.peer == nil {
				w.warn(d.pos, "Dial to %s/%s: no such peer in sip.conf, pjsip.conf or users.conf", dev.tech, dev.name)
			}
		}
		out = append(out, t)
	}
	return out
}

var gotoLike = map[string]bool{"goto": true, "gosub": true, "gotoif": true, "gotoiftime": true, "gosubif": true, "execiftime": true}

// lowerCache lower-cases the few distinct application names of a dialplan
// once each instead of once per priority. It is a small open-addressing
// table (names are few and short; a map costs more per look-up), with a
// map behind it once the table is full.
type lowerCache struct {
	slots [lowerSlots]lowerSlot
	used  int
	more  map[string]string
}

const lowerSlots = 64

type lowerSlot struct {
	key   string
	lower string
	set   bool
}

func newLowerCache() *lowerCache { return &lowerCache{} }

func (c *lowerCache) lower(s string) string {
	h := len(s)
	if len(s) > 0 {
		h = h*31 + int(s[0])*7 + int(s[len(s)-1])
	}
	for i := 0; i < lowerSlots; i++ {
		slot := &c.slots[(h+i)%lowerSlots]
		if !slot.set {
			l := lower(s)
			if c.used < lowerSlots/2 { // keep probes short
				*slot = lowerSlot{s, l, true}
				c.used++
				return l
			}
			break
		}
		if slot.key == s {
			return slot.lower
		}
	}
	if l, ok := c.more[s]; ok {
		return l
	}
	l := lower(s)
	if c.more == nil {
		c.more = map[string]string{}
	}
	if len(c.more) < 4096 {
		c.more[s] = l
	}
	return l
}

// jumpSpecs returns the [[context,]exten,]priority targets of a Goto-like
// application (app lower-cased): one for Goto/Gosub, up to two for
// GotoIf/GotoIfTime/GosubIf.
// They are out[:n].
func jumpSpecs(app, args string) (out [2]string, n int) {
	switch app {
	case "goto", "gosub":
		out[0] = args
		return out, 1
	case "gotoif", "gotoiftime", "gosubif":
		_, branches, ok := flow.CutCondition(args)
		if !ok {
			return out, 0
		}
		t, f := flow.CutBranches(branches)
		for _, s := range [2]string{t, f} {
			if strings.TrimSpace(s) != "" {
				out[n] = s
				n++
			}
		}
		return out, n
	case "execiftime":
		_, app, ok := flow.CutCondition(args)
		if !ok {
			return out, 0
		}
		name, inner, _ := strings.Cut(app, "(")
		if g := lower(strings.TrimSpace(name)); g == "goto" || g == "gosub" {
			out[0] = strings.TrimSuffix(inner, ")")
			return out, 1
		}
	}
	return out, 0
}
