package index_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/parser"
)

// describeBoxes renders every box as "context/box tenant-key name email source".
func describeBoxes(s *index.Snapshot) string {
	keyOf := map[string]string{}
	for _, t := range s.Tenants {
		keyOf[t.ID] = t.Key
	}
	var b strings.Builder
	for _, m := range s.Mailboxes {
		fmt.Fprintf(&b, "%s/%s %s %q %s %s\n", m.Context, m.Box, keyOf[m.TenantID], m.FullName, m.Email, m.Source)
	}
	return b.String()
}

func TestMailboxes(t *testing.T) {
	tenants := `
[tenant Acme]
code = Acme
contexts = acme-*

[tenant Globex]
code = Globex
contexts = globex-*
`
	files := map[string]string{
		"sip.conf": `
[201-Acme]
type=friend
host=dynamic
context=acme-internal
mailbox=201@acmevm

[401-Globex]
type=friend
host=dynamic
context=globex-internal
`,
		"users.conf": `
[general]
hasvoicemail = yes
hassip = no

[410]
fullname = Hannah Hughes
email = hannah@globex.example
vmsecret = 5512
context = globex-internal

[411]
fullname = Ivan Ingram
secret = sip-and-vm
hasvoicemail = no
`,
		"extensions.conf": `
[globex-internal]
exten => 401,1,Dial(SIP/401-Globex,20)
 same => n,VoiceMail(401@globexvm,u)
exten => *97,1,VoiceMailMain(${CALLERID(num)}@globexvm)
exten => 500,1,Macro(vm,500,DIRECTDIAL)
exten => 501,1,Gosub(macro-vm,s,1(501,BUSY,${IVR_RETVM}))
`,
		"voicemail.conf": `
[general]
userscontext = people
aliasescontext = aliases

[zonemessages]
eastern=America/Toronto|'vm-received' Q 'digits/at' IMp

[aliases]
1234@devices => 201@acmevm

[acmevm]
201 => 8264,Alice Anders,alice@acme.example,,tz=eastern
201 => 9999,Second Alice,dup@acme.example

[globexvm]
401 = -9043,Grace Green,grace@globex.example
402 => 2287
directoryintro = dir-globex

[default]
500 => 4321,Main Box,main@globex.example
501 => 4322,Second Box,second@globex.example

[acme-spare]
900 => 1111,Spare,spare@acme.example

[nobody]
1 => 1
`,
	}
	s := loadPBX(t, tenants, files)
	got := describeBoxes(s)
	for _, want := range []string{
		"acmevm/201 Acme \"Alice Anders\" alice@acme.example voicemail.conf\n", // mailbox= of 201-Acme
		"globexvm/401 Globex \"Grace Green\" grace@globex.example voicemail.conf\n",
		"globexvm/402  \"\"  voicemail.conf\n",                                     // nobody names it, no glob matches
		"default/500 Globex \"Main Box\" main@globex.example voicemail.conf\n",     // Macro(vm,500) in a Globex context
		"default/501 Globex \"Second Box\" second@globex.example voicemail.conf\n", // FreePBX 17 Gosub(macro-vm,s,1(501,…))
		"acme-spare/900 Acme \"Spare\" spare@acme.example voicemail.conf\n",        // contexts glob
		"people/410  \"Hannah Hughes\" hannah@globex.example users.conf\n",         // users.conf: userscontext
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	for _, absent := range []string{"Second Alice", "aliases/", "zonemessages/", "general/", "directoryintro", "/411 "} {
		if strings.Contains(got, absent) {
			t.Errorf("%q should not be a box:\n%s", absent, got)
		}
	}
	if !hasDiag(s.Diags, parser.Warning, "voicemail.conf:", "mailbox 201@acmevm is already defined") {
		t.Errorf("no warning for the second 201@acmevm: %v", s.Diags)
	}
	for _, d := range s.Diags {
		for _, pin := range []string{"8264", "9999", "9043", "5512", "4321"} {
			if strings.Contains(d.Message, pin) {
				t.Errorf("diagnostic quotes a PIN: %s", d)
			}
		}
	}
	pins := map[string]string{}
	ids := map[string]bool{}
	for _, m := range s.Mailboxes {
		pins[m.Key()] = m.PIN
		if ids[m.ID] || m.ID == "" {
			t.Errorf("ID %q of %s not unique", m.ID, m.Key())
		}
		ids[m.ID] = true
	}
	for key, want := range map[string]string{"201@acmevm": "8264", "401@globexvm": "-9043", "402@globexvm": "2287", "410@people": "5512"} {
		if pins[key] != want {
			t.Errorf("PIN of %s: %q, want %q", key, pins[key], want)
		}
	}
	acme := tenantByKey(t, s, "Acme")
	if n := len(s.MailboxesByTenant(acme.ID)); n != 2 {
		t.Errorf("Acme has %d boxes, want 2", n)
	}
	// The IDs depend only on (context, box).
	files["voicemail.conf"] = strings.Replace(files["voicemail.conf"], "[nobody]", "[zzz]\n77 => 7\n\n[nobody]", 1)
	s2 := loadPBX(t, tenants, files)
	for _, m := range s.Mailboxes {
		found := false
		for _, m2 := range s2.Mailboxes {
			if m2.Key() == m.Key() {
				found = m2.ID == m.ID
			}
		}
		if !found {
			t.Errorf("ID of %s changed when an unrelated box was added", m.Key())
		}
	}
}

func TestMailboxesSingleTenant(t *testing.T) {
	s := loadPBX(t, "", map[string]string{
		"sip.conf":       "[100]\ntype=friend\nhost=dynamic\ncontext=internal\n",
		"voicemail.conf": "[general]\n[default]\n100 => 1234,Front Desk\n",
	})
	if len(s.Tenants) != 1 || len(s.Mailboxes) != 1 || s.Mailboxes[0].TenantID != s.Tenants[0].ID {
		t.Errorf("one tenant should own every box: %s", describeBoxes(s))
	}
}

func TestPhones(t *testing.T) {
	s := loadPBX(t, "[tenant Globex]\ncontexts = globex-*\n", map[string]string{
		"sip.conf": "[general]\n",
		"users.conf": `
[general]
hassip = yes
context = globex-internal
macaddress = 000000000000

[410]
fullname = Hannah Hughes
macaddress = 80:5E:C0:11:22:33

[411]
macaddress = 805ec0445566
profile = spa

[412]
fullname = Not Provisioned
macaddress = 805EC0778899
autoprov = no

[413]
fullname = No Phone
`,
		"phoneprov.conf": `
[general]
default_profile = polycom

[polycom]
staticdir = configs/
dynamic_file => ${MAC}.cfg,000000000000.cfg
dynamic_file => ${MAC}-phone.cfg,polycom.xml

[spa]
dynamic_file => spa${MAC}.xml,spa.xml
`,
	})
	var got []string
	for _, p := range s.Phones {
		got = append(got, fmt.Sprintf("%s %s %s %s %s %v", p.User, p.Name, p.MAC, p.Profile, p.Filename, p.TenantID != ""))
	}
	want := "410 Hannah Hughes 805ec0112233 polycom 805ec0112233.cfg true|411 411 805ec0445566 spa spa805ec0445566.xml true"
	if g := strings.Join(got, "|"); g != want && !sameSet(got, strings.Split(want, "|")) {
		t.Errorf("phones:\n%s\nwant\n%s", g, want)
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

// TestMailboxesPJSIPAndCase: a PJSIP endpoint's mailboxes= claims its box
// for the endpoint's tenant; boxes compare case-insensitively, as
// app_voicemail's do.
func TestMailboxesPJSIPAndCase(t *testing.T) {
	s := loadPBX(t, "[tenant Initech]\ncode = Initech\ncontexts = initech-*\n\n[tenant Other]\ncontexts = other-*\n", map[string]string{
		"pjsip.conf": `
[301-Initech]
type=endpoint
context=initech-internal
auth=301-Initech
aors=301-Initech
mailboxes=301@Initech
[301-Initech]
type=auth
auth_type=userpass
username=301-Initech
password=Xq7-pLm2!zR9
[301-Initech]
type=aor
max_contacts=1
`,
		"voicemail.conf": "[initech]\n301 => 830571,Peter Park\n[INITECH]\n301 => 111111,Again\n",
	})
	got := describeBoxes(s)
	if want := "initech/301 Initech \"Peter Park\"  voicemail.conf\n"; got != want {
		t.Errorf("boxes:\n%s\nwant\n%s", got, want)
	}
	if !hasDiag(s.Diags, parser.Warning, "mailbox 301@INITECH is already defined") {
		t.Errorf("no warning for 301@INITECH: %v", s.Diags)
	}
}

func TestRegionSetting(t *testing.T) {
	if s := loadPBX(t, "", nil); s.Server.Region != "" {
		t.Errorf("region %q without the key", s.Server.Region)
	}
	dir := filepath.Join(filepath.Dir(writePBX(t, "", nil)), "asterisk")
	load := func(value string) (*index.Snapshot, error) {
		p := filepath.Join(t.TempDir(), "astapi.ini")
		if err := os.WriteFile(p, []byte("[server]\nasterisk_dir = "+dir+"\nregion = "+value+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return index.Load(p)
	}
	for value, want := range map[string]string{"ca": "CA", "US": "US"} {
		if snap, err := load(value); err != nil || snap.Server.Region != want {
			t.Errorf("region = %s: %v, want %s", value, err, want)
		}
	}
	for _, bad := range []string{"Canada", "C1", "+1"} {
		if _, err := load(bad); err == nil || !strings.Contains(err.Error(), "region") {
			t.Errorf("region = %s: %v, want an error naming region", bad, err)
		}
	}
}
