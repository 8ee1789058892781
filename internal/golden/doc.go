// Package golden helps tests that compare output with golden files: it
// says where two texts first differ, with a little context.
package golden
