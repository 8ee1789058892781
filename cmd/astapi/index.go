package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"

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
	flags := flag.NewFlagSet("validate", flag.ContinueOnError)
	flags.SetOutput(stderr)
	cfg := flags.String("config", "astapi.ini", "path of astapi.ini")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if _, err := os.Stat(*cfg); errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(stderr, "astapi: %s does not exist: write one for your Asterisk directory with\n  astapi init --asterisk-dir /etc/asterisk --out %s\n", *cfg, shellQuote(*cfg))
		return 1
	}
	snap, err := index.Load(*cfg)
	if err != nil {
		if le, ok := err.(*index.LoadError); ok {
			printDiags(stdout, le.Diags)
		}
		fmt.Fprintf(stderr, "astapi: %v\nnext: %s\n", err, loadHint(err))
		return 1
	}
	printDiags(stdout, snap.Diags)
	fmt.Fprintf(stderr, "%d tenants, %d extensions, %d trunks, %d destinations, %d diagnostics\n",
		len(snap.Tenants), len(snap.Extensions), len(snap.Trunks), len(snap.Destinations), len(snap.Diags))
	for _, h := range append(configHints(snap), usersHint(snap)...) {
		fmt.Fprintf(stderr, "next: %s\n", h)
	}
	return 0
}

func printDiags(w io.Writer, diags parser.Diagnostics) {
	for _, d := range diags {
		fmt.Fprintln(w, d.String())
	}
}
