package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/parser"
)

// runDumpIndex is `astapi dump index --config astapi.ini [--secrets]`.
func runDumpIndex(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dump index", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := fs.String("config", "astapi.ini", "path of astapi.ini")
	secrets := fs.Bool("secrets", false, "print SIP secrets instead of "+index.Redacted)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	snap, err := index.Load(*cfg)
	if err != nil {
		fmt.Fprintf(stderr, "astapi: %v\n", err)
		return 1
	}
	return writeJSON(stdout, stderr, snap.Dump(*secrets))
}

// runValidate is `astapi validate --config astapi.ini`: diagnostics as
// file:line: severity: message, sorted; exit 1 when the configuration
// cannot be served.
func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := fs.String("config", "astapi.ini", "path of astapi.ini")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	snap, err := index.Load(*cfg)
	if err != nil {
		if le, ok := err.(*index.LoadError); ok {
			printDiags(stdout, le.Diags)
		}
		fmt.Fprintf(stderr, "astapi: %v\n", err)
		return 1
	}
	printDiags(stdout, snap.Diags)
	fmt.Fprintf(stderr, "%d tenants, %d extensions, %d trunks, %d destinations, %d diagnostics\n",
		len(snap.Tenants), len(snap.Extensions), len(snap.Trunks), len(snap.Destinations), len(snap.Diags))
	return 0
}

func printDiags(w io.Writer, diags parser.Diagnostics) {
	for _, d := range diags {
		fmt.Fprintln(w, d.String())
	}
}
