//go:build !linux

package pagemap

// Present returns ErrUnsupported outside Linux.
func Present[E any](s []E) (int, error) { return 0, ErrUnsupported }
