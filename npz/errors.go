package npz

import "errors"

// Sentinel errors. Every error this package returns wraps one of these, one
// of the module's shared sentinels (memmap.ErrClosed for a closed Archive or
// Writer, memmap.ErrTooLarge for a member over a decompression limit,
// memmap.ErrUnsupported for a compression method other than stored and
// deflated or an encrypted member), mmarray.ErrMode for a mode Open does not
// accept, one of npyheader's (a member's NPY header), or an error of the
// operating system, with %w, so callers can test with errors.Is. The
// context in front of a sentinel's text names the operation and the
// archive or member, never a package: `open data.npz: member "w":
// npyheader: invalid header syntax`.
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
	// ErrChecksum: a member's bytes do not match the CRC-32 the central
	// directory records.
	ErrChecksum = errors.New("npz: member checksum mismatch")
	// ErrSizeMismatch: a member decompresses to more or fewer bytes than the
	// central directory declares, or the archive file's size changed since
	// it was opened (truncated or extended from outside), so that a member
	// cannot be mapped nor its CRC-32 rewritten.
	ErrSizeMismatch = errors.New("npz: member size does not match the directory")
	// ErrCompressedWrite: r+ was asked of a compressed member, whose bytes
	// are not the array's bytes, so writes could never reach the archive.
	ErrCompressedWrite = errors.New("npz: compressed member cannot be opened read-write")
)
