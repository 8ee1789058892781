package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/astapi/astapi/flow"
	"github.com/astapi/astapi/index"
)

// runDumpFlow is `astapi dump flow --config astapi.ini [--tenant NAME]
// [--format json|dot]`: the call-flow objects and destinations of one
// tenant (every tenant without --tenant).
func runDumpFlow(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dump flow", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := fs.String("config", "astapi.ini", "path of astapi.ini")
	tenant := fs.String("tenant", "", "tenant key ([tenant KEY]) or name; all tenants when empty")
	format := fs.String("format", "json", "json or dot (Graphviz)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 0 || (*format != "json" && *format != "dot") {
		fmt.Fprintln(stderr, "usage: astapi dump flow --config astapi.ini [--tenant NAME] [--format json|dot]")
		return 2
	}
	snap, err := index.Load(*cfg)
	if err != nil {
		fmt.Fprintf(stderr, "astapi: %v\n", err)
		return 1
	}
	var objects []*flow.Object
	var edges []*flow.Edge
	title := "call flow"
	if *tenant == "" {
		if snap.Flow != nil {
			objects, edges = snap.Flow.Objects, snap.Flow.Edges
		}
	} else {
		t := snap.TenantByKey(*tenant)
		for _, x := range snap.Tenants {
			if t == nil && strings.EqualFold(x.Name, *tenant) {
				t = x
			}
		}
		if t == nil {
			fmt.Fprintf(stderr, "astapi: --tenant %q: no such tenant\n", *tenant)
			return 1
		}
		objects, edges, title = snap.ObjectsByTenant(t.ID, ""), snap.EdgesByTenant(t.ID), t.Name
	}
	if *format == "dot" {
		if err := flow.WriteDOT(stdout, title, objects, edges); err != nil {
			fmt.Fprintf(stderr, "astapi: %v\n", err)
			return 1
		}
		return 0
	}
	return writeJSON(stdout, stderr, flow.Dump(objects, edges))
}
