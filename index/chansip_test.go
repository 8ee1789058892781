package index

import "testing"

// TestChanSIPOptionReading: chan_sip's reading of the options whose
// rendering the peer dump promises, quirks included.
func TestChanSIPOptionReading(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lines []string
		want  string
	}{
		{nil, "no"},
		{[]string{"force_rport,comedia"}, "force_rport,comedia"},
		{[]string{"yes"}, "force_rport,comedia"},
		{[]string{"no"}, "no"},
		{[]string{"auto_force_rport,force_rport"}, "auto_force_rport"}, // force_rport ignored once auto is set
		{[]string{"comedia", "auto_comedia"}, "auto_comedia"},
		{[]string{"auto_force_rport", "force_rport"}, "auto_force_rport"}, // lines of one section add up
		{[]string{"comedia,no,force_rport"}, "no"},                        // no ends the line
	} {
		var f natFlags
		for _, l := range tc.lines {
			f.parse(l)
		}
		if got := f.String(); got != tc.want {
			t.Errorf("nat=%q: %q, want %q", tc.lines, got, tc.want)
		}
	}
	for in, want := range map[string]string{"port,invite": "port,invite", "invite": "invite", "very": "no", "no": "no", "": "no", "invite,port": "port,invite"} {
		if got := insecureString(in); got != want {
			t.Errorf("insecure=%q: %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string][2]string{
		`"Alice Anders" <201>`:      {"Alice Anders", "201"},
		`Alice <201>`:               {"Alice", "201"},
		`"Bob <202>"`:               {"Bob", "202"},
		`5551234`:                   {"", "5551234"},
		`"5551234"`:                 {"5551234", ""},
		`Reception`:                 {"Reception", ""},
		`"Dr. \"Q\"" <(555) 123-4>`: {`Dr. "Q"`, "5551234"},
		`Fax <1.>`:                  {"Fax", "1."},
		``:                          {"", ""},
		`<201>`:                     {"", "201"},
		`Bob <>`:                    {"Bob", ""},
		`""`:                        {"", ""},
	} {
		if n, num := splitCallerID(in); n != want[0] || num != want[1] {
			t.Errorf("callerid=%s: (%q, %q), want %q", in, n, num, want)
		}
	}
	if got := mergeCallerID(`Dr. "Q"`, "5551234"); got != `"Dr. \"Q\"" <5551234>` {
		t.Errorf("mergeCallerID = %s", got)
	}
	for in, want := range map[string]bool{
		"0.0.0.0/0.0.0.0": true, "192.168.1.0/24": true, "10.0.0.1": true, "!10.0.0.0/8": true,
		"2001:db8::/32": true, "10.0.0.0/0": true, "10.0.0.1/32": true, "2001:db8::1/128": true, "10.0.0.1/-1": false, "192.168.1.0/255.255.255.0,10.0.0.0/8": true,
		"PROVIDERIP/255.255.255.252": false, "192.168.1.0/33": false, "10.0.0.0/ffff::": false, "host.example": false,
	} {
		if got := validACL(in); got != want {
			t.Errorf("validACL(%q) = %v, want %v", in, got, want)
		}
	}
	for in, want := range map[string]string{"1": "1", "3,1-2": "1,2,3", "": "", "70": "", "x,4": "4"} {
		if got := groupString(in); got != want {
			t.Errorf("group %q: %q, want %q", in, got, want)
		}
	}
}

// TestRegisterLine: the peer a register => line names, and its registrar.
func TestRegisterLine(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][2]string{
		"acct:secret@sip.voipco.example/5551230100":      {"", "sip.voipco.example"},
		"trunk1?acct:secret@sip.voipco.example":          {"trunk1", "sip.voipco.example"},
		"tls://acct:secret:authuser@203.0.113.5:5061~90": {"", "203.0.113.5"},
		"0621<username>:<password>@193.91.75.213":        {"", "193.91.75.213"},
		"acct@domain.example:p@ss@registrar.example/100": {"", "registrar.example"},
		"garbage":                             {"", ""},
		"@registrar.example":                  {"", "registrar.example"},
		"?acct@registrar.example":             {"", "registrar.example"},
		"acct@~90":                            {"", ""},
		"udp://trunk2?acct@registrar.example": {"", "registrar.example"}, // the peer comes first
	} {
		if p, h := parseRegister(in); p != want[0] || h != want[1] {
			t.Errorf("register => %s: (%q, %q), want %q", in, p, h, want)
		}
	}
}
