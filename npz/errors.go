package npz

import "errors"

// Sentinel errors. Every error this package returns wraps one of these (or
// one of npyheader's, or the underlying I/O error) with %w, so callers can
// test with errors.Is.
var (
	// ErrDuplicateName: the archive already has a member of that name (a
	// keyword name colliding with a positional arr_N included, as np.savez
	// refuses it).
	ErrDuplicateName = errors.New("npz: duplicate member name")
	// ErrName: a member name the zip format cannot hold (longer than 65535
	// bytes with its ".npy").
	ErrName = errors.New("npz: invalid member name")
	// ErrDataSize: the array data given to the Writer is shorter or longer
	// than its header declares.
	ErrDataSize = errors.New("npz: array data does not match the header's size")
	// ErrWriterClosed: the Writer was closed.
	ErrWriterClosed = errors.New("npz: writer is closed")
	// ErrAlignment: archive/zip laid a member out differently from what the
	// Writer computed its alignment padding for; nothing misaligned is
	// written silently.
	ErrAlignment = errors.New("npz: member data could not be aligned")
)
