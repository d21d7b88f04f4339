package pagecache

import "errors"

// Sentinel errors. They are always returned wrapped (with %w) together with
// context such as the file name, offset and length, so test for them with
// [errors.Is]. Failing system calls additionally carry an [*io/fs.PathError]
// (Op "mmap", "msync", "madvise", "mincore", "fallocate", ...) in the chain.
var (
	// ErrClosed reports an operation on a Mapping that has already been closed.
	ErrClosed = errors.New("pagecache: mapping already closed")

	// ErrTooLarge reports a range that does not fit in this platform's
	// address space (int), or whose offset+length overflows int64.
	ErrTooLarge = errors.New("pagecache: range too large")

	// ErrBeyondEOF reports a requested range that reaches past the end of
	// the file; mapping it could raise SIGBUS on access.
	ErrBeyondEOF = errors.New("pagecache: range beyond end of file")

	// ErrReadOnly reports a write-ish operation (such as Preallocate) on a
	// file that was opened read-only. Flush on a ReadOnly or CopyOnWrite
	// mapping is a no-op and does not return this error.
	ErrReadOnly = errors.New("pagecache: file is read-only")

	// ErrUnsupported reports a feature that is not available on this OS,
	// for example Resident on Windows.
	ErrUnsupported = errors.New("pagecache: not supported on this platform")

	// ErrBadRange reports a negative offset or length, or a sub-range that
	// lies outside the mapping.
	ErrBadRange = errors.New("pagecache: bad range")

	// ErrDontNeedCopyOnWrite reports a DontNeed advice on a CopyOnWrite
	// mapping, which would silently discard the private modifications.
	ErrDontNeedCopyOnWrite = errors.New("pagecache: DontNeed refused on a copy-on-write mapping")
)
