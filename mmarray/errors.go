package mmarray

import "errors"

// Sentinel errors. Every error returned by this package wraps one of these (or
// one of npyheader's or pagecache's) with %w, so callers can test with errors.Is.
var (
	// ErrMode: the mode string is not one of NumPy's, or the mode is not
	// allowed for the call (w+ on Open).
	ErrMode = errors.New("mmarray: invalid mode")
	// ErrOption: an option that does not apply to the constructor it was given to.
	ErrOption = errors.New("mmarray: option not valid here")
	// ErrClosed: the File was closed.
	ErrClosed = errors.New("mmarray: file is closed")
	// ErrDTypeMismatch: the Go element type does not match the file's dtype.
	ErrDTypeMismatch = errors.New("mmarray: element type does not match dtype")
	// ErrFileSize: the file is too short for the array its header or the
	// caller declares, or its size is not a whole number of items.
	ErrFileSize = errors.New("mmarray: file size does not fit the array")
	// ErrShape: a shape with a negative dimension, or a missing shape where
	// one is required.
	ErrShape = errors.New("mmarray: invalid shape")
	// ErrReshape: the requested shape cannot be a view of the data (a copy
	// would be needed) or has a different number of elements.
	ErrReshape = errors.New("mmarray: cannot reshape without copying")
	// ErrIndexSyntax: text given to ParseIndex is not NumPy index syntax.
	ErrIndexSyntax = errors.New("mmarray: invalid index expression")
)
