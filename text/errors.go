package text

import "errors"

// Sentinel errors of this package. Every error the reading and writing
// functions return wraps one of these; memmap.ErrUnsupported, for a dtype
// that text cannot be parsed into or written from; a sentinel of npyheader
// or mmarray (or memmap.ErrTooLarge) passed on from the .npy header or file
// a result is written to: npyheader.ErrHeaderTooLarge when a structured
// dtype's header is too long, in LoadArray, LoadArrayFile, LoadToNPY and
// Genfromtxt, and the errors of mmarray.NewWriter and its Writer in
// LoadToNPY and LoadFileToNPY; or an error of the operating system, of the
// caller's io.Reader, of a Converter, of a RowSink or of the caller's
// io.Writer, passed on as it is. The context in front names the line and,
// where there is one, the column, counted from 1 as an editor counts them.
var (
	// ErrSyntax: a field is not a value of its column's dtype by NumPy's
	// rules ("line 3, column 2: could not convert 'abc' to float64").
	ErrSyntax = errors.New("text: invalid value")
	// ErrColumns: a row has a number of fields other than the first row's,
	// or fewer than a usecols index needs.
	ErrColumns = errors.New("text: wrong number of columns")
	// ErrEncoding: the input is not valid text in the encoding asked for
	// (invalid UTF-8), or a string field has a character that an S<n>
	// column (latin-1) cannot hold.
	ErrEncoding = errors.New("text: invalid encoding")
	// ErrGzip: a .gz file given to LoadFile or LoadArrayFile is not a
	// whole gzip stream (a bad header, a corrupt or truncated body, a
	// wrong checksum); the error of compress/gzip is wrapped too.
	ErrGzip = errors.New("text: invalid gzip data")
	// ErrFormat: wrapped by the errors of Save, SaveFile, SaveArray and
	// SaveArrayFile when the format does not fit the array: a format string
	// with the wrong number of conversions for the columns, a list of
	// formats of the wrong length, a conversion the column's values do not
	// take (%x of a float, %d of a string), a value a conversion cannot take
	// (%d of NaN), or a format Python itself refuses ("incomplete format").
	// The text after it is NumPy's (or Python's) own.
	ErrFormat = errors.New("text: format does not fit the array")
)
