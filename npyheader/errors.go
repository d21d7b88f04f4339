package npyheader

import "errors"

// Sentinel errors. Every error about the format wraps one (or, for a few
// cases, two) of these with %w, together with context such as the byte
// offset, what was expected and what was found. Test with errors.Is. An
// error from the io.Reader itself (other than an early EOF, which is
// ErrTruncated) is returned wrapped with context only, so that errors.Is
// still finds the reader's own error.
var (
	// ErrBadMagic: the input does not start with "\x93NUMPY".
	ErrBadMagic = errors.New("npyheader: not an NPY file (bad magic string)")
	// ErrVersion: a format version other than 1.0, 2.0 or 3.0, or a forced
	// version that cannot hold the header text on Encode.
	ErrVersion = errors.New("npyheader: unsupported format version")
	// ErrHeaderTooLarge: the header is longer than the allowed maximum (on
	// read), or longer than the chosen version's length field can hold (on
	// Encode).
	ErrHeaderTooLarge = errors.New("npyheader: header too large")
	// ErrSyntax: the header text is not a valid Python literal (this includes
	// nesting that is too deep, NUL bytes and invalid UTF-8 in version 3.0).
	ErrSyntax = errors.New("npyheader: invalid header syntax")
	// ErrHeaderKeys: the header is not a dict, or its keys are not exactly
	// 'descr', 'fortran_order' and 'shape'.
	ErrHeaderKeys = errors.New("npyheader: header is not a dict with keys 'descr', 'fortran_order', 'shape'")
	// ErrShape: 'shape' is not a tuple of non-negative ints.
	ErrShape = errors.New("npyheader: invalid shape")
	// ErrFortranOrder: 'fortran_order' is not a bool.
	ErrFortranOrder = errors.New("npyheader: fortran_order is not a bool")
	// ErrDescr: 'descr' is not a valid dtype descriptor.
	ErrDescr = errors.New("npyheader: invalid dtype descriptor")
	// ErrObjectDType: the dtype holds Python objects ('|O').
	ErrObjectDType = errors.New("npyheader: pickled object arrays are not supported")
	// ErrTruncated: the input ended before the header did.
	ErrTruncated = errors.New("npyheader: truncated input")
	// ErrTooLarge: the element count or byte size of the array overflows
	// int64, or does not fit in int on this platform.
	ErrTooLarge = errors.New("npyheader: array too large")
)
