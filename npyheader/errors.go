package npyheader

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error about the format wraps one of these with %w,
// together with context such as the byte offset, what was expected and what
// was found; test with errors.Is. A few errors match two sentinels, because
// two descriptions are both true and callers test for either:
//
//   - a dtype whose itemsize is too large: ErrDescr and memmap.ErrTooLarge;
//   - a descr that is not a Python literal (ParseDescr): ErrDescr and ErrSyntax;
//   - input that ends inside the magic string and does not match it:
//     ErrBadMagic and ErrTruncated;
//   - a header length above the limit that also runs past the end of a
//     seekable input: ErrHeaderTooLarge and ErrTruncated.
//
// An element count or byte size that overflows int64, or does not fit in
// int on this platform, is memmap.ErrTooLarge. An error from the io.Reader
// itself (other than an early EOF, which is ErrTruncated) is returned
// wrapped with context only, so that errors.Is still finds the reader's own
// error.
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
)

// formatError is an error of this package about its input: the text of its
// first sentinel followed by the detail. It matches every one of its
// sentinels with errors.Is.
type formatError struct {
	sentinels []error
	detail    string
}

func (e *formatError) Error() string   { return e.sentinels[0].Error() + ": " + e.detail }
func (e *formatError) Unwrap() []error { return e.sentinels }

// wrapf returns an error matching sentinel, with a formatted detail.
func wrapf(sentinel error, format string, args ...any) error {
	return &formatError{sentinels: []error{sentinel}, detail: fmt.Sprintf(format, args...)}
}

// wrap2 returns an error matching both first and second, whose text is
// first's followed by the detail; the detail should say what makes second
// true as well.
func wrap2(first, second error, format string, args ...any) error {
	return &formatError{sentinels: []error{first, second}, detail: fmt.Sprintf(format, args...)}
}

// detailOf returns the detail of an error made by wrapf or wrap2, without
// its sentinel's text, so that it can be reported under another sentinel.
func detailOf(err error) string {
	if fe, ok := err.(*formatError); ok {
		return fe.detail
	}
	return err.Error()
}

// withContext prefixes err's text with what was being read ("header at byte
// 10: "), keeping err's sentinels.
func withContext(err error, format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, err)...)
}
