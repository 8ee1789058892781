// Package flow reads a dialplan the way an administrator reads it in a PBX
// GUI: a graph of call-flow objects (phones, ring groups, queues, IVRs,
// conditions, DIDs…) and the edges between them (SPEC §4 "Call flow").
//
// The package knows the dialplan (parser) and nothing of astapi.ini or the
// API: package index hands it the dialplan, the tenants' contexts, the
// phones and the trunks, and keeps the Graph it returns in its Snapshot.
// Clients of the API read Objects (/did, /hunt, /ivr, /condition,
// /custom…) and Edges (/destination/all, /destination/graph).
//
// Where things are: parts.go (Build: the dialplan's independent parts
// read in parallel, a part reused from Input.Previous while its input is
// the same), split.go (how the dialplan is cut into those parts),
// tables.go (the look-ups of the tenants, phones and trunks, taken over
// or patched from the previous Build's), build.go (reading one part:
// seeds, sources of each object kind, tenants and the keys of the IDs),
// walk.go (typing a path: plumbing, calls), branch.go (branches: GotoIf,
// ExecIf, known Gosubs), objects.go (what each kind of object carries),
// inbound.go (DIDs from the trunks' contexts), freepbx.go (what
// FreePBX/Issabel generate), names.go (names and DID details), pos.go
// (positions, Goto resolution through includes and patterns), dump.go and
// dot.go (output).
package flow
