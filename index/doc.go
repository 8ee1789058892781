// Package index builds the immutable domain model the API answers from:
// tenants, API users, extensions with their SIP/PJSIP peers, trunks,
// call-flow destinations, voicemail boxes (voicemail.go) and provisioned
// phones (phones.go), read from astapi.ini and the Asterisk files.
//
// Peers come from one resolution (peers.go, chansip.go) that builds them as
// chan_sip and res_pjsip do; `astapi dump peers` prints the same result.
// tenants.go discovers tenants when astapi.ini declares none; trunks.go
// tells trunks from phones; extensions.go numbers and names the phones.
//
// Load builds a complete Snapshot or fails; a Snapshot is never modified
// after Load returns, so any number of goroutines may read it. LoadFrom
// builds the same Snapshot from the one served, taking over what did not
// change: the parse of a top-level file whose files hold the same bytes
// (and of a file parsed again, the sections that came out the same), the
// dialplan, the peers themselves, each sip.conf section's or all
// (settlePeers copies one whose tenant or trunk flag changes), what each
// pass derived when its inputs
// are the same (delta.go patches what is derived context by context),
// the call flow's independent parts (package flow); two snapshots may
// share them since neither is ever modified. Store holds
// the current Snapshot behind an atomic pointer and swaps in a new one only
// when a reload succeeded (the Prometheus config-reload pattern).
package index
