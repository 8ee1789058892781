package audit

// Severity of a finding. Error-level findings are the ones to act on now.
type Severity string

// Severities, lowest first.
const (
	Warning Severity = "warning"
	Error   Severity = "error"
)

// Rank orders severities: Warning 1, Error 2, anything else 0.
func (s Severity) Rank() int {
	switch s {
	case Warning:
		return 1
	case Error:
		return 2
	}
	return 0
}

// Rule is one check.
type Rule struct {
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	Reason   string   `json:"reason"`
}

// Rules lists every check, in report order.
var Rules = []Rule{
	{"S1", Error, "registering peer (host=dynamic) without a secret, md5secret or PJSIP auth"},
	{"S2", Warning, "secret shorter than 12 characters"},
	{"S3", Error, "secret made of digits only"},
	{"S4", Error, "secret equals or contains the peer name, extension number, user name or tenant code"},
	{"S5", Error, "secret is a common password"},
	{"S6", Warning, "secret uses one character class only or has very low entropy"},
	{"S7", Error, "the same secret is used on more than one peer"},
	{"S8", Error, "insecure=invite on a registering peer: calls are accepted without authentication"},
	{"S9", Warning, "no permit/deny/acl on the peer: any address may register or call"},
	{"G1", Warning, "sip.conf [general] allowguest is not no: unauthenticated calls are accepted"},
	{"G2", Warning, "sip.conf [general] alwaysauthreject is not yes: peer names can be enumerated"},
	{"G3", Warning, "friend peer whose context reaches an outside-dialling Dial() without an authentication step"},
	{"V1", Error, "voicemail PIN equals the box number"},
	{"V2", Warning, "voicemail PIN shorter than 6 digits"},
	{"V3", Error, "voicemail PIN is a trivial sequence (repeated or consecutive digits, a common PIN)"},
	{"V4", Error, "the same voicemail PIN is used on more than one box"},
	{"V5", Error, "voicemail box without a PIN: VoiceMailMain does not ask for one"},
	{"D1", Error, "DISA(no-password) into a context that dials out: anyone calling it gets an outside line"},
	{"D2", Error, "DISA or Authenticate() passcode shorter than 6 digits or trivial"},
}

// RuleByID returns the rule with that ID.
func RuleByID(id string) (Rule, bool) {
	for _, r := range Rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}
