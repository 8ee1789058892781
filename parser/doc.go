// Package parser reads Asterisk's .conf dialect the way Asterisk itself does
// (main/config.c for the generic layer, pbx/pbx_config.c for the dialplan).
//
// The generic layer (Parse, ParseFile, conf.go; each line read in
// lines.go) turns a top-level file and everything it #includes into a
// Config: an ordered list of Sections, each holding its
// resolved variables (template variables first, then its own) with the
// file:line they came from. Nothing Asterisk would skip stops the parse: such
// lines become Diagnostics. Where Asterisk would reject the whole file, the
// parser keeps going but sets Config.Invalid and records an error.
//
// The dialplan layer (BuildDialplan, dialplan.go) interprets a parsed
// extensions.conf: contexts, extensions, priorities resolved to numbers,
// labels, hints, includes, switches, ignore patterns and globals. How an
// exten => line's text is cut is in dialline.go, the load-time expansion
// of globals in expand.go, what users.conf adds in users.go (AddUsers),
// and Asterisk's readings of option values (IsTrue, IsFalse,
// ShrinkPhoneNumber) in values.go.
//
// A reload parses again only what changed (Refresh, unchanged.go,
// splice.go): a file whose stamp and digest are the same is not parsed,
// and a changed file included once that holds whole sections of its own
// is parsed alone and spliced in; a file parsed whole again may share
// the last parse's sections that came out the same (Adopt).
//
// Positions follow go/token's habit: every item carries a Pos, and
// Diagnostics sort by file, line and severity.
package parser
