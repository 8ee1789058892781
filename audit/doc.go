// Package audit checks the SIP secrets and security settings of a
// Snapshot, per tenant, and reports findings that never contain a secret.
//
// Each rule has an ID, a severity and a one-line reason (Rules). Checks run
// on the resolved view the index built: templates, (+) sections and
// users.conf [general] defaults all count. Duplicate secrets are compared
// through HMAC-SHA256 with a salt drawn for each run, so no plain secret is
// kept beyond the Snapshot itself.
package audit
