package golden

import (
	"fmt"
	"strings"
)

// FirstDiff shows the first line where got differs from want, after up to
// three lines of the context before it, or "(identical)".
func FirstDiff(want, got []byte) string {
	wl := strings.Split(string(want), "\n")
	gl := strings.Split(string(got), "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			var b strings.Builder
			for j := max(0, i-3); j < i; j++ {
				fmt.Fprintf(&b, "    %s\n", wl[j])
			}
			fmt.Fprintf(&b, "line %d:\n-want %s\n+got  %s", i+1, w, g)
			return b.String()
		}
	}
	return "(identical)"
}
