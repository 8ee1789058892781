package parser

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"gopkg.in/ini.v1"
)

// benchInput is a generated, realistic pair of files, about 1 MB together:
// a multi-tenant sip.conf (templates, comments, block comments, many peers)
// and an extensions.conf (globals, includes, many exten/same lines, IVRs).
type benchInput struct {
	sip, ext []byte
}

var (
	benchOnce sync.Once
	benchData benchInput
)

func benchFiles() benchInput {
	benchOnce.Do(func() {
		benchData = benchInput{sip: genSIP(40, 60), ext: genExtensions(40, 25)}
	})
	return benchData
}

var benchTenants = []string{"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell", "Cyberdyne", "Soylent"}

func tenantName(t int) string {
	return fmt.Sprintf("%s%02d", benchTenants[t%len(benchTenants)], t)
}

// genSIP writes tenants*peers peers.
func genSIP(tenants, peers int) []byte {
	var b strings.Builder
	b.WriteString(`; sip.conf generated for benchmarks
; ------------------------------------------------------------------
[general]
context=default                 ; unauthenticated calls go nowhere
allowguest=no
udpbindaddr=0.0.0.0:5060
tcpenable=no
srvlookup=yes
useragent=Asterisk PBX
disallow=all
allow=ulaw
allow=alaw
register => 5145550100:s3cr3t@sip.provider.example/5145550100
register => 5145550101:s3cr3t@sip.provider.example/5145550101

;-- The templates below are shared by every tenant.
    Keep type, context and codecs here; peers only set their secret
    and caller ID. --;

[phone](!)
type=friend
host=dynamic
dtmfmode=rfc2833
disallow=all
allow=ulaw
allow=alaw
allow=g722
nat=force_rport,comedia
qualify=yes
call-limit=4
directmedia=no

[phone-vm](!,phone)
mailbox=${EXTEN}@default       ; set per peer below
subscribecontext=hints

[trunk](!)
type=peer
insecure=port,invite
fromdomain=sip.provider.example
host=sip.provider.example
`)
	for t := 0; t < tenants; t++ {
		name := tenantName(t)
		fmt.Fprintf(&b, "\n; ---- tenant %s ----\n", name)
		fmt.Fprintf(&b, "[trunk-%s](trunk)\nusername=%d\nsecret=Tr%04dk!x\ncontext=from-trunk-%s\n", strings.ToLower(name), 5145550000+t, t, strings.ToLower(name))
		for p := 0; p < peers; p++ {
			num := 200 + p
			tpl := "phone"
			if p%3 == 0 {
				tpl = "phone-vm"
			}
			fmt.Fprintf(&b, "\n[%d-%s](%s)\n", num, name, tpl)
			fmt.Fprintf(&b, "secret=S%d%03dq\\;x%02d       ; escaped semicolon in the secret\n", t, p, p)
			fmt.Fprintf(&b, "callerid=\"User %d of %s\" <%d>\n", p, name, num)
			fmt.Fprintf(&b, "context=from-internal-%s\n", strings.ToLower(name))
			fmt.Fprintf(&b, "setvar=OUTBOUND_CID_NUM=514555%04d\n", t*100+p)
			if p%3 == 0 {
				fmt.Fprintf(&b, "mailbox=%d@%s\n", num, strings.ToLower(name))
			}
			if p%5 == 0 {
				b.WriteString("allow+=,opus\n;deny=0.0.0.0/0.0.0.0\npermit=10.0.0.0/255.0.0.0\n")
			}
		}
	}
	return []byte(b.String())
}

