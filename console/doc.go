// Package console is astapi's read-only web console: server-rendered pages
// under /ui/ on the API's router, for the people who inherit a PBX and want
// to see it rather than curl it.
//
//   - /ui/              the caller's tenants with their counts;
//   - /ui/tenants/{id}  a tenant's phones, trunks, DIDs, ring groups, IVRs,
//     conditions, voicemail boxes, its call flow drawn as an SVG diagram,
//     and its secret audit findings;
//   - /ui/status        reload state and diagnostics (a tenant user sees
//     the diagnostics about its own lines only).
//
// The pages answer through the API's own checks (api.Server.Authorize:
// Basic Auth, failed-login limit, tenant scoping; the same 403 for a
// foreign tenant), read one snapshot per request, and carry the API's
// kind of ETag. They hold no secret, PIN or passcode: the views are built
// from fields that cannot hold one. html/template escapes every value; the
// templates and the stylesheet are embedded; there is no script at all,
// and the Content-Security-Policy forbids any.
package console
