// Package text reads and writes NumPy's text formats as np.loadtxt,
// np.genfromtxt and np.savetxt do: Load streams text into records ready for
// an .npy file, so that text larger than memory can be converted;
// Genfromtxt reads it whole; Save writes any view as text, byte for byte
// np.savetxt's, streaming it from the mapping.
//
// # Reading
//
// Load reads text from an io.Reader and hands the rows, in order, to a
// RowSink as records of the result's dtype, whole rows at a time, in the
// dtype's byte order; LoadFile reads a file (through gzip when its name
// ends in .gz). LoadToNPY and LoadFileToNPY write the rows into a new .npy
// file through mmarray's streaming Writer, which appears only once complete.
// MemorySink keeps the records in memory, and LoadArray and LoadArrayFile
// return the result as an in-memory .npy File of mmarray.
// The result, its dtype and its shape are np.loadtxt's for the same text
// and keywords; the options are named after those keywords: WithDelimiter,
// WithComments, WithSkipRows, WithUseCols, WithMaxRows, WithQuoteChar,
// WithDType, WithConverter, WithEncoding, WithNdmin.
//
// Rows are split into fields as loadtxt's C tokenizer splits them: at the
// delimiter, or at runs of white space by default; a row ends at \n, \r or
// \r\n; comments run to the line end; a quoted field (quoting is off by
// default) may hold delimiters, comment markers, line ends and doubled
// quotes. Blank and comment-only lines are skipped (and not counted by
// max_rows); a row with a number of fields other than the first's is an
// error unless usecols picks the columns.
//
// Cells are parsed exactly as NumPy 1.24's loadtxt parses them (its C
// parser, numpy/core/src/multiarray/textreading), which is not Go's
// strconv:
//
//   - White space around a number is ignored; Python's white space, which
//     includes U+00A0, U+3000 and the ASCII separators \x1c-\x1f.
//   - Floats have Python's syntax: no underscores ("1_000") and no
//     hexadecimal ("0x1p-2"), both of which strconv.ParseFloat accepts;
//     "inf", "infinity" and "nan" in any case, with a sign; an exponent
//     out of range gives ±inf or ±0 ("1e400" is inf), not an error. NaNs
//     have Python's bits (0x7ff8000000000000, with the sign of "-nan").
//     float32 is the float64 rounded, as in NumPy.
//   - Integers are parsed as integers, never through a float, so int64
//     keeps all its digits; one out of its type's range is refused.
//   - A cell that is not an integer but is a float ("1.5", "1e3") is read
//     into an integer column truncated toward zero, NumPy 1.23's
//     deprecated fallback (it warns; this package does not).
//   - Bools are integers: "0" is false, any other integer true; "True" is
//     refused, as in NumPy.
//   - Complex numbers are "1+2j", "1-2j", "2j", "3", optionally in
//     parentheses with white space inside them; not "1+2J" nor "1 + 2j".
//   - S<n> stores the characters as latin-1 bytes (a character above
//     U+00FF is refused), U<n> as UCS-4; both are cut to n characters.
//
// The input is cut into blocks of whole rows (at line ends outside quoted
// fields), which WithWorkers goroutines parse at once; the records are
// handed to the sink in the order of the input, and the result does not
// depend on the number of workers. WithMemory bounds the blocks and records
// in flight; WithProgress reports the bytes of the input read. An error
// names the line of the input, counted from 1 with skipped lines, and the
// column of the field: "line 1843, column 4:
// could not convert 'abc' to float64: text: invalid value"; the rows
// before it have been written to the sink.
//
// Genfromtxt and GenfromtxtFile read text as np.genfromtxt does, in
// memory, into an .npy File and, with WithUseMask, a mask File beside it.
// Their options add WithInferredDType (dtype=None), WithNames (names=True),
// WithSkipHeader, WithSkipFooter, WithMissingValues, WithFillingValues,
// WithInvalidRaise, WithAutostrip and WithUseMask to the shared ones.
// Values follow Python's int(), float() and complex() there, as in NumPy,
// and a value that does not parse takes its column's filling value.
//
// # Writing
//
// Save writes a 1-D or 2-D view (any strides and byte order), or a 1-D
// view of a structured dtype (one column per field), as np.savetxt writes
// the same array with the same arguments, byte for byte; SaveFile writes a
// file, gzip-compressed when its name ends in .gz, under a temporary name
// renamed onto the path when complete (a failed save leaves an existing
// file as it was, where NumPy has truncated it); SaveArray and SaveArrayFile save a File's whole array with
// the view its dtype takes. The options are np.savetxt's keywords: WithFmt
// (one format for the row, default "%.18e") or WithColumnFmts (one per
// column), WithDelimiter (default " "), WithNewline, WithHeader, WithFooter
// and WithComments. Formats are Python's %-formatting of NumPy scalars,
// which is not Go's fmt: %g is C's (precision 6, trailing zeros stripped),
// %d truncates a float, %s prints NumPy's str (b'..' for an S column),
// and complex columns take np.savetxt's pairs of formats. Rows are
// formatted by WithWorkers goroutines in blocks and written in order; the
// first block is formatted before anything is written, so a format that
// does not fit the array fails (ErrFormat, with NumPy's or Python's own
// message) with nothing written. For arrays of 256 MiB or more the pages of
// the rows written are released as the save goes, so that a file larger
// than memory is written without keeping it resident.
//
// # Caveats
//
//   - Where NumPy parses an integer through a float to a value its type
//     cannot hold ("300" as int8, "-1" as uint8, "nan" as int32), its C
//     cast gives a machine-dependent value (44, 255, -2**31 on x86-64);
//     this package refuses the cell instead.
//   - NumPy's messages count rows of data from 0 ("at row 1, column 2");
//     this package's count lines of the input from 1, which is where an
//     editor finds them.
//   - The delimiter and the quote must be ASCII characters; NumPy takes
//     any one character. Comment markers may be any text.
//   - WithMaxRows(0) means every row, as zero means the default for every
//     option of this module; NumPy's max_rows=0 reads none.
//   - Encodings are UTF-8 (invalid UTF-8 is an error, ErrEncoding, for
//     the first row that holds it), UTF-8 with a byte-order mark dropped
//     ("utf-8-sig"), and latin-1. With "utf-8" a byte-order mark is part of
//     the first field, which then fails to parse as a number, as in NumPy.
//   - Dtypes are bool, integers, float32, float64, complex64, complex128,
//     S<n>, U<n> and structured dtypes of these (subarray fields take one
//     column per item); float16, longdouble, datetimes, S0/U0 (whose
//     length NumPy finds from the data) and nested structures are refused
//     with memmap.ErrUnsupported. np.loadtxt's unpack has no equivalent:
//     the records are rows.
//   - Converters return text for the column's parser, where NumPy's return
//     a value; they are called from several goroutines at once.
//   - A single row longer than a block is held whole, whatever the budget.
//   - Genfromtxt holds the whole input and result in memory, as NumPy
//     does. Of np.genfromtxt's keywords it has no usecols, converters,
//     names given as a list, deletechars, excludelist, case_sensitive,
//     defaultfmt, replace_space or unpack; missing values apply to every
//     column (NumPy's "a,b" form), filling values are written as text of
//     the column's type, a delimiter is one ASCII character (NumPy also
//     takes longer strings and field widths), and a comment marker is one.
//   - A column np.genfromtxt would infer as longdouble (all its values
//     spelled as C's strtold takes them, hexadecimal "0x10" among them) is
//     refused with memmap.ErrUnsupported. Python's int() and float() also
//     take digits of other scripts ("١٢"), which Genfromtxt does not.
//   - Where NumPy stores an integer out of an explicit integer dtype's range
//     (300 as int8) with a wrap and a warning, Genfromtxt returns an error.
//     The first row with the wrong number of columns is named in the error,
//     where NumPy lists them all.
//   - Line ends inside a quoted field are read as \n, as np.loadtxt sees
//     them when it opens a file by name (Python's universal newlines); read
//     from a file object opened without newline translation, NumPy would
//     keep a \r.
//   - SaveFile replaces the file at its path with a new one, renamed onto
//     it when complete (NumPy writes into the existing file): the old
//     file's permissions and owner are not kept (a symbolic link is
//     followed), and a path that is not a regular file (a device such as
//     /dev/stdout, a named pipe) is refused with memmap.ErrUnsupported:
//     write to those with Save.
package text
