package index

import (
	"fmt"

	"github.com/astapi/astapi/parser"
)

// LoadError is why a snapshot could not be built: the error-level
// diagnostics that make the configuration unservable.
type LoadError struct {
	Diags parser.Diagnostics
}

func (e *LoadError) Error() string {
	if len(e.Diags) == 0 {
		return "index: configuration cannot be served"
	}
	return fmt.Sprintf("index: configuration cannot be served: %v", e.Diags)
}