// genExtensions writes a dialplan for tenants*exts extensions.
func genExtensions(tenants, exts int) []byte {
	var b strings.Builder
	b.WriteString(`; extensions.conf generated for benchmarks
[general]
static=yes
writeprotect=no
clearglobalvars=no
userscontext=default

[globals]
TRUNK=SIP/provider
RINGTIME=25
VMCONTEXT=default

[macro-stdexten](!)
exten => s,1,Dial(${ARG2},${RINGTIME},tT)
 same => n,Goto(s-${DIALSTATUS},1)
exten => s-NOANSWER,1,VoiceMail(${ARG1},u)
 same => n,Hangup()
exten => s-BUSY,1,VoiceMail(${ARG1},b)
 same => n,Hangup()
exten => _s-.,1,Goto(s-NOANSWER,1)
`)
	for t := 0; t < tenants; t++ {
		name := tenantName(t)
		lc := strings.ToLower(name)
		fmt.Fprintf(&b, "\n;-- tenant %s: internal calls, DIDs, IVR --;\n[from-internal-%s]\n", name, lc)
		fmt.Fprintf(&b, "include => parkedcalls\ninclude => outbound-%s\nignorepat => 9\n", lc)
		for e := 0; e < exts; e++ {
			num := 200 + e
			fmt.Fprintf(&b, "exten => %d,hint,SIP/%d-%s\n", num, num, name)
			fmt.Fprintf(&b, "exten => %d,1,NoOp(Call for %d of %s)\n", num, num, name)
			fmt.Fprintf(&b, " same => n,Set(CALLERID(name)=${IF($[\"${CALLERID(name)}\" = \"\"]?Unknown:${CALLERID(name)})})\n")
			fmt.Fprintf(&b, " same => n(dial),Dial(SIP/%d-%s,${RINGTIME},tTr)\n", num, name)
			fmt.Fprintf(&b, " same => n,GotoIf($[\"${DIALSTATUS}\" = \"BUSY\"]?busy)\n")
			fmt.Fprintf(&b, " same => n,VoiceMail(%d@%s,u)\n", num, lc)
			fmt.Fprintf(&b, " same => n,Hangup()\n")
			fmt.Fprintf(&b, " same => n(busy),VoiceMail(%d@%s,b)  ; busy greeting\n", num, lc)
			fmt.Fprintf(&b, " same => n,Hangup()\n")
		}
		fmt.Fprintf(&b, "exten => _9NXXNXXXXXX,1,Set(CALLERID(num)=514555%04d)\n same => n,Dial(${TRUNK}/${EXTEN:1},60)\n same => n,Congestion()\n", t)
		fmt.Fprintf(&b, "\n[outbound-%s]\nexten => _011.,1,Dial(${TRUNK}/${EXTEN})\nexten => _NXXNXXXXXX,1,Dial(${TRUNK}/1${EXTEN})\n", lc)
		fmt.Fprintf(&b, "\n[ivr-%s]\nexten => s,1,Answer()\n same => n,Set(TIMEOUT(digit)=3)\n same => n(menu),Background(custom/%s-welcome)\n same => n,WaitExten(5)\n", lc, lc)
		for k := 0; k < 10; k++ {
			fmt.Fprintf(&b, "exten => %d,1,Goto(from-internal-%s,%d,1)\n", k, lc, 200+k)
		}
		fmt.Fprintf(&b, "exten => t,1,Goto(s,menu)\nexten => i,1,Playback(invalid)\n same => n,Goto(s,menu)\n")
		fmt.Fprintf(&b, "\n[from-trunk-%s](macro-stdexten)\nexten => %d,1,GotoIfTime(08:00-17:00,mon-fri,*,*?ivr-%s,s,1)\n same => n,Goto(from-internal-%s,200,1)\n", lc, 5145550000+t, lc, lc)
	}
	return []byte(b.String())
}

func TestBenchInputIsRealistic(t *testing.T) {
	in := benchFiles()
	total := len(in.sip) + len(in.ext)
	if total < 900<<10 || total > 1300<<10 {
		t.Errorf("bench input is %d bytes, want about 1 MB", total)
	}
	t.Logf("sip.conf %d bytes, extensions.conf %d bytes", len(in.sip), len(in.ext))
	sip := Parse("sip.conf", in.sip, Options{Root: t.TempDir()})
	ext := Parse("extensions.conf", in.ext, Options{Root: t.TempDir()})
	for _, cfg := range []*Config{sip, ext} {
		if cfg.Invalid || len(cfg.Diags) != 0 {
			t.Fatalf("%s: invalid=%v %v", cfg.Files, cfg.Invalid, cfg.Diags)
		}
	}
	if n := len(sip.Sections); n < 2000 {
		t.Errorf("sip.conf has %d sections", n)
	}
	if v, _ := sip.Section("200-Acme00").Get("secret"); v != "S0000q;x00" {
		t.Errorf("secret %q", v)
	}
	dp := BuildDialplan(ext)
	if len(dp.Diags) != 0 {
		t.Fatalf("dialplan: %v", dp.Diags)
	}
	e := dp.Context("from-internal-acme00").Extension("201", "")
	if e == nil || len(e.Priorities) != 8 || e.Hint != "SIP/201-Acme00" || e.Label("busy").Priority != 7 {
		t.Errorf("extension 201 = %+v", e)
	}
	// ini.v1 reads the same bytes without error, so the comparison is fair.
	for _, data := range [][]byte{in.sip, in.ext} {
		f, err := ini.LoadSources(iniOptions, data)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Sections()) < 100 {
			t.Errorf("ini.v1 read %d sections", len(f.Sections()))
		}
	}
}

