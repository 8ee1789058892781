package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/astapi/astapi/index"
	"github.com/astapi/astapi/parser"
)

// dumpUsage is what a wrong `astapi dump` prints.
const dumpUsage = "usage: astapi dump conf [--secrets] FILE | dump dialplan [--users users.conf] FILE | dump index --config astapi.ini [--secrets] | dump peers DIR | dump flow --config astapi.ini [--tenant NAME] [--format json|dot]"

// runDump prints a parsed file: `dump conf FILE` or `dump dialplan FILE`.
// It exits 0 when the file was parsed (with or without diagnostics), 1 when
// it could not be read, 2 on bad usage.
func runDump(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dump", flag.ContinueOnError)
	fs.SetOutput(stderr)
	users := fs.String("users", "", "dump dialplan: also add what users.conf FILE generates in the users context")
	secrets := fs.Bool("secrets", false, "dump conf: print secret values instead of "+index.Redacted)
	if len(args) == 0 {
		fmt.Fprintln(stderr, dumpUsage)
		return 2
	}
	what := args[0]
	switch what {
	case "index":
		return runDumpIndex(ctx, args[1:], stdout, stderr)
	case "flow":
		return runDumpFlow(ctx, args[1:], stdout, stderr)
	case "peers":
		return runDumpPeers(args[1:], stdout, stderr)
	}
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() != 1 || (what != "conf" && what != "dialplan") {
		fmt.Fprintln(stderr, dumpUsage)
		return 2
	}
	cfg, err := parser.ParseFile(fs.Arg(0), parser.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "astapi: %v\n", err)
		return 1
	}
	var out any
	switch what {
	case "conf":
		cfg.Diags.Sort()
		d := cfg.Dump()
		if !*secrets {
			maskConfDump(&d)
		}
		out = d
	case "dialplan":
		dp := parser.BuildDialplan(cfg)
		if *users != "" {
			u, err := parser.ParseFile(*users, parser.Options{})
			if err != nil {
				fmt.Fprintf(stderr, "astapi: %v\n", err)
				return 1
			}
			dp.AddUsers(u)
		}
		out = dp.Dump(cfg.Diags)
	}
	return writeJSON(stdout, stderr, out)
}

// runDumpPeers is `dump peers DIR`: the peers Asterisk builds from the
// sip.conf, users.conf and pjsip.conf of DIR, as JSON (secrets only as
// booleans); the diagnostics go to stderr.
func runDumpPeers(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: astapi dump peers DIR")
		return 2
	}
	dump, diags, err := index.LoadPeers(args[0])
	if err != nil {
		fmt.Fprintf(stderr, "astapi: %v\n", err)
		return 1
	}
	for _, d := range diags {
		fmt.Fprintln(stderr, d)
	}
	return writeJSON(stdout, stderr, dump)
}

func writeJSON(stdout, stderr io.Writer, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(stderr, "astapi: %v\n", err)
		return 1
	}
	return 0
}

// secretKeys are the settings whose value is a credential, in sip.conf,
// pjsip.conf, iax.conf, users.conf, manager.conf and the like.
var secretKeys = map[string]bool{
	"secret": true, "md5secret": true, "remotesecret": true, "vmsecret": true,
	"password": true, "md5_cred": true, "auth_pass": true, "dbsecret": true,
}

// maskConfDump replaces credentials in d by index.Redacted: the values of
// secretKeys, the password of register => user:password@host, and a
// voicemail.conf mailbox's PIN (the first field of NNN => pin,name,...).
func maskConfDump(d *parser.ConfDump) {
	for i := range d.Sections {
		s := &d.Sections[i]
		vm := filepath.Base(s.File) == "voicemail.conf" && !strings.EqualFold(s.Name, "general") && !strings.EqualFold(s.Name, "zonemessages")
		for j := range s.Vars {
			v := &s.Vars[j]
			name := strings.ToLower(v.Name)
			switch {
			case secretKeys[name]:
				v.Value = index.Redacted
			case name == "register":
				user, rest, ok := strings.Cut(v.Value, ":")
				if !ok {
					continue
				}
				_, host, hasHost := strings.Cut(rest, "@")
				v.Value = user + ":" + index.Redacted
				if hasHost {
					v.Value += "@" + host
				}
			case vm:
				_, rest, _ := strings.Cut(v.Value, ",")
				v.Value = index.Redacted + "," + rest
			}
		}
	}
}
