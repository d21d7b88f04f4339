package npz

import (
	"errors"
	"fmt"
	"strings"
)

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

	// Reader sentinels (Open, Archive).

	// ErrFormat: the file is not a zip archive, or its central directory or
	// a member's local header is broken or contradicts the directory (a name
	// or method that disagrees; member data that runs past the end of the
	// archive or overlaps another member or the directory; a stored member
	// whose two sizes differ), or a member's compressed data is corrupt.
	// Local headers' sizes are not compared: with flag bit 3 they are
	// zeros, and zipfile ignores them too.
	ErrFormat = errors.New("npz: not a valid zip archive")
	// ErrNotFound: the archive has no member of that name (nor that name
	// plus ".npy").
	ErrNotFound = errors.New("npz: no such member")
	// ErrNotArray: the member does not start with the NPY magic, so np.load
	// would return its raw bytes, not an array.
	ErrNotArray = errors.New("npz: member is not an .npy array")
	// ErrUnsupported: a member compressed with a method other than stored or
	// deflated, or encrypted.
	ErrUnsupported = errors.New("npz: unsupported zip feature")
	// ErrChecksum: a member's bytes do not match the CRC-32 the central
	// directory records.
	ErrChecksum = errors.New("npz: member checksum mismatch")
	// ErrSizeMismatch: a member decompresses to more or fewer bytes than the
	// central directory declares.
	ErrSizeMismatch = errors.New("npz: member size does not match the directory")
	// ErrTooLarge: decompressing the member would exceed a limit (WithMaxRatio,
	// WithMaxTotal, or the in-memory limit of ReadBytes): the guard against
	// zip bombs.
	ErrTooLarge = errors.New("npz: member exceeds a decompression limit")
	// ErrCompressedWrite: r+ was asked of a compressed member, whose bytes
	// are not the array's bytes, so writes could never reach the archive.
	ErrCompressedWrite = errors.New("npz: compressed member cannot be opened read-write")
	// ErrMode: a mode Open does not accept (w+, or not a mode).
	ErrMode = errors.New("npz: invalid mode")
	// ErrClosed: the Archive was closed.
	ErrClosed = errors.New("npz: archive is closed")
)

// wrapf puts context in front of err: "npz: <context>: <err>". When err's
// text already starts with "npz: " (this package's sentinels, and errors
// built on them), that prefix is dropped from the text, so that the package
// name appears once; errors.Is and errors.As see err itself.
func wrapf(err error, format string, args ...any) error {
	return &contextError{
		msg: "npz: " + fmt.Sprintf(format, args...) + ": " + strings.TrimPrefix(err.Error(), "npz: "),
		err: err,
	}
}

// contextError is an error with context in front of its text.
type contextError struct {
	msg string
	err error
}

func (e *contextError) Error() string { return e.msg }
func (e *contextError) Unwrap() error { return e.err }
