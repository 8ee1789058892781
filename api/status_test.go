package api

import "testing"

// TestTrimDirs: /status names files, never where they live on the host;
// channel names and URIs with slashes are left alone.
func TestTrimDirs(t *testing.T) {
	for in, want := range map[string]string{
		`index: /etc/astapi/astapi.ini:4: unclosed section`:           `index: astapi.ini:4: unclosed section`,
		`/srv/pbx/asterisk/sip.conf:3: include cycle`:                 `sip.conf:3: include cycle`,
		`read "/etc/asterisk/sip.conf": permission denied`:            `read "sip.conf": permission denied`,
		`index: /x/astapi.ini: [server] asterisk_dir /x/ast: no such`: `index: astapi.ini: [server] asterisk_dir ast: no such`,
		`Dial(PJSIP/100/sip:100@host) unknown`:                        `Dial(PJSIP/100/sip:100@host) unknown`,
		`extensions.conf:12: Goto(acme/x) has no such context`:        `extensions.conf:12: Goto(acme/x) has no such context`,
		`sip.conf:3: error: include cycle: sip.conf -> sip.conf`:      `sip.conf:3: error: include cycle: sip.conf -> sip.conf`,
	} {
		if got := trimDirs(in); got != want {
			t.Errorf("trimDirs(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}
