// Package misuse raises the module's panics for misuse by the caller.
package misuse

import (
	"fmt"

	"github.com/go-memmap/memmap"
)

// Panicf panics with a *memmap.Misuse of the formatted text, which should
// start with the package's name ("mmarray: ...").
//
// It is kept out of line so that the cold panic path costs a caller's
// inlining budget only one call.
//
//go:noinline
func Panicf(format string, args ...any) {
	panic(&memmap.Misuse{Message: fmt.Sprintf(format, args...)})
}
