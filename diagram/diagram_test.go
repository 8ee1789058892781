package diagram

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
)

const dot = `digraph "t" {
  rankdir=LR;
  "o1" [label="DID\nMain <line> & co", tooltip="acme-inbound,5145550100,1", shape=cds];
  "o2" [label="IVR\nMain menu"];
  "o1" -> "o2" [label="DID"];
}
`

func TestSVG(t *testing.T) {
	r := New(0)
	svg, err := r.SVG(context.Background(), []byte(dot))
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	if !strings.HasPrefix(s, "<svg") || !strings.HasSuffix(s, "</svg>") {
		t.Errorf("not a bare <svg> element:\n%s", s)
	}
	// Labels are escaped; each line of a label is a <text>.
	for _, want := range []string{">DID</text>", ">Main &lt;line&gt; &amp; co</text>", ">Main menu</text>", `class="edge"`} {
		if !strings.Contains(s, want) {
			t.Errorf("SVG lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "<line>") || strings.Contains(s, "<!DOCTYPE") || strings.Contains(s, "<?xml") {
		t.Errorf("unescaped label or prolog:\n%s", s)
	}
	again, _ := r.SVG(context.Background(), []byte(dot))
	if &again[0] != &svg[0] {
		t.Errorf("the same DOT was drawn twice")
	}
}

func TestSVGErrors(t *testing.T) {
	r := New(100)
	_, err := r.SVG(context.Background(), bytes.Repeat([]byte("x"), 101))
	var tl *TooLargeError
	if !errors.As(err, &tl) || !tl.GraphTooLarge() || tl.Size != 101 || tl.Limit != 100 {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := New(0).SVG(context.Background(), []byte("digraph { a -> ")); err == nil {
		t.Errorf("broken DOT drawn")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := New(0).SVG(ctx, []byte(dot)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestConcurrent: one Renderer serves concurrent requests (run with -race).
func TestConcurrent(t *testing.T) {
	r := New(0)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			d := strings.Replace(dot, "Main menu", "Menu "+string(rune('A'+i)), 1)
			svg, err := r.SVG(context.Background(), []byte(d))
			if err != nil || !strings.Contains(string(svg), ">Menu "+string(rune('A'+i))+"</text>") {
				t.Errorf("render %d: %v", i, err)
			}
		})
	}
	wg.Wait()
}
