//go:build !linux

package pagemap

// Present returns ErrUnsupported outside Linux.
func Present(b []byte) (int, error) { return 0, ErrUnsupported }
