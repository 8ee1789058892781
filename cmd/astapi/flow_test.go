package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/astapi/astapi/flow"
)

// TestDumpFlow: `astapi dump flow` prints one tenant's call flow as JSON
// or DOT, and refuses an unknown tenant or format.
func TestDumpFlow(t *testing.T) {
	ctx := context.Background()
	ini := "../../fixtures/freepbx/astapi.ini"
	var out, errb bytes.Buffer
	if code := runDumpFlow(ctx, []string{"--config", ini, "--tenant", "northwind"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var g flow.GraphDump
	if err := json.Unmarshal(out.Bytes(), &g); err != nil {
		t.Fatal(err)
	}
	ivr := false
	for _, o := range g.Objects {
		ivr = ivr || (o.Type == flow.TypeIVR && o.Name == "Main Menu" && o.Entry == "ivr-1,s,1")
	}
	if !ivr || len(g.Destinations) == 0 {
		t.Errorf("no IVR Main Menu at ivr-1,s,1, or no destinations: %s", out.String())
	}
	out.Reset()
	if code := runDumpFlow(ctx, []string{"--config", ini, "--format", "dot"}, &out, &errb); code != 0 ||
		!strings.HasPrefix(out.String(), "digraph ") || !strings.Contains(out.String(), `label="IVR\nMain Menu"`) {
		t.Errorf("dot: exit %d: %s", code, out.String())
	}
	for _, args := range [][]string{{"--config", ini, "--tenant", "nosuch"}, {"--config", ini, "--format", "svg"}} {
		errb.Reset()
		if code := runDumpFlow(ctx, args, &out, &errb); code == 0 || errb.Len() == 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, errb.String())
		}
	}
}
