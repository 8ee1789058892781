package flow

import "strings"

// transparent applications do not route the call: typing steps over them
// (SPEC §4 "plumbing is transparent"). Authenticate and VMAuthenticate
// are among them; the audit reads their PINs.
var transparent = map[string]bool{
	"answer": true, "noop": true, "set": true, "mset": true, "wait": true, "progress": true,
	"ringing": true, "mixmonitor": true, "monitor": true, "stopmonitor": true, "stopmixmonitor": true,
	"authenticate": true, "vmauthenticate": true, "verbose": true, "log": true,
	"setlanguage": true, "setmusiconhold": true, "setcallerpres": true, "setcidname": true,
	"setcidnum": true, "setglobalvar": true, "setamaflags": true, "resetcdr": true, "nocdr": true,
	"forkcdr": true, "queuelog": true, "userevent": true, "celgenuserevent": true,
	"sipaddheader": true, "sipremoveheader": true, "importvar": true, "dumpchan": true,
	"system": true, "trysystem": true, "sendtext": true, "sendurl": true, "waitforring": true,
	"chanisavail": true, "sipdtmfmode": true, "setvar": true, "unpausequeuemember": true,
	"pausequeuemember": true, "addqueuemember": true, "removequeuemember": true,
	"stackpop": true, "lookupcidname": true, "lookupblacklist": true,
	"txtcidname": true, "privacymanager": true,
}

// terminators end the call (SPECIAL); MusicOnHold without a duration
// holds the caller forever.
var terminators = map[string]bool{
	"hangup": true, "busy": true, "congestion": true, "zapateller": true, "musiconhold": true,
}

// lowerApp is an application name as compared: lower case, trimmed. The
// names typing looks at come from appNames without allocating: walks read
// every priority they pass, many times over on a big dialplan. Any other
// name (none there is longer than buf or has a byte past ASCII) is
// lowered by strings.ToLower.
func lowerApp(s string) string {
	s = strings.TrimSpace(s)
	var buf [24]byte
	b := buf[:0]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	if name, ok := appNames[string(b)]; ok {
		return name
	}
	return strings.ToLower(s)
}

// appNames maps the lower-case names of the applications typing tells
// apart to themselves (see lowerApp).
var appNames = func() map[string]string {
	m := map[string]string{}
	for _, set := range []map[string]bool{transparent, terminators} {
		for a := range set {
			m[a] = a
		}
	}
	for _, a := range []string{"agi", "background", "confbridge", "controlplayback", "deadagi", "dial", "disa",
		"eagi", "execif", "execiftime", "faxdetect", "gosub", "gosubif", "goto", "gotoif", "gotoiftime",
		"macro", "macroexit", "meetme", "nvfaxdetect", "playback", "playtones", "queue", "read", "receivefax",
		"return", "rxfax", "sayalpha", "saydigits", "saynumber", "sayunixtime", "voicemail", "voicemailmain",
		"waitexten"} {
		m[a] = a
	}
	return m
}()

// ivrKey maps an IVR context's extension to its source kind ("" when the
// extension is not a key).
func ivrKey(exten string) string {
	if len(exten) == 1 && exten[0] >= '0' && exten[0] <= '9' {
		return "IVR_" + exten
	}
	return ivrSpecialKeys[exten]
}

// ivrSpecialKeys are the IVR extensions that are no digit: *, #, the
// timeout and the invalid choice.
var ivrSpecialKeys = map[string]string{"*": SrcIVRStar, "#": SrcIVRSharp, "t": SrcIVRTimeout, "i": SrcIVRWrong}

// special extensions are not numbers anyone dials.
var special = map[string]bool{"h": true, "i": true, "t": true, "e": true, "o": true, "a": true, "T": true, "fax": true}

// dialStatuses are the DIALSTATUS values a test may name.
var dialStatuses = []string{"NOANSWER", "BUSY", "CHANUNAVAIL", "CONGESTION", "CANCEL", "ANSWER", "DONTCALL", "TORTURE", "INVALIDARGS"}
