// Package api is astapi's HTTP layer: a gin router answering the seven
// endpoints of the original API (SPEC §6) and the rest of its read side
// (SPEC §6.1, handlers_read.go; its write endpoints are refused,
// readonly.go) from an index.Store, with Basic
// Auth against astapi.ini users, tenant scoping, a response cache with ETags,
// the secrets audit /audit/secrets, and the operational endpoints /healthz,
// /readyz, /status, /metrics and /openapi.json.
//
// # Request life cycle
//
// A request whose declared Content-Length exceeds Options.MaxBodyBytes is
// refused with 413 before anything else. Every other request reads the
// served snapshot once (index.Store.Current, an
// atomic pointer load) and answers from that snapshot only, so a reload that
// happens meanwhile can never produce a mixed answer. The checks run in this
// order, and the first that fails answers:
//
//  1. 503 when no configuration was ever loaded (users come from it);
//  2. 400 for more than one Authorization header; 429 + Retry-After when
//     the client has too many failed logins (a try is counted before its
//     bcrypt runs); 503 + Retry-After when no bcrypt slot frees within
//     Options.BcryptWait;
//  3. 401 + WWW-Authenticate when credentials are missing or wrong;
//  4. 403 for /extension/user and /extension/usersecret when the caller
//     lacks `secrets = yes`;
//  5. 400 naming the parameter when one is missing, blank or malformed
//     (413 for a body over Options.MaxBodyBytes, 415 for a body that is
//     neither a form nor JSON, or that has a Content-Encoding);
//  6. 403 when a tenant user asks outside its tenants or for something
//     that does not exist (a tenant user cannot tell the two apart);
//     404 naming what was not found for admins;
//  7. 200 with the data, or 304 when If-None-Match names the ETag.
//
// # Choices where the specification is silent
//
//   - Methods follow the seed's table: GET for /user/login and /user/get,
//     POST for the five others; another method gets 405 with an Allow
//     header. Parameters may come from the query string of any request and,
//     for POST, from an application/x-www-form-urlencoded or
//     multipart/form-data body or a JSON object body; a body value wins over
//     a query value of the same name; a name repeated within one source is
//     a 400 naming it and the source, a value that is not UTF-8 is a 400
//     naming the parameter, and more than 100 names are a 400.
//     A body without Content-Type is read as JSON when it starts with '{',
//     else as a form.
//   - An ID parameter is ASCII digits (surrounding blanks are trimmed), at
//     least 1 and at most 2^53-1 (9007199254740991, the largest integer a
//     JavaScript client holds exactly; derived IDs stay below it), as a
//     string or a JSON integer; leading
//     zeros are accepted and normalised ("080" is "80"). JSON 8e1, 80.0,
//     true, null, arrays and objects are malformed.
//   - `user` of /user/tenants is an e-mail address: at most 254 bytes of
//     valid UTF-8 without blanks or control characters, with one '@' that
//     has text on both sides; it is matched case-insensitively.
//   - us_username is the user's [user NAME] from astapi.ini, which is also
//     the Basic Auth name (not the e-mail).
//   - /extension/user checks the `secrets` permission before the
//     parameters: a caller without it gets 403 whatever it sends. A PJSIP
//     or sip.conf secret that is an MD5 digest (md5secret=, md5_cred=) is
//     returned as "md5:<digest>" so it is never mistaken for a password.
//   - /user/tenants for another user's e-mail is 403 for tenant users
//     (whether or not the address exists); admins get the target's tenants
//     (all tenants for an admin target) or 404.
//   - ETag: the first 128 bits, quoted hex, of the SHA-256 of (API
//     version, snapshot fingerprint, endpoint, normalised parameters,
//     caller). The fingerprint hashes the files read, so replicas reading
//     the same files agree and a reload that changed nothing keeps the
//     ETags valid. Only 200 answers carry an ETag and only they can become
//     304 (a 304 is never a way to probe what a 403 hides). Successful answers are "Cache-Control: private,
//     no-cache" with "Vary: Authorization", or "no-store" for those that
//     carry secrets (/extension/user, /audit/secrets).
//   - HEAD is answered on every GET route. A path written with
//     percent-escapes that decode to a route (/audit%2Fsecrets,
//     /%6detrics) is 404: only the canonical spelling is served, so proxy
//     rules on paths cannot be bypassed.
//   - Password verification: a successful bcrypt check is remembered in an
//     LRU under a seeded 64-bit hash of (user, bcrypt hash) holding a SHA-256 of the
//     password keyed with a per-process random key; later requests compare
//     that digest in constant time instead of running bcrypt (no
//     allocation, about a microsecond). A reload that keeps a user's hash
//     keeps the entry, so reloads under load cost no bcrypt; a changed or
//     removed hash (astapi.ini edited) can no longer match, so the old
//     password stops working with the reload that removes it. Concurrent
//     requests with the same credentials share one bcrypt run. A wrong
//     password always pays bcrypt, and
//     an unknown user pays it against a dummy hash of the same cost, so
//     timing tells nothing about which users exist or logged in lately.
//   - Failed logins (wrong or unknown credentials, not a missing header) are
//     counted per client IP (per /64 for IPv6) in a fixed window starting at
//     the first failure; once Options.LoginFailureLimit is reached every
//     request from that client gets 429 until the window ends, correct
//     credentials included, and a success does not reset the count. The
//     client IP is the TCP peer unless Options.TrustedProxies names the
//     proxy.
//   - /healthz, /readyz and /openapi.json need no credentials; /status needs
//     any valid user. /status lists the files relative to astapi.ini's
//     directory or asterisk_dir (else by name alone) and the diagnostics of
//     the last reload attempt (those of the served snapshot when the
//     attempt failed before parsing); known SIP secrets are masked in every
//     message it shows, though diagnostics quote no line. A tenant user
//     sees only the files and diagnostics whose sections belong wholly to
//     their tenants (index.Snapshot.DiagTenants: a context to the tenants
//     that own it, a peer's section to its tenant; general sections,
//     templates, PJSIP auths and AORs and shared contexts to none), and
//     that a reload failed but not why.
//   - The response cache holds rendered 200 bodies keyed by (generation,
//     endpoint, normalised parameters, caller name), bounded by
//     Options.ResponseCacheBytes; it is emptied when a newer generation is
//     first served.
//   - /status also masks, by pattern, the value of any secret-bearing key a
//     message quotes (secret=, md5secret=, password=, md5_cred=, a quoted
//     line "password x", register => user:password@host): some secrets
//     (a PJSIP outbound_auth password, a line the parser skipped) are not
//     in the snapshot, so they cannot be masked by value.
//
// # GET /audit/secrets
//
// The findings of package audit (rules S1–S9, G1–G3, what `astapi audit`
// prints) on the served snapshot, in the usual envelope and through the
// same checks, response cache and ETags as the seed's endpoints. Choices:
//
//   - GET; the optional tenant_id is read and validated like the other
//     endpoints' (query string, form or JSON body); absent means "every
//     tenant the caller may see", present but blank or malformed is a 400.
//   - Admins get every tenant's findings; a tenant user (the auditor is
//     one, with every tenant) those of its tenants. A tenant_id outside
//     them is 403 (also for a missing one), an unknown one 404 for admins,
//     as for /destination/all. The `secrets` permission is not needed: a
//     finding never holds a secret nor part of one.
//   - The sip.conf [general] findings (G1, G2, tenant_id "") concern every
//     tenant and are in every answer, tenant_id or not. Findings about a
//     peer of no tenant go to admins only, and not under a tenant_id.
//   - S7 (one secret on several peers) names only the sharing peers the
//     caller may see; a tenant user does not get an S7 whose other peers
//     are all in tenants it cannot see, since that would tell it that its
//     own password opens some other tenant's phone (audit.Finding.ForViewer).
//   - Fields: tenant_id, tenant (name), peer, rule, severity, reason (the
//     rule's fixed text), detail (may be ""), file, line (a number, as in
//     /status). Order: that of package audit (tenant name, peer, rule);
//     findings have no ID to sort by.
//   - The audit runs once per snapshot, on first use by /audit/secrets or a
//     scrape of /metrics; the result is kept for the newest snapshot only.
//
// # GET /metrics
//
// Prometheus text format from a registry of the Server's own (never the
// default registry; two Servers count separately). No credentials unless
// Options.MetricsRequireAuth, then any valid user (with 503 before the
// first load, since users come from it). Metrics, all prefixed astapi_:
//
//   - http_requests_total{route,method,code} and
//     http_request_duration_seconds{route,method} (buckets 100µs–2.5s):
//     route is gin's route template, the path for a 405 (all routes are
//     static), "unmatched" for anything else; a method outside the nine
//     standard ones is "other", so clients cannot create label values. The
//     instruments of a (route, method, code) are resolved once and then
//     read with atomic loads: no allocation, no map lookup beyond gin's
//     route string.
//   - auth_failures_total{reason}: missing (no Authorization header), wrong
//     (unknown user, wrong password, malformed header), rate_limited (429),
//     counted where the handlers call authenticate. The password cache's
//     hits and misses are not exported: they are only visible inside
//     auth.go.
//   - cache_hits_total{cache}, cache_misses_total{cache}, cache_bytes{cache},
//     cache_entries{cache}: cache="response" (absent when disabled).
//   - config_reloads_total{result} (success, failure),
//     config_last_reload_successful, config_last_reload_success_timestamp_seconds
//     (end of the load of the served snapshot), config_reload_duration_seconds,
//     config_diagnostics{severity} (of the last attempt, like /status).
//     New hooks store.OnReload and starts from store.LastReload (that
//     attempt counts once), so make the Server before starting the
//     watcher.
//   - From the served snapshot, computed once per snapshot by a custom
//     collector: config_generation; objects{kind} (tenants, users,
//     extensions, peers = the extensions' peers, trunks, destinations);
//     tenant_extensions, tenant_peers, tenant_trunks {tenant};
//     tenant_destinations{tenant,de_type_src,de_type_dst} (only the pairs
//     present); secret_findings{tenant,rule,severity} (only non-zero
//     counts; tenant "" for sip.conf [general] and peers of no tenant).
//     The tenant label is the tenant's code, else its name; two tenants
//     with the same label are summed into one series. No label ever names
//     a peer, a user or a path.
//   - The Go runtime and process collectors (go_*, process_*).
//
// # Drawings and pages from other packages
//
// /destination/graph?format=svg draws the DOT answer with Options.DrawSVG
// (diagram.Renderer.SVG; this package does not import it, so its tests
// do not start the WebAssembly Graphviz). Options.Mount lets another
// package add routes (console.Mount: the web console under /ui/); it
// answers through Server.Authorize, VisibleTenant, Findings, Status,
// TenantGraphSVG and PageETag (console.go), never a second copy of the
// checks above.
package api
