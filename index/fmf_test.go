package index_test

import "testing"

func TestFMFCallerID(t *testing.T) {
	s := loadPBX(t, "[tenant Acme]\ncode = Acme\ncontexts = acme-*\n", map[string]string{
		"sip.conf": `
[201-Acme]
type=friend
host=dynamic
context=acme-internal
setvar=OUTBOUND_CID_NUM=5145550100
[202-Acme]
type=friend
host=dynamic
context=acme-internal
setvar=OUTBOUND_CID_NUM=5145550102
[203-Acme]
type=friend
host=dynamic
context=acme-internal
setvar=OUTBOUND_CID_NUM=5145550103
[204-Acme]
type=friend
host=dynamic
context=acme-internal
[205-Acme]
type=friend
host=dynamic
context=acme-internal
setvar=OUTBOUND_CID_NUM=5145550105
[trunk-acme]
type=peer
host=sip.provider.example
`,
		"extensions.conf": `
[globals]
MAINDID=5145550199

[acme-internal]
; forwarded to a mobile after 20 s, showing the main number
exten => 201,1,Dial(SIP/201-Acme,20)
 same => n,Set(CALLERID(num)=${MAINDID})
 same => n,Dial(SIP/trunk-acme/5145551111)
; follow-me with its own number
exten => 202,1,Set(CALLERID(num)=5145550777)
 same => n,FollowMe(202)
; a Set that is never used for an outside call
exten => 203,1,Set(CALLERID(num)=5145550888)
 same => n,Dial(SIP/203-Acme,20)
 same => n,Dial(Local/204@acme-internal)
; CALLERID(all) and an unresolved value later: the variable is no number
exten => 204,1,Set(CALLERID(all)="Acme" <5145550444>)
 same => n,Dial(PJSIP/5145552222@trunk-acme)
exten => 205,1,Set(CALLERID(num)=${CALLERID(num)})
 same => n,Dial(SIP/trunk-acme/5145553333)
`,
	})
	for peer, want := range map[string]string{
		"201-Acme": "5145550199", // the global is put in
		"202-Acme": "5145550777",
		"203-Acme": "5145550103", // no outside Dial: ex_cidnum
		"204-Acme": "5145550444",
		"205-Acme": "5145550105", // a variable: ex_cidnum
	} {
		e := mustExtOfPeer(t, s, peer)
		if got := s.FMFCallerID(e); got != want {
			t.Errorf("%s: %q, want %q", peer, got, want)
		}
	}
}
