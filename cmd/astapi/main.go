// Command astapi serves Asterisk configuration as a read-only JSON API and
// offers tools around it. Run `astapi help` for the subcommands.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand. run gets the arguments after its name and
// returns the process exit code.
type command struct {
	name  string
	usage string
	run   func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"dump", "dump conf FILE | dump dialplan FILE | dump index --config F | dump peers DIR | dump flow --config F [--tenant T] [--format json|dot]   print as JSON (flow: or DOT)", runDump},
		{"audit", "audit --config astapi.ini [--format text|json] [--fail-on warning|error]   SIP secret audit", runAudit},
		{"validate", "validate --config astapi.ini   print diagnostics; exit 1 if unservable", runValidate},
		{"serve", "serve --config astapi.ini [--listen ADDR] [--tls-cert F --tls-key F] [--debounce 50ms] [--poll-interval 0]   serve the HTTP API", runServe},
		{"init", "init --asterisk-dir DIR [--out astapi.ini] [--admin NAME] [--name NAME] [--tenants single|code|contexts] [--force]   write a first astapi.ini", runInit},
		{"hash-password", "hash-password [--cost 10] [--password P] < password   print a bcrypt hash for astapi.ini", runHashPassword},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "astapi: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: astapi COMMAND [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %s\n", c.usage)
	}
}
