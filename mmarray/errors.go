package mmarray

import (
	"errors"

	"github.com/go-memmap/memmap/internal/npyimage"
)

// Sentinel errors of this package. Every error this package returns wraps
// a documented sentinel, tested with errors.Is: one of these, one of the
// module's shared ones (memmap.ErrClosed after Close, memmap.ErrTooLarge
// for sizes beyond what an int or the address space can hold,
// memmap.ErrUnsupported for what the platform or file cannot do), one of
// npyheader's for a bad header, or one of pagecache's from the mapping
// layer; where two descriptions are both true, both match. Errors of the
// operating system (*fs.PathError, syscall.Errno) are returned or wrapped
// as they are.
var (
	// ErrMode: the mode string is not one of NumPy's, or the mode is not
	// allowed for the call (w+ on Open).
	ErrMode = errors.New("mmarray: invalid mode")
	// ErrDTypeMismatch: the Go element type does not match the file's dtype.
	ErrDTypeMismatch = errors.New("mmarray: element type does not match dtype")
	// ErrFileSize: the file is too short for the array its header or the
	// caller declares, or its size is not a whole number of items. (It is
	// the one value internal/npyimage also returns, so that npz's checks of
	// archive members wrap it too.)
	ErrFileSize = npyimage.ErrFileSize
	// ErrShape: a shape with a negative dimension, or a missing shape where
	// one is required.
	ErrShape = errors.New("mmarray: invalid shape")
	// ErrReshape: the requested shape cannot be a view of the data (a copy
	// would be needed) or has a different number of elements.
	ErrReshape = errors.New("mmarray: cannot reshape without copying")
	// ErrOffset: a negative byte offset given to OpenRaw or ReadAt.
	ErrOffset = errors.New("mmarray: negative offset")
	// ErrIndexSyntax: text given to ParseIndex is not NumPy index syntax.
	ErrIndexSyntax = errors.New("mmarray: invalid index expression")
	// ErrField: Field was given a view that is not structured, or a name
	// the dtype does not have.
	ErrField = errors.New("mmarray: no such field")
	// ErrNoRoom: an .npy header has no room to rewrite the shape in place
	// for a growing row count (a file of an old writer, without NumPy's
	// growth slack): MakeAppendable rewrites such a file.
	ErrNoRoom = errors.New("mmarray: header has no room for a growing shape")
	// ErrValue: a value cannot be stored exactly in the view's dtype (a
	// string too long for S<n> or U<n>, a time not a whole number of the
	// unit or out of range). Nothing is truncated silently.
	ErrValue = errors.New("mmarray: value does not fit the dtype")
	// ErrNaT: a Datetime64 or Timedelta64 is NaT (not a time), which has no
	// time.Time or time.Duration equivalent.
	ErrNaT = errors.New("mmarray: NaT has no time value")
	// ErrUnit: a datetime unit that has no fixed length for the conversion
	// asked for (generic units, years and months as durations).
	ErrUnit = errors.New("mmarray: datetime unit cannot be converted")
)
