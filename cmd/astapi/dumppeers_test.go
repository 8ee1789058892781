package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestDumpPeers runs `astapi dump peers` on the FreePBX demo: every peer
// Asterisk builds, as JSON, secrets only as booleans, and the system
// endpoints explained on stderr.
func TestDumpPeers(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	if code := runDump(context.Background(), []string{"peers", "../../fixtures/freepbx"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var dump struct {
		Peers []map[string]any `json:"peers"`
	}
	if err := json.Unmarshal(out.Bytes(), &dump); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range dump.Peers {
		names = append(names, p["channel"].(string)+"/"+p["name"].(string))
		if _, leaked := p["secret"]; leaked {
			t.Errorf("peer %s: a secret field in the dump", p["name"])
		}
	}
	want := "SIP/voipco SIP/1101 SIP/1102 SIP/1103 SIP/1104 SIP/1105 PJSIP/anonymous PJSIP/backup_carrier PJSIP/1201 PJSIP/1202 PJSIP/dpma_endpoint"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("peers:\n got %s\nwant %s", got, want)
	}
	for _, secret := range []string{"Zq7vT3mW9xLp2Rk6Hs4D", "b7Hq2LxN9vRt4Wm8Kc3Z", "password1202"} {
		if strings.Contains(out.String()+errb.String(), secret) {
			t.Errorf("secret %q printed", secret)
		}
	}
	p := dump.Peers[1]
	if p["callerid"] != `"Reception" <1101>` || p["context"] != "from-internal" || p["nat"] != "force_rport,comedia" ||
		p["secret_set"] != true || p["acl"] != true || p["mailbox"] != "1101@device" || p["from"] != "sip.conf" {
		t.Errorf("1101 = %v", p)
	}
	for _, why := range []string{"[anonymous] is not a phone", "[dpma_endpoint] is not a phone"} {
		if !strings.Contains(errb.String(), why) {
			t.Errorf("stderr lacks %q:\n%s", why, errb.String())
		}
	}
	if code := runDump(context.Background(), []string{"peers"}, &out, &errb); code != 2 {
		t.Errorf("dump peers without DIR: exit %d, want 2", code)
	}
}