// iniOptions make gopkg.in/ini.v1 as close to Asterisk's reading as it
// goes: repeated keys and sections kept (duplicates and empty values too),
// lines without '=' skipped, case-insensitive names, '=' as the only
// delimiter, no line continuation.
var iniOptions = ini.LoadOptions{
	AllowShadows:               true,
	AllowNonUniqueSections:     true,
	AllowDuplicateShadowValues: true,
	PreserveEmptyShadowValues:  true,
	SkipUnrecognizableLines:    true,
	Insensitive:                true,
	IgnoreContinuation:         true,
	KeyValueDelimiters:         "=",
}

func BenchmarkParse(b *testing.B) {
	in := benchFiles()
	root := b.TempDir()
	b.SetBytes(int64(len(in.sip) + len(in.ext)))
	b.ReportAllocs()
	for b.Loop() {
		sip := Parse("sip.conf", in.sip, Options{Root: root})
		ext := Parse("extensions.conf", in.ext, Options{Root: root})
		if len(sip.Sections) == 0 || len(ext.Sections) == 0 {
			b.Fatal("nothing parsed")
		}
	}
}

// BenchmarkIniV1 loads the same bytes with gopkg.in/ini.v1, the library
// the card names (and which cannot read the dialect faithfully).
func BenchmarkIniV1(b *testing.B) {
	in := benchFiles()
	b.SetBytes(int64(len(in.sip) + len(in.ext)))
	b.ReportAllocs()
	for b.Loop() {
		for _, data := range [][]byte{in.sip, in.ext} {
			if _, err := ini.LoadSources(iniOptions, data); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkDialplan(b *testing.B) {
	in := benchFiles()
	cfg := Parse("extensions.conf", in.ext, Options{Root: b.TempDir()})
	b.SetBytes(int64(len(in.ext)))
	b.ReportAllocs()
	for b.Loop() {
		if dp := BuildDialplan(cfg); len(dp.Contexts) == 0 {
			b.Fatal("no contexts")
		}
	}
}

// BenchmarkParseCommentHeavy measures the comment scanner's slow path on
// hostile lines of 8190 bytes: only escapes, only one-line block comments,
// only stray closers, only openers (past 128 levels each one is an error
// diagnostic), against a plain line with a comment.
func BenchmarkParseCommentHeavy(b *testing.B) {
	for _, unit := range []struct{ name, text string }{
		{"plain", "k=v; c"},
		{"escapes", `\;`},
		{"blocks", "x;-- --;"},
		{"closers", "--; "},
		{"openers", ";-- "},
	} {
		line := strings.Repeat(unit.text, 8190/len(unit.text))
		src := []byte("[s]\n" + strings.Repeat(line+"\n", 16))
		b.Run(unit.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				Parse("x.conf", src, Options{Root: "."})
			}
		})
	}
}

// TestParseAllocationsScaleLinearly guards against per-line work that grows
// with the file: four times the input must cost about four times the
// allocations.
func TestParseAllocationsScaleLinearly(t *testing.T) {
	root := t.TempDir()
	measure := func(tenants int) float64 {
		sip, ext := genSIP(tenants, 20), genExtensions(tenants, 10)
		return testing.AllocsPerRun(3, func() {
			BuildDialplan(Parse("extensions.conf", ext, Options{Root: root}))
			Parse("sip.conf", sip, Options{Root: root})
		})
	}
	small, large := measure(5), measure(20)
	if ratio := large / small; ratio < 3 || ratio > 5 {
		t.Errorf("allocations: %.0f for 5 tenants, %.0f for 20 (ratio %.2f, want about 4)", small, large, ratio)
	}
}
