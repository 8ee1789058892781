package parser

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Pos is a position in a configuration file. File is relative to the
// top-level file's directory when the file lies below it.
type Pos struct {
	File string
	Line int
}

func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// Severity ranks a Diagnostic.
type Severity int

const (
	// Warning: Asterisk skips the line or item and goes on.
	Warning Severity = iota
	// Error: Asterisk would reject the file (or an included part of it), or
	// the adapter refuses something (include cycle, confinement).
	Error
	// Info: nothing is wrong; the adapter says why it left something out.
	Info
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Info:
		return "info"
	}
	return "warning"
}

// MarshalJSON writes the severity as "warning" or "error".
func (s Severity) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// Diagnostic is one problem found while reading configuration.
type Diagnostic struct {
	Pos      Pos
	Severity Severity
	Message  string
	// Dropped is how many diagnostics this one stands for when it says
	// that many were dropped over a limit (0 otherwise): Cap folds such
	// notes instead of counting them as diagnostics of their file.
	Dropped int
}

func (d Diagnostic) String() string {
	return fmt.Sprintf("%s: %s: %s", d.Pos, d.Severity, d.Message)
}

// MarshalJSON writes {"severity","file","line","message"}.
func (d Diagnostic) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Severity string `json:"severity"`
		File     string `json:"file"`
		Line     int    `json:"line"`
		Message  string `json:"message"`
	}{d.Severity.String(), d.Pos.File, d.Pos.Line, d.Message})
}

// Diagnostics is a list of Diagnostic that sorts by position.
type Diagnostics []Diagnostic

func (l Diagnostics) Len() int      { return len(l) }
func (l Diagnostics) Swap(i, j int) { l[i], l[j] = l[j], l[i] }
func (l Diagnostics) Less(i, j int) bool {
	a, b := l[i], l[j]
	if a.Pos.File != b.Pos.File {
		return a.Pos.File < b.Pos.File
	}
	if a.Pos.Line != b.Pos.Line {
		return a.Pos.Line < b.Pos.Line
	}
	if a.Severity != b.Severity {
		return a.Severity > b.Severity
	}
	return a.Message < b.Message
}

// Sort sorts the list in place by file, line, severity and message.
func (l Diagnostics) Sort() { sort.Stable(l) }

// Errors returns the error-level diagnostics.
func (l Diagnostics) Errors() Diagnostics {
	var out Diagnostics
	for _, d := range l {
		if d.Severity == Error {
			out = append(out, d)
		}
	}
	return out
}

// Err returns nil when the list holds no error-level diagnostic, else an
// error listing them.
func (l Diagnostics) Err() error {
	errs := l.Errors()
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// Error implements error so that a list of errors can be returned as one.
func (l Diagnostics) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].String()
	}
	var b strings.Builder
	b.WriteString(l[0].String())
	fmt.Fprintf(&b, " (and %d more)", len(l)-1)
	return b.String()
}

// droppedDiag is the diagnostic that stands for n dropped ones of file
// ("" for the whole build).
func droppedDiag(file string, n int) Diagnostic {
	where := "in this file"
	if file == "" {
		where = "in all"
	}
	return Diagnostic{Pos: Pos{File: file}, Severity: Warning, Dropped: n,
		Message: fmt.Sprintf("%d more diagnostics %s dropped (over the limit)", n, where)}
}

// appendDropNotes appends one note per file of dropped (in file order)
// saying how many of its diagnostics were dropped.
func appendDropNotes(l Diagnostics, dropped map[string]int) Diagnostics {
	files := make([]string, 0, len(dropped))
	for f := range dropped {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		l = append(l, droppedDiag(f, dropped[f]))
	}
	return l
}

// Cap keeps at most perFile diagnostics per file and total in all (0: no
// limit), errors before warnings before infos, in their order, and adds a
// diagnostic per file (and one for the whole list) saying how many were
// dropped: a file of a million bad lines must not make a million
// diagnostics to store and serve. Notes of earlier drops (the parser's
// own per-file cap) are folded into these, not counted against the limit.
func (l Diagnostics) Cap(perFile, total int) Diagnostics {
	if (perFile <= 0 || len(l) <= perFile) && (total <= 0 || len(l) <= total) {
		return l
	}
	keep := make([]bool, len(l))
	kept, inFile := 0, map[string]int{}
	dropped := map[string]int{}
	droppedAll := 0
	for _, d := range l {
		if d.Dropped > 0 {
			if d.Pos.File == "" {
				droppedAll += d.Dropped
			} else {
				dropped[d.Pos.File] += d.Dropped
			}
		}
	}
	for _, sev := range []Severity{Error, Warning, Info} {
		for i, d := range l {
			if d.Severity != sev || d.Dropped > 0 {
				continue
			}
			switch {
			case perFile > 0 && inFile[d.Pos.File] >= perFile:
				dropped[d.Pos.File]++
			case total > 0 && kept >= total:
				droppedAll++
			default:
				keep[i] = true
				inFile[d.Pos.File]++
				kept++
			}
		}
	}
	out := make(Diagnostics, 0, kept+len(dropped)+1)
	for i, d := range l {
		if keep[i] {
			out = append(out, d)
		}
	}
	out = appendDropNotes(out, dropped)
	if droppedAll > 0 {
		out = append(out, droppedDiag("", droppedAll))
	}
	out.Sort()
	return out
}
