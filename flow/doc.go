// Package flow reads a dialplan the way an administrator reads it in a PBX
// GUI: a graph of call-flow objects (phones, ring groups, queues, IVRs,
// conditions, DIDs…) and the edges between them (SPEC §4 "Call flow").
//
// The package knows the dialplan (parser) and nothing of astapi.ini or the
// API: package index hands it the dialplan, the tenants' contexts, the
// phones and the trunks, and keeps the Graph it returns in its Snapshot.
// Clients of the API read Objects (/did, /hunt, /ivr, /condition,
// /custom…) and Edges (/destination/all, /destination/graph).
package flow
