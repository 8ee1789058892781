package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/astapi/astapi/audit"
	"github.com/astapi/astapi/index"
)

// runAudit is `astapi audit --config astapi.ini [--format text|json]
// [--fail-on warning|error]`: exit 3 when a finding at or above the
// threshold exists, so that it can gate a CI or cron job.
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := fs.String("config", "astapi.ini", "path of astapi.ini")
	format := fs.String("format", "text", "output format: text or json")
	failOn := fs.String("fail-on", "", "exit 3 when a finding of this severity or higher exists: warning or error")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "astapi audit: --format must be text or json, not %q\n", *format)
		return 2
	}
	threshold := audit.Severity(*failOn)
	if *failOn != "" && threshold.Rank() == 0 {
		fmt.Fprintf(stderr, "astapi audit: --fail-on must be warning or error, not %q\n", *failOn)
		return 2
	}
	snap, err := index.Load(*cfg)
	if err != nil {
		fmt.Fprintf(stderr, "astapi: %v\n", err)
		return 1
	}
	findings := audit.New().Run(snap)
	if *format == "json" {
		if code := writeJSON(stdout, stderr, findings); code != 0 {
			return code
		}
	} else {
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "RULE\tSEVERITY\tTENANT\tPEER\tWHERE\tWHY")
		for _, f := range findings {
			why := f.Reason
			if f.Detail != "" {
				why += " (" + f.Detail + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s:%d\t%s\n", f.Rule, f.Severity, dash(f.Tenant), dash(f.Peer), f.File, f.Line, why)
		}
		tw.Flush()
		fmt.Fprintf(stdout, "%d findings\n", len(findings))
	}
	if *failOn != "" && len(audit.Filter(findings, nil, threshold)) > 0 {
		return 3
	}
	return 0
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
