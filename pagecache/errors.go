package pagecache

import "errors"

// Sentinel errors of this package. Errors are always returned wrapped (with
// %w) together with the operation, file name, offset and length, so test for
// them with [errors.Is]. The package also returns the module's shared
// sentinels [memmap.ErrClosed] (a Mapping used after Close),
// [memmap.ErrTooLarge] (a range beyond the address space or int64) and
// [memmap.ErrUnsupported] (a feature this OS lacks, such as Resident on
// Windows). Failing system calls carry an [*io/fs.PathError] (Op "mmap",
// "msync", "madvise", "mincore", "fallocate", "lseek", "sync_file_range",
// "fadvise", ...) in the chain
// instead.
var (
	// ErrBeyondEOF reports a requested range that reaches past the end of
	// the file; mapping it could raise SIGBUS on access.
	ErrBeyondEOF = errors.New("pagecache: range beyond end of file")

	// ErrReadOnly reports a write-ish operation (such as Preallocate) on a
	// file that was opened read-only. Flush on a ReadOnly or CopyOnWrite
	// mapping is a no-op and does not return this error.
	ErrReadOnly = errors.New("pagecache: file is read-only")

	// ErrBadRange reports a negative offset or length, or a sub-range that
	// lies outside the mapping.
	ErrBadRange = errors.New("pagecache: bad range")

	// ErrInvalid reports a nil *os.File, or an Access or Advice value that
	// is not one of this package's constants.
	ErrInvalid = errors.New("pagecache: invalid argument")

	// ErrDontNeedCopyOnWrite reports a DontNeed advice on a CopyOnWrite
	// mapping, which would silently discard the private modifications.
	ErrDontNeedCopyOnWrite = errors.New("pagecache: DontNeed refused on a copy-on-write mapping")
)
