package memmap

import "errors"

// Sentinel errors shared by several packages of this module. The packages
// document which of them each function returns.
var (
	// ErrClosed: the File, Archive, Writer or mapping was closed before the
	// call.
	ErrClosed = errors.New("memmap: already closed")
	// ErrTooLarge: a size exceeds a limit: the address space (32-bit
	// platforms), what an int or int64 can count, or a decompression limit
	// the caller set. (A header over its size limit is
	// npyheader.ErrHeaderTooLarge.)
	ErrTooLarge = errors.New("memmap: too large")
	// ErrUnsupported: the platform, file system or file cannot do what was
	// asked (an advice the OS lacks, a zip compression method other than
	// stored and deflated, an encrypted member).
	ErrUnsupported = errors.New("memmap: not supported")
)

// Misuse is the value of every panic this module raises for a caller's
// misuse: an index out of range, a write to a read-only view, a negative
// option value, a view used after its File was closed. Its text starts
// with the name of the package that panicked.
type Misuse struct {
	Message string
}

func (m *Misuse) Error() string { return m.Message }
